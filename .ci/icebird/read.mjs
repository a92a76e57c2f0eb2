// read.mjs: reads the current snapshot of an Iceberg table with icebird (a
// JavaScript Iceberg reader built on hyparquet, independent of iceberg-go)
// and prints one JSON document on stdout:
//
//   {"metadata": "...", "format_version": 2,
//    "columns": ["id", ...], "data_files": 3, "removed_entries": 2,
//    "delete_files": 0, "row_count": 150, "rows": [{"id": "c00000", ...}, ...]}
//
// Usage: node read.mjs <metadata.json location>
//
// The location is a local path or a file:// URL; every file the metadata
// lists (manifest lists, manifests, data files) must be a local path or a
// file:// URL too. icebird reads through the global fetch, which in Node
// does not open local files, so this script installs a fetch that serves
// file:// URLs and absolute paths from disk (with HTTP range requests, as
// hyparquet issues them) and passes anything else to Node's own fetch.
//
// icebird's Avro reader decodes the deflate codec of manifest lists and
// manifests with hyparquet-compressors' gunzip, which fails on the streams
// Go's compress/flate writes (see avro-inflate.mjs); module hooks
// (inflate-hooks.mjs) give it a decoder built on Node's zlib instead.
// Everything else is icebird's and hyparquet's own: metadata, manifest
// lists, manifests, Avro record decoding, Parquet decoding and the choice of live
// data files. With CCETL_ICEBIRD_INFLATE=icebird the hooks are left out.
//
// Values are printed as strings so that they compare exactly: integers
// (BigInt) in decimal, timestamps as ISO 8601 in UTC with milliseconds
// (hyparquet returns them as Date, which drops sub-millisecond digits),
// dates as YYYY-MM-DD; null and missing values as null. Rows are printed
// in the order icebird returns them.
import { open, readFile } from 'node:fs/promises'
import { register } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

if (process.env.CCETL_ICEBIRD_INFLATE !== 'icebird') {
  register('./inflate-hooks.mjs', import.meta.url)
}
const { icebergManifests, icebergMetadata, icebergRead } = await import('icebird')

/** @param {string} loc */
function localPath(loc) {
  if (loc.startsWith('file:')) return fileURLToPath(loc)
  if (path.isAbsolute(loc)) return loc
  return undefined
}

const nodeFetch = globalThis.fetch

/**
 * fetch for local files: a Range header gets a 206 with those bytes, no
 * Range the whole file. A missing file rejects with its path.
 *
 * @param {string | URL | Request} input
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
async function localFetch(input, init) {
  const loc = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const file = localPath(loc)
  if (file === undefined) return nodeFetch(input, init)
  const range = new Headers(init?.headers).get('Range')
  if (!range) {
    return new Response(await readFile(file), { status: 200 })
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(range)
  if (!m) throw new Error(`${file}: unsupported range ${range}`)
  const fh = await open(file, 'r')
  try {
    const { size } = await fh.stat()
    const start = Number(m[1])
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
    const len = Math.max(0, end - start + 1)
    const buf = Buffer.alloc(len)
    const { bytesRead } = await fh.read(buf, 0, len, start)
    return new Response(buf.subarray(0, bytesRead), {
      status: 206,
      headers: { 'Content-Range': `bytes ${start}-${start + bytesRead - 1}/${size}` },
    })
  } finally {
    await fh.close()
  }
}
globalThis.fetch = localFetch

/**
 * The table's metadata: through icebird when the file sits in the table's
 * metadata/ directory (the layout Iceberg writers use), else parsed here.
 *
 * @param {string} loc
 */
async function loadMetadata(loc) {
  const file = localPath(loc) ?? path.resolve(loc)
  const dir = path.dirname(file)
  if (path.basename(dir) === 'metadata') {
    const tableUrl = pathToFileURL(path.dirname(dir)).href
    const metadata = await icebergMetadata({ tableUrl, metadataFileName: path.basename(file) })
    return { tableUrl, metadata }
  }
  const metadata = JSON.parse(await readFile(file, 'utf8'))
  return { tableUrl: metadata.location, metadata }
}

/**
 * @param {any} v
 * @param {any} type the Iceberg type of the column
 * @returns {string | null}
 */
function show(v, type) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Date) {
    const iso = v.toISOString()
    return type === 'date' ? iso.slice(0, 10) : iso
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (typeof v === 'object') return JSON.stringify(v, (_, x) => typeof x === 'bigint' ? x.toString() : x)
  return String(v)
}

async function main() {
  const loc = process.argv[2]
  if (!loc) {
    process.stderr.write('usage: node read.mjs <metadata.json location>\n')
    process.exit(2)
  }
  const { tableUrl, metadata } = await loadMetadata(loc)
  const schema = metadata.schemas.find(s => s['schema-id'] === metadata['current-schema-id'])
  if (!schema) throw new Error('current schema not found in metadata')

  // the manifest entries of the current snapshot, as icebird sees them
  let dataFiles = 0, removedEntries = 0, deleteFiles = 0
  for (const { entries } of await icebergManifests(metadata)) {
    for (const e of entries) {
      if (e.status === 2) removedEntries++
      else if (e.data_file.content) deleteFiles++
      else dataFiles++
    }
  }

  const records = await icebergRead({ tableUrl, metadata })
  const rows = records.map(r => {
    /** @type {Record<string, string | null>} */
    const out = {}
    for (const f of schema.fields) out[f.name] = show(r[f.name], f.type)
    return out
  })
  const out = {
    metadata: loc,
    format_version: metadata['format-version'],
    columns: schema.fields.map(f => f.name),
    data_files: dataFiles,
    removed_entries: removedEntries,
    delete_files: deleteFiles,
    row_count: rows.length,
    rows,
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch(err => {
  process.stderr.write(`icebird read failed: ${err?.stack ?? err}\n`)
  process.exit(1)
})
