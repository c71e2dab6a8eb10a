import {describe, expect, test} from '@jest/globals'
import {World} from '../../../src/os/hw/index.js'
import {Kernel, NS_PER_MS} from '../../../src/os/kernel/index.js'
import {Lsm, compilePolicy} from '../../../src/os/lsm/index.js'
import {instrumentApp, loadApp, spawnApp, type AppEnvironment} from '../../../src/os/runtime/index.js'
import {Wasm} from '../../../src/os/runtime/wasm-api.js'
import {CACHE_DIR, tempDir, wat} from '../helpers.js'

const CID = '11111111-2222-3333-4444-555555555555'

function env(out: string[]): AppEnvironment {
  return {
    args: ['app'],
    env: [],
    output: (_s, d) => out.push(new TextDecoder().decode(d)),
    openMutableStorage: () => -44,
    deleteMutableStorage: () => -44,
    openPackageFile: () => -44,
    random: (b) => b.fill(4),
  }
}

describe('vertical slice', () => {
  test('blink app toggles GPIO 8 every 500 virtual ms', async () => {
    const world = new World()
    const kernel = new Kernel({clock: 'fast-forward', world})
    const lsm = new Lsm(() => kernel.now())
    lsm.setPolicy(compilePolicy({Name: 'blink', ComponentId: CID, Capabilities: {Gpio: [8]}}))
    const changes: [number, number][] = []
    world.onChange((c) => changes.push([kernel.now(), c.level]))
    const app = await loadApp(await wat('blink'), {cacheDir: CACHE_DIR})
    const out: string[] = []
    spawnApp(kernel, lsm, app, {componentId: CID, name: 'blink', uid: 1000}, env(out))
    await kernel.runFor(2600 * NS_PER_MS)
    expect(out.join('')).toContain('blink starting')
    expect(changes.map((c) => c[1])).toEqual([1, 0, 1, 0, 1, 0, 1])
    const times = changes.slice(1).map((c) => Math.round(c[0] / NS_PER_MS))
    expect(times).toEqual([0, 500, 1000, 1500, 2000, 2500])
  })

  test('without wasm-opt on PATH the npm binaryen package instruments the app, and the result runs', async () => {
    const tmp = tempDir()
    const saved = process.env.SPHERE_WASM_OPT
    process.env.SPHERE_WASM_OPT = 'none'
    try {
      const r = await instrumentApp(await wat('blink'), {cacheDir: tmp.dir})
      expect(r.tool).toBe('binaryen.js')
      const again = await instrumentApp(await wat('blink'), {cacheDir: tmp.dir})
      expect(again.tool).toBe('cache')
      const world = new World()
      const kernel = new Kernel({clock: 'fast-forward', world})
      const lsm = new Lsm(() => kernel.now())
      lsm.setPolicy(compilePolicy({Name: 'blink', ComponentId: CID, Capabilities: {Gpio: [8]}}))
      const app = {
        hash: 'binaryen-' + r.hash,
        module: await Wasm.compile(r.wasm),
        importSigs: new Map(r.checked.imports.map((i) => [`${i.module}.${i.name}`, i.sig])),
        memoryInitialBytes: r.checked.memoryInitialBytes,
        memoryMaxBytes: r.checked.memoryMaxBytes,
      }
      spawnApp(kernel, lsm, app, {componentId: CID, name: 'blink', uid: 1000}, env([]))
      await kernel.runFor(1100 * NS_PER_MS)
      expect(world.level(8)).toBe(0)
    } finally {
      if (saved === undefined) delete process.env.SPHERE_WASM_OPT
      else process.env.SPHERE_WASM_OPT = saved
      tmp.cleanup()
    }
  })
})
