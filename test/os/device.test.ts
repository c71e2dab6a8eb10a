import {afterEach, beforeEach, describe, expect, test} from '@jest/globals'
import {Device, Errno, NS_PER_MS, type OsEvent} from '../../src/os/index.js'
import {CACHE_DIR, appImage, cid, logged, tempDir} from './helpers.js'

let tmp: {dir: string; cleanup: () => void}
let dev: Device

beforeEach(async () => {
  tmp = tempDir()
  dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
})
afterEach(async () => {
  await dev.shutdown()
  tmp.cleanup()
})

const gpioTimes = (events: OsEvent[], gpio: number): [number, number][] =>
  events
    .filter((e): e is Extract<OsEvent, {type: 'gpio'}> => e.type === 'gpio' && e.gpio === gpio)
    .map((e) => [e.t / NS_PER_MS, e.level])

describe('Device', () => {
  test('identity, capabilities and manufacturing state persist across boots', async () => {
    const id = dev.deviceId()
    expect(id).toMatch(/^[0-9a-f]{128}$/)
    expect(dev.capabilities()).toEqual({names: ['appDevelopment'], codes: [11]})
    dev.setManufacturingState('Module1Complete')
    await dev.shutdown()
    dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    expect(dev.deviceId()).toBe(id)
    expect(dev.manufacturingState()).toBe('Module1Complete')
    expect(() => dev.setManufacturingState('Blank')).toThrow(/Module1Complete or DeviceComplete/)
  })

  test('blink app: LED1 red toggles at the right virtual times, installed app auto-starts after reboot', async () => {
    const events: OsEvent[] = []
    dev.subscribe((e) => events.push(e))
    const st = await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    expect(st.state).toBe('running')
    await dev.runFor(2250)
    expect(gpioTimes(events, 8)).toEqual(
      [
        [0, 1],
        [0, 0],
        [500, 1],
        [1000, 0],
        [1500, 1],
        [2000, 0],
      ].map(([t, l]) => [expect.closeTo(t!, 1), l]),
    )
    expect(dev.ledOn('LED1_RED')).toBe(true) // driven low = lit (active-low)
    expect(dev.listImages().components.map((c) => c.name)).toEqual(['Blink'])
    expect(dev.appLog(cid(1))).toContain('blink starting')
    await dev.shutdown()
    dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    expect(dev.appStatus(cid(1)).state).toBe('running')
  })

  test('GPIO not in the manifest is denied with EACCES and audited; used capabilities recorded', async () => {
    await dev.install(await appImage(2, 'HostileGpio', 'hostile-gpio', {Gpio: [8]}))
    await dev.runFor(100)
    const r = logged(dev.appLog(cid(2)))
    expect(r.gpio9).toBe(-Errno.EACCES)
    expect(r.gpio8).toBeGreaterThanOrEqual(3)
    expect(r.gpio99).toBe(-Errno.EACCES)
    const denied = dev.auditLog({componentId: cid(2), deniedOnly: true})
    expect(denied.map((a) => a.object)).toEqual(['gpio=9', 'gpio=99'])
    expect(denied[0]).toMatchObject({
      operation: 'gpio.open',
      allowed: false,
      errno: Errno.EACCES,
      reason: 'GPIO 9 is not in Capabilities.Gpio',
    })
    expect(dev.usedCapabilities(cid(2))).toEqual(['Gpio:8'])
  })

  test("an app cannot read another app's storage", async () => {
    await dev.install(await appImage(3, 'Victim', 'victim', {MutableStorage: {SizeKB: 8}}))
    await dev.install(await appImage(4, 'Thief', 'hostile-storage', {}))
    await dev.runFor(100)
    expect(logged(dev.appLog(cid(3)))).toEqual({'victim-fd': 3, 'victim-write': 0})
    const r = logged(dev.appLog(cid(4)))
    expect(r).toEqual({
      traversal: -Errno.EINVAL,
      path_open: Errno.EBADF,
      mutable: -Errno.EACCES,
      'read-ok': 0,
      'read-ebadf': 61,
    })
    expect(dev.appLog(cid(4))).not.toContain('SECRET')
    const denied = dev.auditLog({componentId: cid(4), deniedOnly: true}).map((a) => a.operation)
    expect(denied).toEqual(['storage.package-file', 'storage.open'])
    expect(dev.appQuota(cid(3))).toEqual({UsageKB: 1, LimitKB: 8})
  })

  test('writing past the storage quota fails with ENOSPC; the file stays at the quota', async () => {
    await dev.install(await appImage(5, 'Quota', 'hostile-quota', {MutableStorage: {SizeKB: 4}}))
    await dev.runFor(100)
    const writes = [...dev.appLog(cid(5)).matchAll(/^write=(-?\d+)$/gm)].map((m) => Number(m[1]))
    expect(writes).toEqual([0, 0, 0, 0, Errno.ENOSPC, Errno.ENOSPC])
    expect(dev.appQuota(cid(5))).toEqual({UsageKB: 4, LimitKB: 4})
    expect(dev.store.readMutable(cid(5))!.length).toBe(4096)
  })

  test('memory growth stops at 256 KiB; a module declaring more is refused at install', async () => {
    await dev.install(await appImage(6, 'Grow', 'hostile-memory', {}))
    await dev.runFor(100)
    const log = dev.appLog(cid(6))
    expect(log).toMatch(/^pages=4$/m)
    expect(log).toMatch(/^grow=-1$/m)
    expect(dev.memoryStats().apps.find((a) => a.componentId === cid(6))?.bytes).toBe(256 * 1024)
    await expect(dev.install(await appImage(7, 'Big', 'big-memory', {}))).rejects.toMatchObject({
      code: 'APP_MEMORY_TOO_LARGE',
    })
    expect(dev.appStatus(cid(7)).state).toBe('notPresent')
  })

  test('an infinite loop does not disturb another app’s timing', async () => {
    const events: OsEvent[] = []
    dev.subscribe((e) => events.push(e), ['gpio'])
    await dev.install(await appImage(8, 'Spin', 'spinner', {}))
    await dev.install(await appImage(9, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(3100)
    const toggles = gpioTimes(events, 8).slice(2)
    expect(toggles.length).toBe(6)
    toggles.forEach(([t], i) => {
      const lateness = t - 500 * (i + 1)
      expect(lateness).toBeGreaterThanOrEqual(0)
      expect(lateness).toBeLessThanOrEqual(2) // within about one 1 ms slice
    })
    expect(dev.appStatus(cid(8)).state).toBe('running')
    const spin = dev.apps.process(cid(8))!
    expect(spin.cpuNs).toBeGreaterThan(2_500 * NS_PER_MS) // the spinner got the rest of the CPU
  })

  test('out-of-bounds pointers give EFAULT and leave the kernel unharmed', async () => {
    await dev.install(await appImage(10, 'Efault', 'hostile-efault', {Gpio: [8]}))
    await dev.install(await appImage(11, 'Blink', 'blink', {Gpio: [9].concat([])}))
    await dev.runFor(100)
    const r = logged(dev.appLog(cid(10)))
    expect(r).toEqual({
      iovs: Errno.EFAULT,
      buf: Errno.EFAULT,
      len: Errno.EFAULT,
      log: -Errno.EFAULT,
      clock: Errno.EFAULT,
      gpio: -Errno.EFAULT,
      timer: -Errno.EFAULT,
      poll: Errno.EFAULT,
    })
    expect(dev.appStatus(cid(10)).state).toBe('running')
  })

  test('a trap kills only that app, which is restarted with exponential back-off', async () => {
    const events: OsEvent[] = []
    dev.subscribe((e) => events.push(e), ['process', 'app'])
    await dev.install(await appImage(12, 'Trap', 'trap', {}))
    await dev.install(await appImage(13, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(8000)
    const crashes = events.filter((e) => e.type === 'process' && e.componentId === cid(12) && e.state === 'crashed')
    expect(crashes.length).toBeGreaterThanOrEqual(3)
    expect((crashes[0] as {reason: string}).reason).toMatch(/^trap: memory access out of bounds/)
    // crash at 100 ms, restart after 1 s, crash 100 ms later, restart after 2 s, ...
    const at = crashes.map((e) => Math.round(e.t / NS_PER_MS))
    expect(at.slice(0, 3)).toEqual([100, 1200, 3300])
    expect(dev.appStatus(cid(13)).state).toBe('running')
    expect(dev.appStatus(cid(12)).restarts).toBeGreaterThanOrEqual(2)
  })

  test('stack exhaustion is a trap for that app only', async () => {
    await dev.install(await appImage(14, 'Recurse', 'recurse', {}))
    await dev.install(await appImage(15, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(50)
    const st = dev.appStatus(cid(14))
    expect(st.state).toBe('stopped')
    expect(st.crashReason).toMatch(/^trap: /)
    expect(dev.appStatus(cid(15)).state).toBe('running')
  })

  test('a syscall flood is contained: neighbours keep time, log and audit stay bounded', async () => {
    const gpio: OsEvent[] = []
    dev.subscribe((e) => gpio.push(e), ['gpio'])
    let logEvents = 0
    let dropped = 0
    dev.subscribe((e) => {
      if (e.type === 'log') logEvents++
      if (e.type === 'log-dropped') dropped += e.dropped
    })
    await dev.install(await appImage(16, 'Flood', 'flood', {}))
    await dev.install(await appImage(17, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(1050)
    const toggles = gpioTimes(gpio, 8).slice(2)
    expect(toggles.length).toBe(2)
    toggles.forEach(([t], i) => expect(t - 500 * (i + 1)).toBeLessThanOrEqual(2))
    const flood = dev.apps.process(cid(16))!
    expect(flood.syscalls).toBeGreaterThan(100_000)
    expect(dropped).toBeGreaterThan(0)
    expect(logEvents).toBeLessThan(2 * 200 + 20)
    expect(dev.appLog(cid(16)).length).toBeLessThanOrEqual(64 * 1024 + 100)
    expect(dev.auditLog().length).toBeLessThanOrEqual(10_000)
  })

  test('two apps side by side: separate uids, pids, fd tables and memory; totals add up', async () => {
    await dev.install(await appImage(18, 'Blink', 'blink', {Gpio: [8]}))
    await dev.install(await appImage(19, 'Button', 'button', {Gpio: [12, 15]}))
    await dev.runFor(300)
    const a = dev.appStatus(cid(18))
    const b = dev.appStatus(cid(19))
    expect(a.uid).not.toBe(b.uid)
    expect(a.pid).not.toBe(b.pid)
    expect(a.fds.map((f) => f.description)).toEqual(['stdin', 'stdout', 'stderr', 'gpio 8 (output)'])
    expect(b.fds.map((f) => f.kind)).toEqual(['stdio', 'stdio', 'stdio', 'gpio', 'gpio', 'timerfd', 'epoll'])
    const m = dev.memoryStats()
    expect(m.apps.map((x) => x.bytes).reduce((x, y) => x + y, 0)).toBe(m.memoryStats.currentMemoryUsageInBytes)
    expect(m.totals.totalBytes).toBe(m.totals.osBytes + m.totals.appsBytes)
    expect(m.totals.totalBytes).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(a.memoryBytes + b.memoryBytes).toBe(m.totals.appsBytes)
  })

  test('button input: the app sees presses; stop sends SIGTERM and the app exits cleanly', async () => {
    await dev.install(await appImage(20, 'Button', 'button', {Gpio: [12, 15]}))
    await dev.runFor(250)
    expect(dev.ledOn('LED2_RED')).toBe(false)
    dev.pressButton('A')
    await dev.runFor(250)
    expect(dev.ledOn('LED2_RED')).toBe(true)
    dev.releaseButton('A')
    await dev.runFor(250)
    dev.pressButton('A')
    await dev.runFor(250)
    const st = await dev.stopApp(cid(20))
    expect(st.state).toBe('stopped')
    expect(st.exitCode).toBe(0)
    expect(logged(dev.appLog(cid(20)))).toEqual({sigterm: 1 << 15, presses: 2})
  })

  test('an app that ignores SIGTERM is killed after the grace period', async () => {
    await dev.install(await appImage(21, 'Stubborn', 'stubborn', {}))
    await dev.runFor(100)
    const t0 = dev.kernel.now()
    const st = await dev.stopApp(cid(21))
    expect(st.state).toBe('stopped')
    expect(st.crashReason).toBe('killed by signal 9')
    expect((dev.kernel.now() - t0) / NS_PER_MS).toBeCloseTo(5000, -1)
    await dev.runFor(5000)
    expect(dev.appStatus(cid(21)).state).toBe('stopped') // a stop is not a crash: no restart
  })

  test('unimplemented imports return ENOSYS with one log line; kill of another pid and settime are denied', async () => {
    await dev.install(await appImage(22, 'Enosys', 'enosys', {}))
    await dev.runFor(50)
    const log = dev.appLog(cid(22))
    expect(logged(log)).toEqual({wifi: -Errno.ENOSYS, accept: Errno.ENOSYS, kill: -Errno.EPERM, settime: -Errno.EPERM})
    expect(log).toContain('applibs.deviceauth_get_certificate_path: not implemented (ENOSYS)')
    // calls the OS does not provide are audited as `syscall` denials, next to the LSM's own refusals
    expect(dev.auditLog({deniedOnly: true}).map((a) => a.operation).filter((o) => o !== 'syscall')).toEqual(['process.signal', 'time.set'])
    expect(dev.auditLog({deniedOnly: true}).filter((a) => a.operation === 'syscall').length).toBeGreaterThan(0)
  })

  test('imports outside the ABI are refused with a clear error', async () => {
    const bad = await appImage(23, 'Bad', 'blink', {Gpio: [8]})
    const {wat} = await import('./helpers.js')
    bad.files.set(
      'bin/app',
      await wat('(module (import "env" "evil" (func)) (memory (export "memory") 1) (func (export "_start")))'),
    )
    await expect(dev.install(bad)).rejects.toMatchObject({
      code: 'APP_BAD_IMPORT',
      message: expect.stringContaining('env.evil'),
    })
    const arm = await appImage(24, 'Arm', 'blink', {})
    arm.files.set('bin/app', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]))
    await expect(dev.install(arm)).rejects.toMatchObject({code: 'APP_NOT_WASM'})
  })

  test('uninstall removes the app, its storage and its image', async () => {
    await dev.install(await appImage(25, 'Victim', 'victim', {MutableStorage: {SizeKB: 8}}))
    await dev.runFor(50)
    expect(dev.store.readMutable(cid(25))).toBeDefined()
    await dev.uninstall(cid(25))
    expect(dev.appStatus(cid(25)).state).toBe('notPresent')
    expect(dev.store.readMutable(cid(25))).toBeUndefined()
    expect(dev.listImages().components).toEqual([])
    expect(dev.store.verify()).toEqual([])
  })
})
