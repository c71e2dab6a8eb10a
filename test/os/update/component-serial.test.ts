/**
 * Install, uninstall, start and stop of one component are serialised: parallel clients of the device API
 * (real concurrent requests over the REST server's Unix socket) can never leave a process the application
 * manager does not track, and after the last delete no process of the component runs and its GPIO is free.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {packApplication, type AppManifest} from '../../../src/image/index.js'
import {
  createRestServer,
  DeviceRestBackend,
  listenUnix,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import {makeSigningKey, request, tempDir, until, type Target} from '../rest/helpers.js'
import {Device} from '../../../src/os/index.js'
import {appImage, CACHE_DIR, cid, wat} from '../helpers.js'

const CID = '5e71a100-0000-4000-8000-0000000000a4'
const GPIO = 8

/** Holds GPIO 8 and ignores SIGTERM, so every stop waits the whole grace period (the race window). */
const HOLDER = `(module
  (import "applibs" "gpio_open_output" (func $gpio_open_output (param i32 i32 i32) (result i32)))
  (import "sphere" "sig_register" (func $sigreg (param i32) (result i32)))
  (memory (export "memory") 1 4)
  ;;@lib
  (func (export "_start")
    (drop (call $gpio_open_output (i32.const ${GPIO}) (i32.const 0) (i32.const 1)))
    (drop (call $sigreg (i32.const 0x1800)))
    (loop $l (i32.store (i32.const 0x1800) (i32.const 0)) (call $sleep_ms (i32.const 20)) (br $l))))`

describe('component operations are serialised', () => {
  let tmp: {dir: string; cleanup: () => void}
  let backend: DeviceRestBackend
  let handler: RestHandler
  let unix: RestListener
  let t: Target
  let pkgs: Uint8Array[]

  beforeAll(async () => {
    tmp = tempDir('sphere-serial-')
    const {key, anchor} = makeSigningKey()
    backend = await DeviceRestBackend.boot({
      stateDir: join(tmp.dir, 'state'),
      clock: 'realtime',
      trust: [anchor],
      cacheDir: CACHE_DIR,
      stopGraceMs: 150,
    })
    handler = createRestServer(backend, {stateDir: join(tmp.dir, 'state'), name: 'serial', transport: 'unix'})
    unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
    t = {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')}
    const wasm = await wat(HOLDER)
    pkgs = [1, 2, 3].map((n) => {
      const manifest: AppManifest = {
        SchemaVersion: 1,
        Name: `Holder${n}`,
        ComponentId: CID,
        EntryPoint: '/bin/app',
        CmdArgs: [],
        Capabilities: {Gpio: [GPIO]},
        ApplicationType: 'Default',
      }
      return packApplication({manifest, files: {'bin/app': wasm}, key, buildDate: 1_700_000_000})
    })
  })
  afterAll(async () => {
    handler.controller.close()
    await unix.close()
    await backend.shutdown()
    tmp.cleanup()
  })

  const processesOf = () => backend.device.kernel.processes().filter((p) => p.componentId === CID && p.alive)

  const sideload = async (pkg: Uint8Array) => {
    const s = await request(t, 'PUT', '/update/stage', pkg)
    if (s.status !== 200) return s.status
    return (await request(t, 'POST', '/update/install', {appControlMode: 'Auto'})).status
  }

  test('parallel installs, deletes, starts and stops of one component leave no untracked process', async () => {
    expect(await sideload(pkgs[0]!)).toBe(200)
    await until(() => processesOf().length === 1)
    for (let round = 0; round < 4; round++) {
      await Promise.all([
        sideload(pkgs[0]!),
        sideload(pkgs[1]!),
        request(t, 'DELETE', `/app/image/${CID}`),
        sideload(pkgs[2]!),
        request(t, 'PATCH', `/app/status/${CID}`, {trigger: 'stop'}),
        sideload(pkgs[round % 3]!),
        request(t, 'PATCH', `/app/status/${CID}`, {trigger: 'start'}),
        request(t, 'DELETE', `/app/image/${CID}`),
        sideload(pkgs[1]!),
      ])
      // at most one live process of the component, and it is the one the application manager tracks
      const live = processesOf()
      expect(live.length).toBeLessThanOrEqual(1)
      expect(live.map((p) => p.pid)).toEqual(
        backend.device.apps.process(CID) ? [backend.device.apps.process(CID)!.pid] : [],
      )
    }
    expect((await request(t, 'DELETE', `/app/image/${CID}`)).status).toBe(200)
    expect(backend.device.appStatus(CID).state).toBe('notPresent')
    // nothing of it keeps running or holds its pin once the grace period of any stop is over
    await new Promise((r) => setTimeout(r, 400))
    expect(processesOf().map((p) => p.pid)).toEqual([])
    expect(backend.device.kernel.gpioOwners.has(GPIO)).toBe(false)
  }, 60_000)
})

describe('an entry replaced or removed leaves no timer behind', () => {
  test.each(['install (not started)', 'uninstall'])(
    'a crashed app waiting for its restart, then an %s: nothing of it starts again',
    async (what) => {
      const tmp = tempDir('sphere-serial-timer-')
      const dev = await Device.boot({stateDir: join(tmp.dir, 'state'), clock: 'fast-forward', cacheDir: CACHE_DIR})
      try {
        await dev.install(await appImage(0xa5, 'Trap', 'trap', {}))
        await dev.runFor(300) // crashed at 100 ms; the restart is due at 1,100 ms
        expect(dev.appStatus(cid(0xa5)).nextRestartAt).toBeDefined()
        if (what === 'uninstall') await dev.uninstall(cid(0xa5))
        else await dev.install(await appImage(0xa5, 'Blink', 'blink', {Gpio: [8]}), {start: false})
        const spawned: number[] = []
        dev.subscribe(
          (e) => {
            if (e.type === 'process' && e.componentId === cid(0xa5)) spawned.push(e.pid)
          },
          ['process'],
        )
        await dev.runFor(3000)
        expect(spawned).toEqual([])
        expect(
          dev.kernel
            .processes()
            .filter((p) => p.componentId === cid(0xa5))
            .map((p) => p.pid),
        ).toEqual([])
        expect(dev.appStatus(cid(0xa5)).state).toBe(what === 'uninstall' ? 'notPresent' : 'stopped')
      } finally {
        await dev.shutdown()
        tmp.cleanup()
      }
    },
    30_000,
  )
})
