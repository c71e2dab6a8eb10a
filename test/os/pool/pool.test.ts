/**
 * Many devices in one process (src/os/pool.ts, runtime/loader.ts): the compiled app is shared per binary,
 * everything an app can change stays its device's own (catalogue a98 on two devices), and the pool's
 * own rules (address space, counts, durability, its root).
 */
import {afterEach, describe, expect, test} from '@jest/globals'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {
  appCacheStats,
  clearAppCache,
  DevicePool,
  loadApp,
  wasmAddressSpace,
  type AppManifest,
  type UnpackedImage,
} from '../../../src/os/index.js'
import {durableWrites} from '../../../src/util/atomic-file.js'
import {assemble, CATALOGUE_DIR} from '../../fixtures/security/runner.mjs'
import {appImage, cid, wat} from '../helpers.js'

const pools: DevicePool[] = []
function pool(): DevicePool {
  const p = new DevicePool()
  pools.push(p)
  return p
}
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close()
})

async function a98Image(): Promise<UnpackedImage> {
  const bin = await assemble(readFileSync(join(CATALOGUE_DIR, 'a98-shared-module-state.wat'), 'utf8'))
  const manifest: AppManifest = {
    SchemaVersion: 1,
    Name: 'Sharer',
    ComponentId: cid(0xa98),
    EntryPoint: '/bin/app',
    CmdArgs: [],
    Capabilities: {MutableStorage: {SizeKB: 4}},
    ApplicationType: 'Default',
  }
  return {
    componentId: cid(0xa98),
    imageId: cid(0x10a98),
    manifest,
    files: new Map([['bin/app', bin]]),
  }
}

/** The r<n>=<value> lines of an app's log, in order. */
const results = (log: string): string[] => log.split('\n').filter((l) => /^r\d+=/.test(l))

describe('the process-wide app cache', () => {
  test('two devices installing the same image compile it once; a different image compiles separately', async () => {
    clearAppCache()
    const p = pool()
    const [a, b, c] = await p.boot(3)
    await a!.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    expect(appCacheStats()).toEqual({compiles: 1, hits: 0, entries: 1})
    await b!.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    expect(appCacheStats()).toEqual({compiles: 1, hits: 1, entries: 1})
    await c!.install(await appImage(2, 'Button', 'button', {Gpio: [12, 15]}))
    expect(appCacheStats()).toEqual({compiles: 2, hits: 1, entries: 2})
    await p.runFor(1200, {stepMs: 100})
    for (const d of [a!, b!]) expect(d.appStatus(cid(1)).state).toBe('running')
    expect(c!.appStatus(cid(2)).state).toBe('running')
    // the members keep one instrumented-binary cache directory between them
    expect(p.cacheDir).toBe(join(p.root, 'cache'))
  })

  test('concurrent loads of a new binary share one compile; the shared app cannot be changed', async () => {
    clearAppCache()
    const bin = await wat('victim')
    const [x, y] = await Promise.all([loadApp(bin), loadApp(bin)])
    expect(appCacheStats().compiles).toBe(1)
    expect(x.module).toBe(y.module)
    // what every later load gets is the one shared object, frozen (the first load's answer is a copy)
    const shared = await loadApp(bin)
    expect(shared).toBe(await loadApp(bin))
    expect(shared.module).toBe(x.module)
    expect(Object.isFrozen(shared)).toBe(true)
    expect(() => {
      ;(shared as {memoryMaxBytes: number}).memoryMaxBytes = 1 << 30
    }).toThrow(TypeError)
    expect((shared.importSigs as unknown as {set?: unknown}).set).toBeUndefined()
    expect(shared.importSigs.get('applibs.storage_open_mutable')).toBe('->i')
  })

  test('a refused binary is not cached: every load reports it', async () => {
    clearAppCache()
    const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff])
    await expect(loadApp(bad)).rejects.toMatchObject({code: 'APP_INVALID_WASM'})
    await expect(loadApp(bad)).rejects.toMatchObject({code: 'APP_INVALID_WASM'})
    expect(appCacheStats()).toEqual({compiles: 2, hits: 0, entries: 0})
  })
})

describe('a98: devices sharing a compiled module share nothing an app can change', () => {
  test('the second device starts from the pristine global, memory, table and storage after the first changed all of them', async () => {
    clearAppCache()
    const p = pool()
    const [a, b] = await p.boot(2)
    const img = await a98Image()
    await a!.install(img)
    await a!.runFor(200)
    const pristine = ['r1=0', 'r2=1094795585', 'r3=0', 'r4=7', 'r5=1', 'r6=4', 'r7=8']
    expect(results(a!.appLog(cid(0xa98)))).toEqual(pristine)
    // b gets the module a's instance has been running (and changing) for 200 ms
    await b!.install(img)
    expect(appCacheStats()).toMatchObject({compiles: 1, hits: 1})
    await b!.runFor(200)
    expect(results(b!.appLog(cid(0xa98)))).toEqual(pristine)
    // each device's storage holds its own single write
    for (const d of [a!, b!]) expect(new TextDecoder().decode(d.store.readMutable(cid(0xa98)))).toBe('a98!')
    // a restart on the same device: fresh instance (global, memory, table), the device's own storage kept
    await a!.stopApp(cid(0xa98))
    a!.startApp(cid(0xa98))
    await a!.runFor(200)
    expect(results(a!.appLog(cid(0xa98))).slice(7)).toEqual(['r1=0', 'r2=1094795585', 'r3=4', 'r4=7', 'r5=1', 'r6=4', 'r7=8'])
    expect(results(b!.appLog(cid(0xa98)))).toEqual(pristine)
    expect(new TextDecoder().decode(b!.store.readMutable(cid(0xa98)))).toBe('a98!')
  })
})

describe('DevicePool', () => {
  test('members have their own state directories and identities under the root; close removes the root it made', async () => {
    const p = new DevicePool()
    const [a, b] = await p.boot(2)
    expect(p.size).toBe(2)
    expect(p.device(1)).toBe(b)
    expect(a!.deviceId()).not.toBe(b!.deviceId())
    expect(a!.store.root).toBe(p.stateDir(0))
    expect(existsSync(join(p.stateDir(1), 'device.json'))).toBe(true)
    expect(() => p.device(2)).toThrow(/the pool has no device 2 \(it holds 2\)/)
    const s = p.stats()
    expect(s.devices).toBe(2)
    expect(s.stateBytes).toBeGreaterThan(0)
    await p.close()
    expect(existsSync(p.root)).toBe(false)
    await expect(p.boot(1)).rejects.toMatchObject({code: 'FLEET_CLOSED'})
  })

  test('writes skip fsync while a pool is open unless it asks for durability; close restores the setting', async () => {
    expect(durableWrites()).toBe(true)
    const p = pool()
    expect(durableWrites()).toBe(false)
    const q = new DevicePool({durable: true})
    expect(durableWrites()).toBe(true)
    await q.close()
    expect(durableWrites()).toBe(false)
    await p.close()
    expect(durableWrites()).toBe(true)
  })

  test('a bad count and a pool past the address space are refused before anything boots', async () => {
    const p = pool()
    await expect(p.boot(-1)).rejects.toMatchObject({code: 'FLEET_BAD_COUNT'})
    await expect(p.boot(1.5)).rejects.toMatchObject({code: 'FLEET_BAD_COUNT'})
    const as = wasmAddressSpace()
    expect(as.reservationBytes).toBeGreaterThanOrEqual(65536)
    expect(as.trapHandler).toBe(as.reservationBytes >= 2 ** 30)
    await expect(p.boot(1, {appsPerDevice: as.remainingMemories + 1})).rejects.toMatchObject({
      code: 'FLEET_ADDRESS_SPACE',
      message: expect.stringContaining('--disable-wasm-trap-handler'),
    })
    expect(p.size).toBe(0)
  })
})
