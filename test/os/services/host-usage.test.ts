/**
 * What an app holds on the host side of the OS (fds, host sockets, socket buffers, its log ring) is counted per
 * app against the limit the OS enforces, and visible in the device's memory stats and GET /sphere/apps.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {Device} from '../../../src/os/index.js'
import {DeviceRestBackend} from '../../../src/os/rest/index.js'
import {appImage, CACHE_DIR, cid, tempDir} from '../helpers.js'

// 3 UDP sockets and 2 eventfds, then a 100-byte log line
const HOLDER = `(module
  (import "sphere" "socket" (func $socket (param i32 i32 i32) (result i32)))
  (import "sphere" "eventfd" (func $eventfd (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0x1000) "${'h'.repeat(99)}\\n")
  ;;@lib
  (func (export "_start")
    (drop (call $socket (i32.const 2) (i32.const 2) (i32.const 0)))
    (drop (call $socket (i32.const 2) (i32.const 2) (i32.const 0)))
    (drop (call $socket (i32.const 2) (i32.const 2) (i32.const 0)))
    (drop (call $eventfd (i32.const 0) (i32.const 0)))
    (drop (call $eventfd (i32.const 0) (i32.const 0)))
    (call $log_str (i32.const 0x1000) (i32.const 100))
    (call $sleep_forever)))`

describe('per-app host usage', () => {
  let tmp: {dir: string; cleanup: () => void}
  let backend: DeviceRestBackend
  let dev: Device

  beforeAll(async () => {
    tmp = tempDir('sphere-host-usage-')
    backend = await DeviceRestBackend.boot({
      stateDir: join(tmp.dir, 'state'),
      clock: 'fast-forward',
      cacheDir: CACHE_DIR,
      multiApp: true,
    })
    dev = backend.device
    await dev.install(await appImage(0x4a, 'Holder', HOLDER))
    await dev.install(
      await appImage(
        0x4b,
        'Idle',
        '(module (memory (export "memory") 1 1) ;;@lib\n (func (export "_start") (call $sleep_forever)))',
      ),
    )
    await dev.runFor(50)
  }, 60_000)
  afterAll(async () => {
    await backend.shutdown()
    tmp.cleanup()
  })

  test('the figures count what the app holds, with the limits', () => {
    const u = dev.hostUsage(cid(0x4a))
    expect(u.fds).toEqual({used: 3 + 5, limit: 256}) // stdin/out/err, 3 sockets, 2 eventfds
    expect(u.sockets).toEqual({used: 3, limit: 32})
    expect(u.bufferBytes).toEqual({used: 0, peak: 0, limit: 1024 * 1024})
    expect(u.logBytes.limit).toBe(64 * 1024)
    // its own line (100 B) plus the OS's "started ..." line
    expect(u.logBytes.used).toBeGreaterThanOrEqual(100)
    const idle = dev.hostUsage(cid(0x4b))
    expect(idle.fds.used).toBe(3)
    expect(idle.sockets.used).toBe(0)
    expect(idle.logBytes.used).toBeLessThan(u.logBytes.used)
  })

  test('memory stats and GET /sphere/apps carry them; the app flash shows installed and staged bytes', () => {
    const stats = dev.memoryStats()
    const holder = stats.apps.find((a) => a.componentId === cid(0x4a))
    expect(holder?.host.sockets.used).toBe(3)
    expect(stats.appFlash.installedBytes).toBe(dev.apps.installed().reduce((n, r) => n + r.sizeBytes, 0))
    expect(stats.appFlash.installedBytes).toBeGreaterThan(0)
    expect(stats.appFlash).toMatchObject({stagedBytes: 0, limit: 1024 * 1024})
    const info = backend.apps().find((a) => a.componentId === cid(0x4a))
    expect(info?.host?.fds.used).toBe(8)
    expect(info?.host?.sockets).toEqual({used: 3, limit: 32})
  })

  test('a stopped app holds nothing but its log', async () => {
    await dev.stopApp(cid(0x4a))
    const u = dev.hostUsage(cid(0x4a))
    expect(u.fds.used).toBe(0)
    expect(u.sockets.used).toBe(0)
    expect(u.logBytes.used).toBeGreaterThan(100)
  })
})
