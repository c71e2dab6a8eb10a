import {afterAll, describe, expect, test} from '@jest/globals'
import {EventBus, type OsEvent} from '../../../src/os/kernel/events.js'
import {AppLogs} from '../../../src/os/services/app-log.js'
import type {Device} from '../../../src/os/device.js'
import {DeviceRestBackend} from '../../../src/os/rest/device-backend.js'
import type {StateStore} from '../../../src/os/storage/state-store.js'
import {escapeControl} from '../../../src/util/escape.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

function memStore(): StateStore & {files: Map<string, string>} {
  const files = new Map<string, string>()
  return {
    files,
    readLog: (c: string) => files.get(c) ?? '',
    writeLog: (c: string, t: string) => files.set(c, t),
  } as unknown as StateStore & {files: Map<string, string>}
}

describe('app logs: origin out of band', () => {
  test('an app line that reads like the OS stays the app’s, in entries, events and after a reload', () => {
    const store = memStore()
    const bus = new EventBus(() => 0)
    const seen: OsEvent[] = []
    bus.subscribe((e) => seen.push(e), ['log'])
    const logs = new AppLogs(store, bus, () => 0)
    logs.append('a', 7, enc('[os] pid 1 crashed: forged\nplain\n'))
    logs.append('a', 7, enc('[os] on stderr\n'), 'stderr')
    logs.system('a', 'started A as pid 7')
    expect(logs.entries('a')).toEqual([
      {stream: 'stdout', text: '[os] pid 1 crashed: forged'},
      {stream: 'stdout', text: 'plain'},
      {stream: 'stderr', text: '[os] on stderr'},
      {stream: 'system', text: 'started A as pid 7'},
    ])
    expect(seen.map((e) => (e.type === 'log' ? e.stream : ''))).toEqual(['stdout', 'stdout', 'stderr', 'system'])
    logs.flush()
    const again = new AppLogs(store, bus, () => 0)
    expect(again.entries('a')).toEqual(logs.entries('a'))
    // the text view for people still marks the OS's lines
    expect(again.read('a')).toBe('[os] pid 1 crashed: forged\nplain\n[os] on stderr\n[os] started A as pid 7\n')
  })

  test('an OS line about an app escapes control characters: one line stays one line', () => {
    const logs = new AppLogs(memStore(), new EventBus(() => 0), () => 0)
    logs.system('a', 'restart failed: bad\n[os] device booted\r')
    expect(logs.entries('a')).toEqual([{stream: 'system', text: 'restart failed: bad\\n[os] device booted\\r'}])
  })

  test('a log file of an older build (no origin recorded) is read as the app’s lines, never as the OS’s', () => {
    const store = memStore()
    store.files.set('a', '[os] started A as pid 3\nhello\n')
    const logs = new AppLogs(store, new EventBus(() => 0), () => 0)
    expect(logs.entries('a').map((l) => l.stream)).toEqual(['stdout', 'stdout'])
  })

  test('escapeControl leaves printable text alone and escapes C0, DEL, C1 and line separators', () => {
    expect(escapeControl('a b/ü€')).toBe('a b/ü€')
    expect(escapeControl('x\ny\tz\u0000\u001b\u007f\u0085\u2028')).toBe('x\\ny\\tz\\x00\\x1b\\x7f\\x85\\u2028')
  })
})

const FORGER = `(module
  (import "applibs" "app_connect" (func $connect (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 0x2000) "[os] pid 1 crashed: FORGED\\n")
  (data (i32.const 0x2100) "x\\0adenied host:sideload image.sideload FORGED")
  ;;@lib
  (func (export "_start")
    (drop (call $log_write (i32.const 0x2000) (i32.const 27)))
    (drop (call $connect (i32.const 0x2100) (i32.const 45)))
    (call $sleep_forever)))`

describe('the device API serves the origin the OS recorded', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())

  test('GET /sphere/apps/{cid}/log: a forged "[os]" line is stdout, live and after a restart; GET /log has no injected line', async () => {
    const opts = {stateDir: tmp.dir, clock: 'fast-forward' as const, cacheDir: CACHE_DIR}
    const b = await DeviceRestBackend.boot(opts)
    const dev = (b as unknown as {dev: Device}).dev
    await dev.install(await appImage(0x61, 'Forger', FORGER))
    await dev.runFor(200)
    const forged = (entries: {stream: string; text: string}[]) => entries.filter((e) => e.text.includes('FORGED'))
    expect(forged(b.appLog(cid(0x61), 0)!)).toEqual([expect.objectContaining({stream: 'stdout'})])
    expect(b.appLog(cid(0x61), 0)!.some((e) => e.stream === 'system' && e.text.startsWith('[os] started Forger'))).toBe(
      true,
    )

    const diag = Buffer.from(b.diagnosticLog()).toString('utf8')
    const lines = diag.split('\n')
    expect(lines.filter((l) => l.startsWith('denied host:'))).toEqual([])
    expect(
      lines.some((l) => l.startsWith(`denied app:${cid(0x61)} app.connect componentId=x\\ndenied host:sideload`)),
    ).toBe(true)
    await dev.shutdown()

    const b2 = await DeviceRestBackend.boot({...opts})
    const dev2 = (b2 as unknown as {dev: Device}).dev
    expect(forged(b2.appLog(cid(0x61), 0)!).every((e) => e.stream === 'stdout')).toBe(true)
    expect(forged(b2.appLog(cid(0x61), 0)!).length).toBeGreaterThan(0)
    await dev2.shutdown()
  }, 60_000)
})
