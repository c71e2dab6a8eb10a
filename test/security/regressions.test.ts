/**
 * Regression tests for the bugs the security suite found (each also has its attack in the catalogue):
 * - AppMemory.ok wrapped kernel-computed lengths past 2^32 (epoll_wait maxevents * 16 passed as 16 bytes);
 * - (one fd_write with 1024 iovecs naming the same memory made the kernel copy 256 MiB: catalogue a32);
 * - an app that cannot start (bad unwind area) made every later boot fail;
 * - a downgrade reached the staging area over REST.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import fc from 'fast-check'
import {join} from 'node:path'
import {packApplication, signingKeyFromPem, trustAnchorFromPem} from '../../src/image/index.js'
import {Device} from '../../src/os/index.js'
import {AppMemory} from '../../src/os/runtime/memory.js'
import {DeviceRestBackend, createRestServer, listenUnix} from '../../src/os/rest/index.js'
import {generateKeyPairSync} from 'node:crypto'
import {CACHE_DIR, appImage, cid, tempDir, wat} from '../os/helpers.js'
import {request} from '../os/rest/helpers.js'

describe('AppMemory.ok', () => {
  const mem = new AppMemory()
  const size = 65536
  mem.attach({buffer: new ArrayBuffer(size), grow: () => -1})

  test('app i32 pointers and lengths are unsigned; kernel-computed lengths are never wrapped', () => {
    fc.assert(
      fc.property(
        fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}),
        fc.oneof(fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}), fc.integer({min: 0, max: 2 ** 40})),
        (ptr, len) => {
          const p = ptr >>> 0
          const l = len < 0 ? len >>> 0 : len
          expect(mem.ok(ptr, len)).toBe(p + l <= size)
        },
      ),
      {numRuns: 20000},
    )
    // the epoll_wait case: 0x10000001 events of 16 bytes
    expect(mem.ok(0xfff0, 0x10000001 * 16)).toBe(false)
    expect(mem.ok(0, Infinity)).toBe(false)
  })
})

describe('boot survives an app that cannot start', () => {
  let tmp: {dir: string; cleanup: () => void}
  beforeAll(() => {
    tmp = tempDir('sphere-sec-reg-')
  })
  afterAll(() => tmp.cleanup())

  test('an installed app whose unwind area is out of bounds is logged at boot, the rest start', async () => {
    const stateDir = join(tmp.dir, 's')
    let dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    const bad = await appImage(2, 'BadUnwind', 'blink', {})
    bad.files.set(
      'bin/app',
      await wat(`(module (import "wasi_snapshot_preview1" "poll_oneoff" (func $p (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1 1)
        (func (export "sphere_unwind_area") (result i32) (i32.const 0xfffffc00))
        (func (export "sphere_unwind_size") (result i32) (i32.const 8192))
        (func (export "_start") (drop (call $p (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))`),
    )
    await expect(dev.install(bad)).rejects.toMatchObject({code: 'APP_NO_UNWIND_AREA'})
    await dev.shutdown()
    dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    try {
      expect(dev.appStatus(cid(1)).state).toBe('running')
      expect(dev.appStatus(cid(2)).state).toBe('stopped')
      expect(dev.appLog(cid(2))).toMatch(/not started at boot: .*unwind area/)
    } finally {
      await dev.shutdown()
    }
  })

  test('a downgrade is refused at stage time over REST (403) and nothing is staged', async () => {
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    const key = signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), 'reg')
    const anchor = trustAnchorFromPem(publicKey.export({type: 'spki', format: 'pem'}).toString(), 'reg')
    const stateDir = join(tmp.dir, 'r')
    const backend = await DeviceRestBackend.boot({
      stateDir,
      clock: 'fast-forward',
      cacheDir: CACHE_DIR,
      trust: [anchor],
    })
    const handler = createRestServer(backend, {stateDir, transport: 'unix'})
    const sock = join(tmp.dir, 'r.sock')
    const l = await listenUnix(handler, sock)
    try {
      const wasm = await wat('blink')
      const m = {
        SchemaVersion: 1,
        Name: 'R',
        ComponentId: cid(9),
        EntryPoint: '/bin/app',
        CmdArgs: [],
        Capabilities: {Gpio: [8]},
        ApplicationType: 'Default' as const,
      }
      const t = {kind: 'unix' as const, socketPath: sock}
      expect(
        (
          await request(
            t,
            'PUT',
            '/update/stage',
            packApplication({manifest: m, files: {'bin/app': wasm}, key, buildDate: 2000}),
          )
        ).status,
      ).toBe(200)
      expect((await request(t, 'POST', '/update/install', {appControlMode: 'Auto'})).status).toBe(200)
      const old = await request(
        t,
        'PUT',
        '/update/stage',
        packApplication({manifest: m, files: {'bin/app': wasm}, key, buildDate: 1999}),
      )
      expect(old.status).toBe(403)
      expect(old.json()).toEqual({error: 7340050}) // "Image could not be staged"
      expect(((await request(t, 'GET', '/images')).json() as {has_staged_updates: boolean}).has_staged_updates).toBe(
        false,
      )
    } finally {
      handler.controller.close()
      await l.close()
      await backend.shutdown()
    }
  })
})
