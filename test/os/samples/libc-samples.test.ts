/**
 * Issue 14 acceptance (libc part): unmodified Azure Sphere samples that need the POSIX pieces wasi-libc lacks
 * build with the C SDK and behave on a fast-forward simulated device as their READMEs describe:
 * - DHCP: the one-argument Networking_IpConfig_ReleaseIp / RenewIp; button A releases the address (the
 *   interface stays connected without one), button B renews it (getifaddrs shows it again).
 * - ErrorReporting Stage 1: button A dereferences NULL; the app dies of SIGSEGV (the NULL-page guard) and the
 *   error report describes the crash as a device does (exit_status=11; signal_status=11; signal_code=3), in the
 *   error-report telemetry the device's REST API serves (GET /telemetry).
 * - IntercoreComms (high-level app): setsockopt(SO_RCVTIMEO) on the Application_Connect socket succeeds; with
 *   no real-time app in the world the partner echoes, so the app's messages come back every second.
 * - SystemTime: setenv("TZ", "PST+8") + tzset(): localtime is UTC - 8 h and tzname[0] is "PST".
 */
import {describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import type {OsEvent} from '../../../src/os/index.js'
import {DeviceRestBackend, createRestServer, listenUnix} from '../../../src/os/rest/index.js'
import {appCrashDescription} from '../../../src/os/services/telemetry.js'
import {toolchainPresent} from '../../sdk/helpers.js'
import {request} from '../rest/helpers.js'
import {sampleDevices} from './harness.js'

const d = toolchainPresent ? describe : describe.skip

const SAMPLES = {
  dhcp: 'Samples/DHCP',
  errors: 'Tutorials/ErrorReporting/Stage1',
  intercore: 'Samples/IntercoreComms/IntercoreComms_HighLevelApp',
  time: 'Samples/SystemTime',
} as const

d('Azure Sphere samples that need the SDK libc additions', () => {
  const {root, boot, install, press, events} = sampleDevices('sphere-libc-samples-', SAMPLES, {settleMs: 1_500})

  test('DHCP: button A releases the IP address, button B renews it', async () => {
    const device = await boot('dhcp')
    const cid = await install(device, 'dhcp')
    await device.runFor(2_000)
    await press(device, 'A')
    await press(device, 'B')
    const lines = device
      .appLog(cid)
      .split('\n')
      .filter((l) => l.startsWith('INFO: ') || l.startsWith('ERROR: '))
    const connected =
      /^INFO: Network interface 'wlan0' is connected to the Internet \(local IP address \[(\d+\.\d+\.\d+\.\d+)\]\)\.$/
    const first = lines.findIndex((l) => connected.test(l))
    expect(first).toBeGreaterThanOrEqual(0)
    const ip = connected.exec(lines[first]!)![1]
    expect(lines.slice(first)).toEqual([
      `INFO: Network interface 'wlan0' is connected to the Internet (local IP address [${ip}]).`,
      'INFO: Successfully released the IP address.',
      "INFO: Network interface 'wlan0' is connected to the network (no IP address assigned).",
      'INFO: Successfully renewed the IP address.',
      `INFO: Network interface 'wlan0' is connected to the Internet (local IP address [${ip}]).`,
    ])
    expect(ip).not.toBe('')
  })

  test('ErrorReporting Stage 1: the NULL read kills the app with SIGSEGV, reported as AppCrash signal 11', async () => {
    const device = await boot('errors')
    // the device's REST API, as the daemon serves it: its error-report telemetry records the crash
    const backend = DeviceRestBackend.fromDevice(device, {stateDir: join(root(), 'rest-errors')})
    const socketPath = join(root(), 'rest-errors.sock')
    const rest = await listenUnix(createRestServer(backend, {}), socketPath)
    const cid = await install(device, 'errors')
    await device.runFor(1_000)
    expect(device.appStatus(cid).state).toBe('running')
    await press(device, 'A')
    const crash = events().find(
      (e): e is Extract<OsEvent, {type: 'process'}> => e.type === 'process' && e.state === 'crashed',
    )
    expect(crash?.reason).toMatch(/^signal 11 \(SIGSEGV\)/)
    expect(device.appLog(cid)).toMatch(/\[os\] pid \d+ crashed: signal 11 \(SIGSEGV\)/)
    const imageId = device.appStatus(cid).imageId
    const description = `AppCrash (exit_status=11; signal_status=11; signal_code=3; component_id=${cid}; image_id=${imageId})`
    expect(appCrashDescription(cid, imageId, crash!.reason!)).toBe(description)
    const reply = await request({kind: 'unix', socketPath}, 'GET', '/telemetry')
    await rest.close()
    expect(reply.status).toBe(200)
    // "ST", version 1, the data length (big-endian), then one JSON line per report
    expect([...reply.body.subarray(0, 3)]).toEqual([0x53, 0x54, 0x01])
    expect(reply.body.readUInt16BE(3)).toBe(reply.body.length - 5)
    const reports = reply.body
      .subarray(5)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as {kind: string; componentId?: string; description?: string})
    expect(reports.filter((r) => r.kind === 'app-crash' && r.componentId === cid).map((r) => r.description)).toEqual([
      description,
    ])
    // as on a device deployed without a debugger, the OS restarts it
    await device.runFor(2_000)
    expect(device.appLog(cid).match(/Error Reporting application starting\./g)?.length).toBeGreaterThanOrEqual(2)
  })

  test('IntercoreComms: setsockopt(SO_RCVTIMEO) on the Application_Connect socket works; the echo partner answers', async () => {
    const device = await boot('intercore')
    const cid = await install(device, 'intercore')
    await device.runFor(3_500)
    const log = device.appLog(cid)
    expect(log).not.toContain('ERROR')
    const sent = [...log.matchAll(/^Sending: (.+)$/gm)].map((m) => m[1])
    const received = [...log.matchAll(/^Received (\d+) bytes: (.+)$/gm)].map((m) => [Number(m[1]), m[2]])
    expect(sent.length).toBeGreaterThanOrEqual(3)
    expect(received.slice(0, 3)).toEqual(sent.slice(0, 3).map((s) => [s!.length, s]))
    expect(device.appStatus(cid).state).toBe('running')
  })

  test('SystemTime: TZ=PST+8 makes localtime UTC - 8 h and names the zone PST', async () => {
    const device = await boot('time')
    const cid = await install(device, 'time')
    await device.runFor(500)
    const log = device.appLog(cid)
    const after = log.slice(log.indexOf('Setting local time zone to: PST+8'))
    const utc = /UTC: +(.+)$/m.exec(after)![1]!
    const local = /Local time: +(.+) (\S+)$/m.exec(after)!
    expect(local[2]).toBe('PST')
    const ms = (s: string): number => Date.parse(`${s.replace(/^\w+ /, '')} UTC`)
    expect(ms(utc) - ms(local[1]!)).toBe(8 * 3600_000)
    const before = log.slice(0, log.indexOf('Setting local time zone'))
    expect(before).toMatch(/Local time: +.+ UTC$/m)
  })
})
