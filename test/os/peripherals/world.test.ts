/**
 * The hardware models and the world API without apps: the LSM6DS3 register file (I2C and SPI framing, reset,
 * scaling), the UART line model (loopback timing, overruns, mismatched line settings), the world file format
 * (docs/world.md) and the REST world endpoints (GET / PATCH /sphere/world) with the new paths.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, rmSync} from 'node:fs'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {
  Device,
  Lsm6ds3,
  LSM6DS3_REG,
  UART_RX_BUFFER_BYTES,
  UartPort,
  World,
  defaultLsm6ds3Values,
} from '../../../src/os/index.js'
import {
  createRestServer,
  DeviceRestBackend,
  listenUnix,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import {
  applyWorldFile,
  closeWorldBridges,
  parseWorldFile,
  setWorldPath,
  worldExtras,
} from '../../../src/os/services/world-file.js'
import {OsError} from '../../../src/os/errors.js'
import {request, type Target} from '../rest/helpers.js'

const docsWorld = fileURLToPath(new URL('../../../docs/world.md', import.meta.url))

describe('LSM6DS3 register model', () => {
  const values = defaultLsm6ds3Values()
  const dev = new Lsm6ds3(() => values)
  const reg = (a: number, n = 1): number[] => {
    dev.write(Uint8Array.of(a))
    return [...dev.read(n)]
  }

  test('WHO_AM_I is 0x69; outputs read 0 and STATUS is clear while the sensors are powered down', () => {
    expect(reg(LSM6DS3_REG.WHO_AM_I)).toEqual([0x69])
    expect(reg(LSM6DS3_REG.STATUS_REG)).toEqual([0])
    expect(reg(LSM6DS3_REG.OUTX_L_XL, 6)).toEqual([0, 0, 0, 0, 0, 0])
  })

  test('accelerometer on (CTRL1_XL): STATUS has XLDA and TDA, outputs follow the world at the selected full scale', () => {
    dev.write(Uint8Array.of(LSM6DS3_REG.CTRL1_XL, 0x18)) // 12.5 Hz, +/-4 g (the samples' setting)
    values.accel = {x: 0.25, y: -0.5, z: 1}
    expect(reg(LSM6DS3_REG.STATUS_REG)).toEqual([0b101])
    const b = reg(LSM6DS3_REG.OUTX_L_XL, 6)
    const words = [0, 2, 4].map((i) => ((b[i]! | (b[i + 1]! << 8)) << 16) >> 16)
    expect(words).toEqual([Math.round(250 / 0.122), Math.round(-500 / 0.122), Math.round(1000 / 0.122)])
    values.temperature = 21.25
    const t = reg(LSM6DS3_REG.OUT_TEMP_L, 2)
    expect(((t[0]! | (t[1]! << 8)) << 16) >> 16).toBe(-60) // (21.25 - 25) * 16
  })

  test('a value beyond the full scale saturates at the int16 limit', () => {
    values.accel = {x: 0, y: 0, z: 9}
    const b = reg(LSM6DS3_REG.OUTZ_L_XL, 2)
    expect(((b[0]! | (b[1]! << 8)) << 16) >> 16).toBe(32767)
  })

  test('gyroscope: CTRL2_G selects 245..2000 dps and FS_125', () => {
    values.gyro = {x: 100, y: 0, z: -10}
    dev.write(Uint8Array.of(LSM6DS3_REG.CTRL2_G, 0x4c)) // 104 Hz, 2000 dps
    const b = reg(LSM6DS3_REG.OUTX_L_G, 6)
    expect(((b[0]! | (b[1]! << 8)) << 16) >> 16).toBe(Math.round(100000 / 70))
    dev.write(Uint8Array.of(LSM6DS3_REG.CTRL2_G, 0x42)) // FS_125
    const c = reg(LSM6DS3_REG.OUTX_L_G + 4, 2)
    expect(((c[0]! | (c[1]! << 8)) << 16) >> 16).toBe(Math.round(-10000 / 4.375))
  })

  test('CTRL3_C SW_RESET restores the defaults and clears itself; read-only registers ignore writes', () => {
    dev.write(Uint8Array.of(LSM6DS3_REG.WHO_AM_I, 0x00))
    expect(reg(LSM6DS3_REG.WHO_AM_I)).toEqual([0x69])
    dev.write(Uint8Array.of(LSM6DS3_REG.CTRL3_C, 0x01))
    expect(reg(LSM6DS3_REG.CTRL3_C)).toEqual([0x04])
    expect(reg(LSM6DS3_REG.CTRL1_XL)).toEqual([0])
  })

  test('SPI framing: bit 7 of the first byte selects a read; multi-byte reads auto-increment under one chip select', () => {
    const s = new Lsm6ds3(() => ({...defaultLsm6ds3Values(), accel: {x: 0, y: 0, z: -1}}))
    s.spiTransaction([{write: Uint8Array.of(LSM6DS3_REG.CTRL1_XL, 0x18)}])
    const [, who] = s.spiTransaction([{write: Uint8Array.of(0x80 | LSM6DS3_REG.WHO_AM_I)}, {readLen: 1}])
    expect([...who!]).toEqual([0x69])
    const [, z] = s.spiTransaction([{write: Uint8Array.of(0x80 | LSM6DS3_REG.OUTZ_L_XL)}, {readLen: 2}])
    expect(((z![0]! | (z![1]! << 8)) << 16) >> 16).toBe(Math.round(-1000 / 0.122))
  })
})

describe('UART line model', () => {
  const cfg = {baudRate: 115200, dataBits: 8, parity: 0, stopBits: 1, flowControl: 0}

  test('loopback: bytes arrive after their time on the wire (10 bits each at the configured baud rate)', () => {
    const p = new UartPort('ISU0')
    p.settings = {...cfg}
    p.setLoopback(true)
    p.transmit(new TextEncoder().encode('Hello'), 1_000)
    const wire = 5 * Math.ceil(10e9 / 115200)
    expect(p.readableAt()).toBe(1_000 + wire)
    expect(p.readable(1_000 + wire - 1)).toBe(false)
    expect(new TextDecoder().decode(p.read(64, 1_000 + wire))).toBe('Hello')
    p.settings = {...cfg, baudRate: 9600, parity: 1, stopBits: 2}
    expect(p.byteTimeNs()).toBe(Math.ceil(12e9 / 9600))
  })

  test('a closed port drops what arrives; a full receive buffer counts overruns', () => {
    const p = new UartPort('ISU1')
    p.inject(Uint8Array.of(1, 2, 3))
    expect(p.readable(0)).toBe(false)
    p.settings = {...cfg}
    p.inject(new Uint8Array(UART_RX_BUFFER_BYTES + 10))
    expect(p.stats.overruns).toBe(10)
    expect(p.read(UART_RX_BUFFER_BYTES * 2, 0).length).toBe(UART_RX_BUFFER_BYTES)
  })

  test('a peer expecting other line settings sees framing errors, not data', () => {
    const p = new UartPort('ISU2')
    const got: number[] = []
    p.attachPeer({description: 'test', settings: {baudRate: 9600}, receive: (d) => got.push(...d)})
    p.settings = {...cfg}
    p.transmit(Uint8Array.of(0x41, 0x42), 0)
    p.inject(Uint8Array.of(0x43))
    expect(got).toEqual([])
    expect(p.stats.framingErrors).toBe(3)
    p.settings = {...cfg, baudRate: 9600}
    p.transmit(Uint8Array.of(0x44), 0)
    expect(got).toEqual([0x44])
  })
})

describe('world file and world paths', () => {
  const example = (): string => {
    // the example in docs/world.md is the one tested here
    const md = readFileSync(docsWorld, 'utf8')
    const m = /```yaml\n([\s\S]*?)```/.exec(md)
    return m![1]!
  }

  test('the documented example applies: buttons, sensor values, ADC inputs, UART wiring, bus devices, RT apps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-world-'))
    const world = new World()
    try {
      applyWorldFile({world}, example().replaceAll('/tmp/sphere-isu1.log', join(dir, 'isu1.log')))
      expect(world.buttonPressed('B')).toBe(true)
      expect(world.sensors.lsm6ds3).toEqual({
        accel: {x: 0, y: 0.5, z: 0.87},
        gyro: {x: 0, y: 0, z: 12.5},
        temperature: 22.5,
      })
      expect(world.adc[0]!.volts.slice(0, 2)).toEqual([1.65, 0.4])
      expect(world.uarts.get('ISU0')!.wiring).toBe('loopback')
      expect(world.uarts.get('ISU1')!.wiring).toBe('peer')
      expect(world.busDevices()).toEqual(
        expect.arrayContaining([
          {bus: 'i2c', isu: 'ISU2', address: 0x6a, model: 'LSM6DS3'},
          {bus: 'i2c', isu: 'ISU3', address: 0x6b, model: 'LSM6DS3'},
        ]),
      )
      expect([...world.rtApps.keys()]).toEqual(['005180bc-402f-4cb3-a662-72937dbcde47'])
      const x = worldExtras(world) as {uarts: {isu: string; host?: string}[]}
      expect(x.uarts.find((u) => u.isu === 'ISU1')!.host).toBe(join(dir, 'isu1.log'))
    } finally {
      await closeWorldBridges(world)
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('bad files and paths are refused with one-line OsErrors', () => {
    const w = new World()
    const code = (f: () => void): string | undefined => {
      try {
        f()
      } catch (e) {
        return e instanceof OsError ? `${e.code}: ${e.message}` : String(e)
      }
      return undefined
    }
    expect(code(() => parseWorldFile('a: [1, 2'))).toMatch(/^WORLD_BAD_FILE/)
    expect(code(() => applyWorldFile({world: w}, 'lasers: on'))).toMatch(
      /^WORLD_BAD_PATH: unknown world file key lasers/,
    )
    expect(code(() => setWorldPath(w, 'adc.0.9', 1))).toMatch(/WORLD_BAD_PATH: no ADC channel 0.9/)
    expect(code(() => setWorldPath(w, 'adc.0.0', 'lots'))).toMatch(/must be a number/)
    expect(code(() => setWorldPath(w, 'sensors.lsm6ds3.accel.w', 1))).toMatch(/unknown world path/)
    expect(code(() => setWorldPath(w, 'uarts.ISU9', 'loopback'))).toMatch(/no UART ISU9/)
    expect(code(() => setWorldPath(w, 'buttons.Q', true))).toMatch(/no button Q/)
    expect(code(() => setWorldPath(w, 'rtApps.not-a-guid', 'echo'))).toMatch(/not a component ID/)
  })
})

describe('REST world endpoints on a device', () => {
  let dir: string
  let backend: DeviceRestBackend
  let handler: RestHandler
  let unix: RestListener
  let t: Target

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sphere-world-rest-'))
    backend = await DeviceRestBackend.boot({stateDir: dir, clock: 'fast-forward'})
    handler = createRestServer(backend, {stateDir: dir, name: 'world', transport: 'unix'})
    unix = await listenUnix(handler, join(dir, 'api.sock'))
    t = {kind: 'unix', socketPath: join(dir, 'api.sock')}
  })
  afterAll(async () => {
    handler.controller.close()
    await unix.close()
    await backend.shutdown()
    rmSync(dir, {recursive: true, force: true})
  })

  test('PATCH sets ADC volts, sensor values and UART wiring; GET shows them with the derived ADC sample', async () => {
    const r = await request(t, 'PATCH', '/sphere/world', {
      set: {
        'adc.0.0': 1.65,
        'sensors.lsm6ds3.temperature': 25.5,
        'sensors.lsm6ds3.accel.z': -1,
        'uarts.ISU0': 'loopback',
        'buttons.A': true,
      },
    })
    expect(r.status).toBe(200)
    const w = (await request(t, 'GET', '/sphere/world')).json() as {
      adc: {channels: {volts: number; sample: number}[]}[]
      sensors: {lsm6ds3: {temperature: number; accel: {z: number}}}
      uarts: {isu: string; wiring: string}[]
      buttons: {name: string; pressed: boolean}[]
      busDevices: unknown[]
      leds: unknown[]
    }
    expect(w.adc[0]!.channels[0]).toMatchObject({volts: 1.65, sample: Math.round((1.65 / 2.5) * 4095)})
    expect(w.sensors.lsm6ds3.temperature).toBe(25.5)
    expect(w.sensors.lsm6ds3.accel.z).toBe(-1)
    expect(w.uarts.find((u) => u.isu === 'ISU0')!.wiring).toBe('loopback')
    expect(w.buttons.find((b) => b.name === 'A')!.pressed).toBe(true)
    expect(w.busDevices.length).toBe(2)
    expect(w.leds.length).toBeGreaterThan(0)
    const bad = await request(t, 'PATCH', '/sphere/world', {set: {'adc.0.0': -3}})
    expect(bad.status).toBe(400)
    expect(bad.json()).toMatchObject({error: 15728642})
  })

  test("applyWorldFile works on the daemon's device object", () => {
    const dev: Device = backend.device
    applyWorldFile(dev, '{"adc": {"0": {"7": 2.5}}, "gpios": {"44": 0}}')
    expect(dev.world.adcSample(0, 7)).toBe(4095)
    expect(dev.pinLevel(44)).toBe(0)
  })
})
