import {defineConformance} from './conformance.js'
import {MemoryBackend} from './memory-backend.js'
import {APP2_CID, APP_CID, makeSigningKey, packApp, tempDir} from './helpers.js'

// A tiny valid wasm module: the in-memory backend never runs it.
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])

defineConformance('in-memory backend (test double)', async () => {
  const {key, anchor} = makeSigningKey()
  const other = makeSigningKey()
  const tmp = tempDir()
  return {
    backend: new MemoryBackend([anchor]),
    app: packApp({cid: APP_CID, name: 'RestApp', wasm: WASM, key, mutableKB: 8}),
    app2: packApp({cid: APP2_CID, name: 'RestApp2', wasm: WASM, key}),
    untrusted: packApp({cid: APP2_CID, name: 'Evil', wasm: WASM, key: other.key}),
    appLimitKB: 8,
    stateDir: tmp.dir,
    close: async () => tmp.cleanup(),
  }
})
