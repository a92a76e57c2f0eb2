// avro-inflate.mjs: hyparquet-compressors with a gunzip that decodes with
// Node's zlib, for icebird's Avro reader (see inflate-hooks.mjs).
//
// Avro's "deflate" codec is raw DEFLATE (RFC 1951). icebird decodes it with
// hyparquet-compressors' gunzip, which, once the stream's final block is
// decoded and its output buffer is not exactly full, takes the rest of the
// input for another gzip member: past the end of a raw stream it starts
// decoding the same stream again into the full buffer, and throws
// "RangeError: offset is out of bounds" at a stored block. Go's
// compress/flate, which writes the Avro files of iceberg-go, ends every
// stream with an empty final stored block, so every manifest list and
// manifest iceberg-go writes hits this.
import { gunzipSync, inflateRawSync } from 'node:zlib'

export * from 'hyparquet-compressors'

/**
 * @param {Uint8Array} input raw DEFLATE, or gzip when it has gzip's header
 * @returns {Uint8Array}
 */
export function gunzip(input) {
  const gz = input[0] === 0x1f && input[1] === 0x8b && input[2] === 8
  const out = gz ? gunzipSync(input) : inflateRawSync(input)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
