/**
 * The update agent (issue 7): A/B app slots (a new image runs on trial; if it crashes within its first seconds
 * 3 starts in a row the previous image is restored automatically, recorded in the device log and visible in
 * GET /images and the app status) and A/B OS slots (a staged OS image boots at the next restart, or is rolled
 * back when it does not boot). Fast-forward devices.
 */
import {afterAll, afterEach, beforeAll, describe, expect, test} from '@jest/globals'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {Device, StateStore, type UpdateHistoryEntry} from '../../../src/os/index.js'
import {DeviceRestBackend} from '../../../src/os/rest/index.js'
import {CACHE_DIR, tempDir} from '../helpers.js'
import {APP, imageIdOf, version} from './helpers.js'

let tmp: {dir: string; cleanup: () => void}
let dev: Device | undefined
let n = 0

beforeAll(async () => {
  tmp = tempDir('sphere-update-')
  // warm the instrumentation cache for both binaries
  const d = await Device.boot({stateDir: join(tmp.dir, 'warm'), clock: 'fast-forward', cacheDir: CACHE_DIR})
  await d.install(await version(100, true), {start: false})
  await d.install(await version(101, false), {start: false})
  await d.shutdown()
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  await dev?.shutdown()
  dev = undefined
})

const boot = async (stateDir = join(tmp.dir, `d${++n}`)): Promise<Device> => {
  dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR})
  return dev
}

describe('app A/B slots', () => {
  test('a new image that crashes at start 3 times is rolled back to the previous one automatically', async () => {
    const stateDir = join(tmp.dir, 'rb')
    const d = await boot(stateDir)
    const rollbacks: UpdateHistoryEntry[] = []
    d.updates.on('rollback', (e: UpdateHistoryEntry) => rollbacks.push(e))
    await d.install(await version(1, true), {ab: true})
    await d.runFor(1_000)
    const st1 = await d.install(await version(2, false), {ab: true})
    expect(st1.update).toEqual({previousImageId: imageIdOf(1), trialAttempts: 1, rolledBackFrom: undefined})
    expect(d.listImages().components[0]).toMatchObject({update_state: 'trial'})
    expect(d.listImages().components[0]!.images.map((i) => [i.uid, i.replica_type])).toEqual([
      [imageIdOf(2), 0],
      [imageIdOf(1), 1],
    ])

    // crashes after 100 ms; restarts after 1 s and 2 s; the 4th start restores v1 (after the 4 s back-off)
    await d.runFor(10_000)
    const st = d.appStatus(APP)
    expect(st).toMatchObject({state: 'running', imageId: imageIdOf(1), name: 'good-1'})
    expect(st.update?.rolledBackFrom).toMatchObject({imageId: imageIdOf(2), reason: 'failed to start 3 times'})
    expect(st.update?.previousImageId).toBeUndefined()
    const comp = d.listImages().components[0]!
    expect(comp).toMatchObject({uid: APP, update_state: 'rolled-back', rolled_back_from: imageIdOf(2)})
    expect(comp.images.map((i) => i.uid)).toEqual([imageIdOf(1)])
    expect(d.appLog(APP)).toContain(
      `update rolled back: image ${imageIdOf(2)} failed to start 3 times; restored ${imageIdOf(1)}`,
    )
    expect(rollbacks).toEqual([expect.objectContaining({kind: 'app', action: 'rolled-back', imageId: imageIdOf(2)})])
    expect(d.updates.history().map((h) => h.action)).toEqual(['trial-start', 'rolled-back'])
    // the failed image is gone from flash; the record is durable across a reboot
    expect(readdirSync(join(stateDir, 'images')).some((f) => f.startsWith(imageIdOf(2)))).toBe(false)
    await d.shutdown()
    const again = await boot(stateDir)
    expect(again.appStatus(APP)).toMatchObject({state: 'running', imageId: imageIdOf(1)})
    expect(again.appStatus(APP).update?.rolledBackFrom?.imageId).toBe(imageIdOf(2))
  })

  test('a new image that runs past the trial window is kept; the old one stays as the B slot', async () => {
    const d = await boot()
    await d.install(await version(1, true), {ab: true})
    await d.install(await version(3, true), {ab: true})
    await d.runFor(6_000)
    const st = d.appStatus(APP)
    expect(st).toMatchObject({state: 'running', imageId: imageIdOf(3)})
    expect(st.update).toEqual({previousImageId: imageIdOf(1), trialAttempts: undefined, rolledBackFrom: undefined})
    expect(d.updates.history().map((h) => h.action)).toEqual(['trial-start', 'confirmed'])
    expect(d.store.registry()[0]).toMatchObject({imageId: imageIdOf(3), previous: {imageId: imageIdOf(1)}})
    expect(d.store.registry()[0]!.trial).toBeUndefined()
    expect(d.store.verify()).toEqual([])
  })

  test('a plain install (not the update path) replaces the image in place: no B slot, no trial', async () => {
    const d = await boot()
    await d.install(await version(1, true))
    await d.install(await version(6, true))
    expect(d.store.registry()[0]).toMatchObject({imageId: imageIdOf(6)})
    expect(d.store.registry()[0]!.previous).toBeUndefined()
    expect(d.appStatus(APP).update).toBeUndefined()
  })

  test('a bad image installed over a bad one on trial rolls back to the last proven image', async () => {
    const d = await boot()
    await d.install(await version(1, true), {ab: true})
    await d.install(await version(4, false), {ab: true})
    await d.install(await version(5, false), {ab: true})
    expect(d.store.registry()[0]!.previous?.imageId).toBe(imageIdOf(1))
    await d.runFor(10_000)
    expect(d.appStatus(APP)).toMatchObject({state: 'running', imageId: imageIdOf(1)})
    expect(StateStore.open(d.store.root, {cacheDir: CACHE_DIR}).verify()).toEqual([])
  })
})

describe('OS A/B slots', () => {
  test('a staged OS image boots at the next restart; one that does not boot is rolled back', async () => {
    const stateDir = join(tmp.dir, 'os')
    let d = await boot(stateDir)
    expect(d.osVersion().version).toBe('25.02')
    const pending: unknown[] = []
    d.updates.on('update-pending', (u) => pending.push(u))
    d.updates.stageOs('25.03')
    expect(pending).toEqual([
      expect.objectContaining({updateType: 'system', version: '25.03', maxDeferralMinutes: 1440}),
    ])
    expect(d.osVersion().version).toBe('25.02') // until the restart
    await d.shutdown()
    d = await boot(stateDir)
    expect(d.osVersion().version).toBe('25.03')
    expect(d.updates.osState()).toMatchObject({active: 'b', slots: {a: {version: '25.02'}, b: {version: '25.03'}}})

    d.updates.stageOs('25.04', {bootable: false})
    await d.shutdown()
    d = await boot(stateDir)
    expect(d.osVersion().version).toBe('25.03')
    expect(d.updates.osState().rolledBackFrom).toMatchObject({
      version: '25.04',
      reason: 'failed to boot (image check failed)',
    })
    expect(d.updates.history().map((h) => `${h.action} ${h.version}`)).toEqual([
      'staged 25.03',
      'updated 25.03',
      'staged 25.04',
      'rolled-back 25.04',
    ])
    expect(d.updates.problems()).toEqual([])
    // the REST view (GET /sphere/updates) and the device log (GET /log) show it
    const backend = DeviceRestBackend.fromDevice(d, {stateDir})
    expect(backend.updateStatus()).toMatchObject({osVersion: '25.03', os: {active: 'b'}})
    expect(Buffer.from(backend.diagnosticLog()).toString()).toMatch(/update .* os rolled-back version 25\.04: failed to boot/)
    expect(existsSync(join(stateDir, 'os', 'slot-a.img'))).toBe(true)
  })
})
