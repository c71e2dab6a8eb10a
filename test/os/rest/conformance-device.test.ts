import {sdkTestTrustAnchor} from '../../../src/image/index.js'
import {DeviceRestBackend} from '../../../src/os/rest/index.js'
import {defineConformance} from './conformance.js'
import {APP2_CID, APP_CID, makeSigningKey, packApp, tempDir, watFixture} from './helpers.js'

// The same conformance run against the real simulated Device, with a real sideloaded WebAssembly app.
defineConformance('real Device (src/os) with a sideloaded .wat app', async () => {
  const {key, anchor} = makeSigningKey()
  const other = makeSigningKey()
  const tmp = tempDir()
  const wasm = await watFixture('hello-loop')
  const backend = await DeviceRestBackend.boot({
    stateDir: tmp.dir,
    clock: 'realtime',
    trust: [sdkTestTrustAnchor(), anchor],
    stopGraceMs: 200,
    // the suite keeps two apps installed side by side (one running, one stopped) through a restart
    multiApp: true,
  })
  return {
    backend,
    app: packApp({cid: APP_CID, name: 'RestApp', wasm, key, mutableKB: 8}),
    app2: packApp({cid: APP2_CID, name: 'RestApp2', wasm, key}),
    untrusted: packApp({cid: APP2_CID, name: 'Evil', wasm, key: other.key}),
    appLimitKB: 8,
    stateDir: tmp.dir,
    close: async () => {
      await backend.shutdown()
      tmp.cleanup()
    },
  }
})
