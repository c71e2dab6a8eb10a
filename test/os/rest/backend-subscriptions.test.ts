/**
 * The REST backend follows the device's events only as far as its subscribers need: with none streaming (a
 * fleet member, a daemon nobody watches) a blinking app's GPIO edges reach nobody, a crash-only subscriber
 * (the telemetry recorder, a fleet rollout) follows process events alone, and a stream subscriber gets
 * everything, again after a device restart.
 */
import {afterAll, afterEach, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {Device} from '../../../src/os/index.js'
import type {BackendEvent} from '../../../src/os/rest/backend.js'
import {DeviceRestBackend, createRestServer} from '../../../src/os/rest/index.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

const tmp = tempDir('sphere-backend-subs-')
let backend: DeviceRestBackend | undefined
afterEach(async () => {
  await backend?.shutdown()
  backend = undefined
})
afterAll(() => tmp.cleanup())

const following = (b: DeviceRestBackend) =>
  Object.fromEntries((['gpio', 'process', 'audit', 'log'] as const).map((t) => [t, b.device.kernel.bus.hasListeners(t)]))

describe('what the REST backend follows', () => {
  test('logs always; GPIO and audit only for stream subscribers; process events for a crash-only one', async () => {
    const dev = await Device.boot({stateDir: join(tmp.dir, 'a'), clock: 'fast-forward', cacheDir: CACHE_DIR})
    backend = DeviceRestBackend.fromDevice(dev, {stateDir: join(tmp.dir, 'a')})
    await dev.install(await appImage(1, 'blink', 'blink', {Gpio: [8]}), {start: true})
    expect(following(backend)).toEqual({gpio: false, process: false, audit: false, log: true})
    // the server's telemetry recorder asks for crashes only
    createRestServer(backend, {stateDir: join(tmp.dir, 'a-rest')})
    expect(following(backend)).toEqual({gpio: false, process: true, audit: false, log: true})
    // a stream: everything, and GPIO edges become world events
    const seen: BackendEvent['type'][] = []
    const off = backend.subscribe((e) => seen.push(e.type))
    expect(following(backend)).toEqual({gpio: true, process: true, audit: true, log: true})
    await dev.runFor(1_200)
    expect(seen).toContain('world')
    // it ends: back to what the crash-only subscriber needs, also across a restart
    off()
    expect(following(backend)).toEqual({gpio: false, process: true, audit: false, log: true})
    await backend.restart()
    expect(following(backend)).toEqual({gpio: false, process: true, audit: false, log: true})
  })

  test('a crash-only subscriber gets the crash and nothing else', async () => {
    const dev = await Device.boot({stateDir: join(tmp.dir, 'b'), clock: 'fast-forward', cacheDir: CACHE_DIR})
    backend = DeviceRestBackend.fromDevice(dev, {stateDir: join(tmp.dir, 'b')})
    const seen: BackendEvent[] = []
    backend.subscribe((e) => seen.push(e), ['crash'])
    await dev.install(await appImage(2, 'trap', 'trap'), {start: true})
    await dev.runFor(500)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((e) => e.type === 'crash' && e.componentId === cid(2))).toBe(true)
  })
})
