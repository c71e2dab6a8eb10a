/**
 * The applibs peripheral and system calls end to end: one C probe app (test/os/peripherals/fixtures/probe.c),
 * built with the SDK, calls I2C / SPI / UART / ADC / PWM / Application_Connect / CertStore / WifiConfig /
 * clock_systohc / SysEvent / PowerManagement on a fast-forward device and logs each result; the test checks
 * the values against the world it set up, the errno of each refused call, the audit log, the update agent's
 * view of the app's deferral, and a reboot requested by the app.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, NS_PER_S} from '../../../src/os/index.js'
import {setWorldPath} from '../../../src/os/services/world-file.js'
import {buildApp, createApp, type BuildResult} from '../../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip
const PARTNER = '005180bc-402f-4cb3-a662-72937dbcde47'

/** name=value lines of a log, last value wins. */
function values(log: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of log.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0 && /^[a-z0-9_]+$/.test(line.slice(0, i))) m.set(line.slice(0, i), line.slice(i + 1))
  }
  return m
}

d('applibs peripheral and system calls (C probe app)', () => {
  let root: string
  let home: string
  let probe: BuildResult
  let dev: Device
  let cid: string
  let v: Map<string, string>

  beforeAll(async () => {
    root = tempDir('sphere-probe-')
    home = join(root, 'home')
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    const app = createApp({template: 'c-eventloop', name: 'Probe', dir: root})
    const pem = readFileSync(join(repoRoot, 'test/fixtures/image/keys/test-signer.cert.pem'), 'utf8')
    const src = readFileSync(join(repoRoot, 'test/os/peripherals/fixtures/probe.c'), 'utf8')
      .replaceAll('__ROOT_CA_PEM__', pem.replace(/\n/g, '\\n'))
      .replaceAll('__PARTNER__', PARTNER)
    writeFileSync(join(app.projectDir, 'main.c'), src)
    const manifestPath = join(app.projectDir, 'app_manifest.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {Capabilities: Record<string, unknown>}
    manifest.Capabilities = {
      Gpio: [12, 26],
      Uart: ['ISU0'],
      I2cMaster: ['ISU2'],
      SpiMaster: ['ISU2'],
      Adc: ['ADC-CONTROLLER-0'],
      Pwm: ['PWM-CONTROLLER-0'],
      AllowedApplicationConnections: [PARTNER],
      CertStore: true,
      WifiConfig: true,
      SystemEventNotifications: true,
      SoftwareUpdateDeferral: true,
      SystemTime: true,
      PowerControls: ['ForceReboot'],
    }
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
    probe = await buildApp({dir: app.projectDir, env, sphereHome: home})

    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    setWorldPath(dev.world, 'sensors.lsm6ds3.temperature', 30.5)
    setWorldPath(dev.world, 'sensors.lsm6ds3.accel', {x: 0.5, y: 0, z: -1})
    setWorldPath(dev.world, 'adc.0.3', 0.9)
    const st = await dev.installPackage(readFileSync(probe.apps[0]!.imagePackage), {start: true})
    cid = st.componentId
    for (let i = 0; i < 50 && !dev.appLog(cid).includes('ready=1'); i++) await dev.runFor(100)
    v = values(dev.appLog(cid))
  }, 300_000)
  afterAll(async () => {
    await dev?.shutdown()
    removeDir(root)
  })

  test('I2C: the LSM6DS3 reports the world values scaled to the selected full scale; an empty address is ENXIO', () => {
    expect(Number(v.get('i2c_open'))).toBeGreaterThanOrEqual(3)
    expect(v.get('i2c_nodev')).toBe('-60') // ENXIO: nobody acknowledged 0x50
    expect(v.get('i2c_whoami_n')).toBe('2')
    expect(v.get('i2c_whoami')).toBe(String(0x69))
    expect(v.get('i2c_temp_raw')).toBe(String((30.5 - 25) * 16)) // 16 LSB/°C around 25 °C
    expect(v.get('i2c_x_raw')).toBe(String(Math.round(500 / 0.061))) // +/-2 g: 0.061 mg/LSB
    expect(v.get('i2c_z_raw')).toBe(String(Math.round(-1000 / 0.061)))
  })

  test('ISUs are exclusive and manifest-checked; UART settings are validated and kept', () => {
    expect(v.get('spi_busy')).toBe('-10') // EBUSY: ISU2 is open as I2C
    expect(v.get('spi_denied')).toBe('-2') // EACCES: ISU1 is not in SpiMaster
    expect(v.get('uart_badbaud')).toBe('-28') // EINVAL
    expect(Number(v.get('uart_open'))).toBeGreaterThanOrEqual(3)
    expect(v.get('uart_denied')).toBe('-2')
    expect(v.get('gpio_on_uart_pin')).toBe('-10') // GPIO26 is ISU0's TX pin
    expect(dev.world.uarts.get('ISU0')!.settings).toMatchObject({baudRate: 9600, parity: 1, dataBits: 8})
    const denied = dev.auditLog({componentId: cid, deniedOnly: true}).map((r) => `${r.operation} ${r.object}`)
    expect(denied).toEqual(
      expect.arrayContaining([
        'spi.open isu=ISU1',
        'uart.open isu=ISU3',
        expect.stringMatching(/^app\.connect .*dead/),
      ]),
    )
  })

  test('ADC and PWM: reference voltage range, 12-bit samples, channel and duty checks', () => {
    expect(v.get('adc_bits')).toBe('12')
    expect(v.get('adc_badref')).toBe('-28')
    expect(v.get('adc_ref')).toBe('0')
    expect(v.get('adc_sample')).toBe(String(Math.round((0.9 / 1.8) * 4095)))
    expect(v.get('pwm_badduty')).toBe('-28')
    expect(v.get('pwm_badchannel')).toBe('-43') // ENODEV
    expect(v.get('pwm_apply')).toBe('0')
    expect(dev.world.pwm[0]![3]).toEqual({periodNs: 1000, dutyNs: 250, polarity: 0, enabled: true})
  })

  test('Application_Connect: a partner outside AllowedApplicationConnections is EACCES; the allowed one echoes', () => {
    expect(v.get('app_denied')).toBe('-2')
    expect(Number(v.get('app_connect'))).toBeGreaterThanOrEqual(3)
    expect(v.get('app_send')).toBe('19')
    expect(v.get('app_recv')).toBe('19')
    expect(v.get('app_echo')).toBe('hl-app-to-rt-app-01')
  })

  test('CertStore and WifiConfig calls work on the stores the REST API serves', () => {
    expect(v.get('cert_install')).toBe('0')
    expect(v.get('cert_count')).toBe('1')
    expect(v.get('cert_id')).toBe('probeca')
    expect(v.get('cert_subject')).toBe('0')
    expect(v.get('cert_subject_name')).toMatch(/CN=/)
    expect(Number(v.get('cert_notbefore_year'))).toBeGreaterThanOrEqual(2020)
    expect(v.get('cert_move')).toBe('0')
    expect(v.get('cert_missing')).toBe('-44') // ENOENT: it was moved
    expect(dev.system.certStore.list()).toEqual(['movedca'])
    for (const k of ['wifi_add', 'wifi_ssid', 'wifi_sec', 'wifi_psk', 'wifi_enable', 'wifi_name', 'wifi_persist'])
      expect(`${k}=${v.get(k)}`).toBe(`${k}=0`)
    expect(v.get('wifi_count')).toBe('1')
    expect(v.get('wifi_byname')).toBe('0')
    expect(v.get('wifi_scan')).toBe('3')
    expect(v.get('wifi_scanned')).toBe('3')
    expect(v.get('wifi_first')).toBe('SphereSim-PSK')
    expect(v.get('wifi_connected')).toBe('-53') // ENOTCONN
    expect(dev.system.wifiConfig.list()).toEqual([
      expect.objectContaining({ssid: 'ProbeNet', securityState: 'psk', configState: 'enabled', configName: 'probe'}),
    ])
  })

  test('clock_systohc saves the system time to the RTC', () => {
    expect(v.get('rtc')).toBe('0')
    expect(dev.world.rtcNs).toBeGreaterThan(Date.UTC(2024, 0, 1) * 1e6)
  })

  test('SysEvent: an update announced by the update agent reaches the app, which defers it 10 minutes', async () => {
    expect(v.get('sysevent_register')).toBe('0')
    dev.updates.announce({updateType: 'system', version: '99.1'})
    await dev.runFor(100)
    const log = dev.appLog(cid)
    expect(log).toContain('sysevent=1 status=1 type=2 max=1440') // UpdateReadyForInstall, Pending, System
    expect(log).toContain('defer=0')
    expect(log).toContain('sysevent=1 status=3 type=2 max=1440') // Deferred
    const until = dev.system.events.deferredUntil()!
    expect(Math.round((until - dev.kernel.now()) / NS_PER_S / 60)).toBe(10)
    expect(dev.updates.pending()[0]!.deferredUntil).toBeGreaterThan(Date.now() + 9 * 60_000)
  })

  test('PowerManagement_ForceSystemReboot: apps get SIGTERM, exit, and start again after the reboot', async () => {
    dev.pressButton('A')
    await dev.runFor(50)
    dev.releaseButton('A')
    for (let i = 0; i < 50 && dev.appLog(cid).split('probe start').length < 3; i++) await dev.runFor(100)
    const log = dev.appLog(cid)
    expect(log).toContain('reboot=0')
    expect(log.indexOf('probe exit')).toBeGreaterThan(log.indexOf('reboot=0'))
    expect(log.split('probe start').length).toBe(3) // started twice
    expect(dev.appStatus(cid).state).toBe('running')
    expect(dev.appStatus(cid).restarts).toBe(0)
  })
})
