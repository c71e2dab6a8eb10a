import {afterAll, describe, expect, test} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseImagePackage} from '../../src/image/index.js'
import {buildDemo, demoApp, DEMO_COMPONENT_ID, sdkDir} from '../../src/sdk/index.js'
import {abiImportNames, removeDir, tempDir, toolchainPresent, wasmImports} from './helpers.js'
import {intervals, runApp} from './mock-host.js'

describe('the prebuilt demo app (sdk/demo)', () => {
  let dir: string | undefined
  afterAll(() => removeDir(dir))

  test('is present, packs bin/app = the committed wasm, and imports only ABI calls', () => {
    const demo = demoApp()
    const pkg = parseImagePackage(readFileSync(demo.imagePackage))
    expect(pkg.manifest?.ComponentId).toBe(DEMO_COMPONENT_ID)
    expect(Buffer.from(pkg.files.get('bin/app')!).equals(readFileSync(demo.wasm))).toBe(true)
    const abi = abiImportNames()
    expect(wasmImports(readFileSync(demo.wasm)).filter((i) => !abi.has(i))).toEqual([])
  })

  test('blinks at 125 ms against the ABI', () => {
    const r = runApp(readFileSync(demoApp().wasm), {allowedGpios: [8, 12], untilMs: 1_000})
    expect(intervals(r.writes, 8).slice(1)).toEqual([125, 125, 125, 125, 125, 125, 125])
  })

  // SPHERE_UPDATE_DEMO=1 rewrites sdk/demo from the template (then commit the result).
  ;(toolchainPresent ? test : test.skip)(
    'rebuilding it from templates/c-eventloop gives the same wasm bytes (reproducible build)',
    async () => {
      dir = tempDir('sphere-demo-test-')
      const env = {...process.env, SPHERE_SDK_CACHE: join(dir, 'sdk-cache')}
      const out = process.env.SPHERE_UPDATE_DEMO === '1' ? join(sdkDir(), 'demo') : join(dir, 'out')
      const rebuilt = await buildDemo(out, {env})
      expect(readFileSync(rebuilt.wasm).equals(readFileSync(demoApp().wasm))).toBe(true)
      const a = parseImagePackage(readFileSync(rebuilt.imagePackage))
      const b = parseImagePackage(readFileSync(demoApp().imagePackage))
      expect(a.manifest).toEqual(b.manifest)
    },
    120_000,
  )
})
