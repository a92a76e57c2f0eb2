// inflate-hooks.mjs: Node module hooks, registered by read.mjs, that give
// icebird's Avro reader (icebird/src/avro/avro.read.js) the deflate decoder
// of avro-inflate.mjs in place of hyparquet-compressors' gunzip. Every
// other import resolves as usual.

const shim = new URL('./avro-inflate.mjs', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'hyparquet-compressors' && context.parentURL?.endsWith('/node_modules/icebird/src/avro/avro.read.js')) {
    return { url: shim, shortCircuit: true }
  }
  return nextResolve(specifier, context)
}
