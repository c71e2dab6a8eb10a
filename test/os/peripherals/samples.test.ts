/**
 * Issue 7 acceptance (peripherals): unmodified Azure Sphere samples, built with the C SDK and run on a
 * fast-forward simulated device, behave as their READMEs describe against the simulated world:
 * MutableStorage (button A writes/increments, B deletes), UART (loopback wire, and through a host PTY that a
 * test opens with serialport), ADC (the reading follows the world voltage), PWM (duty cycle steps observable in
 * the world and as events) and I2C / SPI with the simulated LSM6DS3 (the log shows the world's acceleration).
 * Each sample is built once for this file.
 */
import {describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {NS_PER_MS, type OsEvent} from '../../../src/os/index.js'
import {closeWorldBridges, setWorldPath, worldExtras, worldSettled} from '../../../src/os/services/world-file.js'
import {toolchainPresent} from '../../sdk/helpers.js'
import {sampleDevices} from '../samples/harness.js'

const d = toolchainPresent ? describe : describe.skip

const SAMPLES = {
  storage: 'Samples/MutableStorage',
  uart: 'Samples/UART/UART_HighLevelApp',
  adc: 'Samples/ADC/ADC_HighLevelApp',
  pwm: 'Samples/PWM/PWM_HighLevelApp',
  i2c: 'Samples/I2C/I2C_LSM6DS3_HighLevelApp',
  spi: 'Samples/SPI/SPI_LSM6DS3_HighLevelApp',
} as const

d('Azure Sphere peripheral samples on the simulator', () => {
  const {root, boot, install, press, events} = sampleDevices('sphere-periph-', SAMPLES, {beforeShutdown: (dv) => closeWorldBridges(dv.world)})

  test('MutableStorage: button A writes and increments a number that survives a restart; B deletes the file', async () => {
    const device = await boot('storage')
    const cid = await install(device, 'storage')
    await device.runFor(200)
    await press(device, 'A')
    await press(device, 'A')
    await device.stopApp(cid)
    device.startApp(cid)
    await device.runFor(200)
    await press(device, 'A')
    expect(device.appQuota(cid).UsageKB).toBeGreaterThan(0)
    await press(device, 'B')
    await press(device, 'A')
    const log = device.appLog(cid)
    const lines = log.split('\n').filter((l) => /mutable file/.test(l) && !/^Press/.test(l))
    expect(lines.map((l) => l.replace(/^.*?(Writing|Read|Successfully)/, '$1'))).toEqual([
      'Writing 1 to the mutable file',
      'Read 1 from the mutable file, updating to 2',
      'Read 2 from the mutable file, updating to 3',
      'Successfully deleted the mutable file!',
      'Writing 1 to the mutable file',
    ])
  })

  test('ADC: the sample reading follows the voltage set in the world (12 bits, 2.5 V reference)', async () => {
    const device = await boot('adc')
    const cid = await install(device, 'adc')
    setWorldPath(device.world, 'adc.0.0', 1.65)
    await device.runFor(2_100)
    setWorldPath(device.world, 'adc.0.0', 0.5)
    await device.runFor(1_000)
    setWorldPath(device.world, 'adc.0.0', 3.3) // above the reference: full scale
    await device.runFor(1_000)
    const readings = [...device.appLog(cid).matchAll(/The out sample value is ([0-9.]+) V/g)].map((m) => m[1])
    expect(readings).toEqual(['1.650', '1.650', '0.500', '2.500'])
    const extras = worldExtras(device.world) as {adc: {channels: {referenceVolts: number; sample: number}[]}[]}
    expect(extras.adc[0]!.channels[0]).toMatchObject({referenceVolts: 2.5, sample: 4095})
    expect(device.usedCapabilities(cid)).toContain('Adc:ADC-CONTROLLER-0')
  })

  test('PWM: the LED duty cycle steps by 1 µs every 100 ms, inversed polarity, observable in the world and as events', async () => {
    const device = await boot('pwm')
    await install(device, 'pwm')
    await device.runFor(550)
    const pwm = events().filter(
      (e): e is Extract<OsEvent, {type: 'peripheral'}> => e.type === 'peripheral' && e.path.startsWith('pwm.'),
    )
    // first all four channels are switched off, then channel 1 (LED1 green) steps up
    expect(pwm.slice(0, 4).map((e) => e.path)).toEqual(['pwm.2.0', 'pwm.2.1', 'pwm.2.2', 'pwm.2.3'])
    const steps = pwm.filter((e) => e.path === 'pwm.2.1').slice(1)
    expect(steps.map((e) => (e.value as {dutyNs: number}).dutyNs)).toEqual([1000, 2000, 3000, 4000, 5000])
    expect(steps.map((e) => Math.round(e.t / NS_PER_MS / 100))).toEqual([1, 2, 3, 4, 5])
    const state = (
      worldExtras(device.world).pwm as {
        channel: number
        periodNs: number
        dutyNs: number
        polarity: number
        enabled: boolean
        dutyPercent: number
      }[]
    ).find((p) => p.channel === 1)
    expect(state).toMatchObject({periodNs: 20_000, dutyNs: 5_000, polarity: 1, enabled: true, dutyPercent: 25})
  })

  test('I2C: the LSM6DS3 answers WHO_AM_I three ways and the log shows the world acceleration', async () => {
    const device = await boot('i2c')
    const cid = await install(device, 'i2c')
    await device.runFor(1_500)
    setWorldPath(device.world, 'sensors.lsm6ds3.accel.z', -0.5)
    await device.runFor(1_000)
    setWorldPath(device.world, 'sensors.lsm6ds3.accel', {z: 2.25})
    await device.runFor(1_000)
    const log = device.appLog(cid)
    expect(log).toContain('INFO: WHO_AM_I=0x69 (I2CMaster_WriteThenRead)')
    expect(log).toContain('INFO: WHO_AM_I=0x69 (I2CMaster_Write + I2CMaster_Read)')
    expect(log).toContain('INFO: WHO_AM_I=0x69 (POSIX read + write)')
    const g = [...log.matchAll(/vertical acceleration: (-?[0-9.]+)g/g)].map((m) => m[1])
    expect(g).toEqual(['1.00', '-0.50', '2.25'])
    expect(log).not.toContain('ERROR')
  })

  test('SPI: the same sensor over SPI (mode 3, TransferSequential) reports the world acceleration', async () => {
    const device = await boot('spi')
    const cid = await install(device, 'spi')
    setWorldPath(device.world, 'sensors.lsm6ds3.accel.z', 0.75)
    await device.runFor(2_500)
    const log = device.appLog(cid)
    expect(log).toMatch(/WHO_AM_I=0x69/)
    expect([...log.matchAll(/vertical acceleration: (-?[0-9.]+)g/g)].map((m) => m[1]).slice(0, 2)).toEqual([
      '0.75',
      '0.75',
    ])
    expect(log).not.toContain('ERROR')
  })

  test('UART with a loopback wire: button A sends "Hello world!" and the app receives it', async () => {
    const device = await boot('uart-loop')
    setWorldPath(device.world, 'uarts.ISU0', 'loopback')
    const cid = await install(device, 'uart')
    await device.runFor(100)
    await press(device, 'A')
    const log = device.appLog(cid)
    expect(log).toContain('Sent 13 bytes over UART in 1 calls.')
    expect(log).toContain("UART received 13 bytes: 'Hello world!\n'.")
    const uart = (worldExtras(device.world).uarts as {isu: string; settings: unknown; txBytes: number}[]).find(
      (u) => u.isu === 'ISU0',
    )
    expect(uart).toMatchObject({
      settings: {baudRate: 115200, dataBits: 8, parity: 0, stopBits: 1, flowControl: 0},
      txBytes: 13,
    })
  })

  test('UART through a host PTY: the test sees the app bytes on the PTY and the app receives what the test sends', async () => {
    const device = await boot('uart-pty')
    const link = join(root(), 'isu0-pty')
    setWorldPath(device.world, 'uarts.ISU0', {pty: link})
    await worldSettled(device.world)
    const cid = await install(device, 'uart')
    const {SerialPort} = await import('serialport')
    const host = new SerialPort({path: link, baudRate: 115200, autoOpen: false})
    await new Promise<void>((res, rej) => host.open((e) => (e ? rej(e) : res())))
    try {
      let got = ''
      host.on('data', (b: Buffer) => (got += b.toString()))
      await device.runFor(50)
      await press(device, 'A')
      for (let i = 0; i < 100 && !got.includes('\n'); i++) await device.runFor(20)
      expect(got).toBe('Hello world!\n')
      host.write('ping from host')
      for (let i = 0; i < 100 && !device.appLog(cid).includes('ping from host'); i++) await device.runFor(20)
      expect(device.appLog(cid)).toMatch(/UART received \d+ bytes: 'ping/)
      const received = [...device.appLog(cid).matchAll(/UART received \d+ bytes: '([^']*)'/g)].map((m) => m[1]).join('')
      expect(received).toBe('ping from host')
    } finally {
      await new Promise<void>((r) => host.close(() => r()))
    }
  })
})
