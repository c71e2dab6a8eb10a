/**
 * The SDK's libc additions, end to end: test/fixtures/libc-probe (built with -Wall -Werror -Wformat and
 * ARM-style printf formats, checked as on the ARM target) runs on a fast-forward device and logs what each call
 * did: getifaddrs (AF_PACKET then AF_INET entries), setjmp/longjmp across a blocking call and 20 frames
 * (volatile locals keep their values), a jmp_buf set again in a loop, the Linux errno texts, a POSIX TZ with DST
 * rules (localtime, strftime %Z, tzname, timezone, daylight, mktime), getrusage, the last NTP sync, sigtimedwait
 * timing out and then taking SIGTERM, and a longjmp to a buffer no setjmp filled (SIGSEGV).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('the SDK libc on the simulator (libc-probe)', () => {
  let root: string
  let home: string
  let built: BuildResult
  let log = ''
  let finalLog = ''
  const events: OsEvent[] = []

  beforeAll(async () => {
    root = tempDir('sphere-libc-probe-')
    home = join(root, 'home')
    cpSync(join(repoRoot, 'test', 'fixtures', 'libc-probe'), join(root, 'probe'), {recursive: true})
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    built = await buildApp({dir: join(root, 'probe'), env, sphereHome: home})
    const dev = await Device.boot({
      stateDir: join(root, 'state'),
      clock: 'fast-forward',
      trust: loadTrustStore(home),
      cacheDir: join(root, 'app-cache'),
    })
    try {
      dev.subscribe((e) => events.push(e))
      const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
      await dev.runFor(1_000)
      log = dev.appLog(st.componentId)
      await dev.stopApp(st.componentId)
      await dev.runFor(500)
      finalLog = dev.appLog(st.componentId)
    } finally {
      await dev.shutdown()
    }
  }, 180_000)
  afterAll(() => removeDir(root))

  test('ARM-style formats build under -Werror with no format diagnostic and print the values', () => {
    expect(readFileSync(built.logFile, 'utf8')).not.toMatch(/format specifies|-Wformat/)
    expect(log).toContain('formats: ether_header=14 negative=-3 sizeof=64\n')
  })

  test('getifaddrs lists an AF_PACKET entry with the MAC per interface, then the AF_INET ones', () => {
    const mac = '6(?::[0-9a-f]{2}){6}'
    expect(log).toMatch(
      new RegExp(`\nifaddrs: rc=0 wlan0:packet:${mac} eth0:packet:${mac} wlan0:inet azspheresvc:inet\n`),
    )
  })

  test('longjmp from 20 frames down, after a blocking call, returns 42 from setjmp; volatile locals keep their value', () => {
    expect(log).toContain('setjmp: returned=42 passes=2 unwound=20\n')
    expect(log).toContain('setjmp loop: round=100\n')
  })

  test('errno names wasi-libc lacks have their Linux texts', () => {
    expect(log).toContain(
      'errno: ENODATA=No data available ETIME=Timer expired EAGAIN=Resource temporarily unavailable\n',
    )
  })

  test('TZ=CET-1CEST,M3.5.0,M10.5.0/3: summer and winter local times, zone names, timezone, daylight, mktime', () => {
    expect(log).toContain(
      'tz: summer=14:00 CEST dst=1 winter=13:00 CET dst=0 tzname=CET/CEST timezone=-3600 daylight=1 mktime=1719835200\n',
    )
  })

  test('getrusage reports the peak linear memory in KiB', () => {
    const m = /rusage: rc=0 maxrss_kib=(\d+)\n/.exec(log)
    expect(m).not.toBeNull()
    expect(Number(m![1])).toBeGreaterThanOrEqual(64)
    expect(Number(m![1])).toBeLessThanOrEqual(256)
  })

  test('Networking_TimeSync_GetLastNtpSyncInfo reports the default server and the sync time; a short buffer is ENOBUFS', () => {
    expect(log).toContain(
      'ntp: rc=0 server=prod.time.sphere.azure.net length=27 year_ok=1 small_rc=-1 errno=No buffer space available need=27\n',
    )
  })

  test('sigtimedwait times out with EAGAIN, then takes the SIGTERM of an app stop instead of dying of it', () => {
    expect(log).toContain('sigtimedwait: timeout rc=-1 errno=Resource temporarily unavailable\n')
    expect(log).toContain('waiting for SIGTERM\n')
    expect(log).not.toContain('sigtimedwait: got=')
    expect(finalLog).toContain('sigtimedwait: got=15 si_signo=15\n')
  })

  test('a longjmp to a buffer no setjmp filled ends the app with SIGSEGV', () => {
    const crash = events.find(
      (e): e is Extract<OsEvent, {type: 'process'}> => e.type === 'process' && e.state === 'crashed',
    )
    expect(crash?.reason).toBe('signal 11 (SIGSEGV): longjmp to a jmp_buf no setjmp filled')
  })
})
