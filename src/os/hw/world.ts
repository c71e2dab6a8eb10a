import {MT3620_RDB, type Board} from './board.js'
import {ADC_CONTROLLERS, ISU_NAMES, PWM_CONTROLLERS, isGpioId} from './chip.js'
import {Lsm6ds3, LSM6DS3_I2C_ADDRESS, defaultLsm6ds3Values, type Lsm6ds3Values, type RegisterDevice} from './lsm6ds3.js'
import {UartPort} from './uart.js'

export type Level = 0 | 1

const MAX_GPIO = 128
/** Change times kept per pin, and how far back before the last change they count for its period. */
const RING = 16
const PERIOD_WINDOW_NS = 5_000 * 1e6

/** A change the world reports: a pin changed level (driven by an app or by the outside). */
export interface PinChange {
  gpio: number
  level: Level
  /** `app` when an app drove an output, `external` when the host (a test, the monitor) drove it. */
  source: 'app' | 'external'
}

/** A PWM channel's applied state (PWM_Apply). */
export interface PwmChannelState {
  periodNs: number
  dutyNs: number
  /** 0 normal (high during the duty time), 1 inversed. */
  polarity: 0 | 1
  enabled: boolean
}

/** A change of a peripheral-side value (not a GPIO level): `path` is the world path, e.g. `pwm.2.1`. */
export interface PeripheralChange {
  path: string
  value: unknown
  source: 'app' | 'external'
}

/** A simulated real-time app an Application_Connect can reach. */
export interface RtAppPartner {
  componentId: string
  /** `echo` sends every message back; `sink` swallows them. */
  behavior: 'echo' | 'sink'
  /** High-level apps it accepts (its own AllowedApplicationConnections); undefined = any. */
  allowedApps?: string[]
}

/** Nominal ADC reference (the MT3620 2.5 V rail) and resolution. */
export const ADC_DEFAULT_REFERENCE_VOLTS = 2.5
export const ADC_SAMPLE_BITS = 12

/**
 * The physical world around the chip: the level of every GPIO pin, what the board's buttons do,
 * and whether its LEDs are lit. Apps change outputs through the kernel; hosts press buttons here.
 */
export class World {
  readonly board: Board
  /** Per GPIO: -1 = never set (reads high), else the level. Arrays keep the syscall path cheap. */
  private readonly levels = new Int8Array(MAX_GPIO).fill(-1)
  private readonly outputs = new Uint8Array(MAX_GPIO)
  /**
   * Per GPIO: level changes since the world was made, and the virtual time (ns) of the last one (-1: never).
   * A monitor compares two readings to tell a steady pin from a blinking one and measure its rate, however
   * seldom it looks (a level sampled once a frame aliases: 8 toggles a second look steady at 1 frame/s).
   */
  private readonly changes = new Uint32Array(MAX_GPIO)
  private readonly lastChangeNs = new Float64Array(MAX_GPIO).fill(-1)
  /** Per GPIO: the virtual times (ns) of its last RING changes, a ring indexed by the change count. */
  private readonly recent = new Float64Array(MAX_GPIO * RING)
  /** The virtual clock (ns since boot) of the kernel that runs this world; set by the kernel. */
  clock: () => number = () => 0
  private readonly listeners = new Set<(c: PinChange) => void>()
  private readonly peripheralListeners = new Set<(c: PeripheralChange) => void>()

  /** Values around the LSM6DS3 sensor(s) on the board (all attached LSM6DS3 parts read these). */
  readonly sensors: {lsm6ds3: Lsm6ds3Values} = {lsm6ds3: defaultLsm6ds3Values()}
  /** Per ADC controller: the voltage on each channel's pin and the reference set by the app (volts). */
  readonly adc: {volts: number[]; referenceVolts: number[]}[] = ADC_CONTROLLERS.map((c) => ({
    volts: c.gpios.map(() => 0),
    referenceVolts: c.gpios.map(() => ADC_DEFAULT_REFERENCE_VOLTS),
  }))
  /** Per PWM controller and channel: the last applied state (undefined = never applied). */
  readonly pwm: (PwmChannelState | undefined)[][] = PWM_CONTROLLERS.map((c) => c.gpios.map(() => undefined))
  /**
   * Where bytes from the host (a PTY bridged to a UART) enter the device: the booted device's kernel
   * (record / replay, Kernel.hostInput). Unset: applied at once.
   */
  hostGate?: (input: {source: string; object: string; event: string; args?: unknown[]}, apply: () => void) => void
  /** One UART per ISU. */
  readonly uarts: ReadonlyMap<string, UartPort> = new Map(ISU_NAMES.map((n) => [n, new UartPort(n)]))
  /** Simulated real-time apps (by lower-case component ID). */
  readonly rtApps = new Map<string, RtAppPartner>()
  /** CLOCK_REALTIME (ns since 1970) last saved to the RTC by clock_systohc, if ever. */
  rtcNs: number | undefined
  /** The power profile last set by PowerManagement_SetSystemPowerProfile (0 saver, 1 balanced, 2 performance). */
  powerProfile = 2
  private readonly i2c = new Map<string, Map<number, RegisterDevice>>()
  private readonly spi = new Map<string, Map<number, RegisterDevice>>()
  /** Exclusive resources (ISUs, controllers) -> owner (pid). */
  private readonly claims = new Map<string, number>()

  constructor(board: Board = MT3620_RDB) {
    this.board = board
    // Unconnected inputs read high (pull-ups); buttons are released; LEDs are off (pins high).
    // The RDB sample wiring: an LSM6DS3 on ISU2 as I2C (address 0x6A) and on ISU1 as SPI (chip select A).
    this.attachI2c('ISU2', LSM6DS3_I2C_ADDRESS, this.newLsm6ds3())
    this.attachSpi('ISU1', -1, this.newLsm6ds3())
  }

  // ---- buses -------------------------------------------------------------------------------------------

  /** A new LSM6DS3 whose outputs follow `sensors.lsm6ds3`. */
  newLsm6ds3(): Lsm6ds3 {
    return new Lsm6ds3(() => this.sensors.lsm6ds3)
  }

  attachI2c(isu: string, address: number, dev: RegisterDevice): void {
    if (!ISU_NAMES.includes(isu)) throw new RangeError(`no ${isu} on the MT3620 (ISU0-ISU4)`)
    if (!Number.isInteger(address) || address < 0 || address > 0x7f)
      throw new RangeError(`bad 7-bit I2C address ${address}`)
    let bus = this.i2c.get(isu)
    if (!bus) this.i2c.set(isu, (bus = new Map()))
    bus.set(address, dev)
  }

  detachI2c(isu: string, address: number): void {
    this.i2c.get(isu)?.delete(address)
  }

  i2cDevice(isu: string, address: number): RegisterDevice | undefined {
    return this.i2c.get(isu)?.get(address)
  }

  /** `chipSelect` as the app passes it: -1 (CS A) or -2 (CS B). */
  attachSpi(isu: string, chipSelect: number, dev: RegisterDevice): void {
    if (!ISU_NAMES.includes(isu)) throw new RangeError(`no ${isu} on the MT3620 (ISU0-ISU4)`)
    if (chipSelect !== -1 && chipSelect !== -2) throw new RangeError(`SPI chip select must be A (-1) or B (-2)`)
    let bus = this.spi.get(isu)
    if (!bus) this.spi.set(isu, (bus = new Map()))
    bus.set(chipSelect, dev)
  }

  detachSpi(isu: string, chipSelect: number): void {
    this.spi.get(isu)?.delete(chipSelect)
  }

  spiDevice(isu: string, chipSelect: number): RegisterDevice | undefined {
    return this.spi.get(isu)?.get(chipSelect)
  }

  /** Every bus device, for `world show`. */
  busDevices(): {bus: 'i2c' | 'spi'; isu: string; address: number; model: string}[] {
    const out: {bus: 'i2c' | 'spi'; isu: string; address: number; model: string}[] = []
    for (const [isu, m] of this.i2c) for (const [address, d] of m) out.push({bus: 'i2c', isu, address, model: d.model})
    for (const [isu, m] of this.spi) for (const [address, d] of m) out.push({bus: 'spi', isu, address, model: d.model})
    return out.sort((a, b) => a.bus.localeCompare(b.bus) || a.isu.localeCompare(b.isu) || a.address - b.address)
  }

  // ---- exclusive resources --------------------------------------------------------------------------------

  /** Take an ISU or controller for `owner`; false when someone holds it. */
  claim(resource: string, owner: number): boolean {
    if (this.claims.has(resource)) return false
    this.claims.set(resource, owner)
    return true
  }

  release(resource: string): void {
    this.claims.delete(resource)
  }

  claimedBy(resource: string): number | undefined {
    return this.claims.get(resource)
  }

  // ---- analog and PWM -------------------------------------------------------------------------------------

  /** Set the voltage on an ADC input (the host: a potentiometer, a sensor). */
  setAdcVolts(controller: number, channel: number, volts: number): void {
    const c = this.adc[controller]
    if (!c || channel < 0 || channel >= c.volts.length || !Number.isInteger(channel))
      throw new RangeError(`no ADC channel ${controller}.${channel} (ADC 0, channels 0-7)`)
    if (!Number.isFinite(volts) || volts < 0 || volts > 5) throw new RangeError(`ADC input must be 0-5 V, not ${volts}`)
    c.volts[channel] = volts
    this.notePeripheral(`adc.${controller}.${channel}`, volts, 'external')
  }

  /** One conversion: the channel voltage against its reference, as a 12-bit sample (clamped to full scale). */
  adcSample(controller: number, channel: number): number {
    const c = this.adc[controller]!
    const ref = c.referenceVolts[channel]!
    const max = (1 << ADC_SAMPLE_BITS) - 1
    return Math.max(0, Math.min(max, Math.round((c.volts[channel]! / ref) * max)))
  }

  applyPwm(controller: number, channel: number, state: PwmChannelState): void {
    this.pwm[controller]![channel] = {...state}
    this.notePeripheral(`pwm.${controller}.${channel}`, {...state}, 'app')
  }

  // ---- change notifications -----------------------------------------------------------------------------

  onPeripheral(fn: (c: PeripheralChange) => void): () => void {
    this.peripheralListeners.add(fn)
    return () => this.peripheralListeners.delete(fn)
  }

  notePeripheral(path: string, value: unknown, source: PeripheralChange['source']): void {
    for (const fn of this.peripheralListeners) fn({path, value, source})
  }

  /** Current level of a pin: the driven output level, an external level, or high (pulled up). */
  level(gpio: number): Level {
    const l = this.levels[gpio]
    return l === 0 ? 0 : 1
  }

  /** An app's output drives the pin. */
  driveOutput(gpio: number, level: Level): void {
    this.outputs[gpio] = 1
    if (this.levels[gpio] !== level) this.set(gpio, level, 'app')
  }

  /** The pin is no longer driven by an app (its fd closed): it keeps its last level, as a latch would. */
  releaseOutput(gpio: number): void {
    this.outputs[gpio] = 0
  }

  isDriven(gpio: number): boolean {
    return this.outputs[gpio] === 1
  }

  /** The outside drives a pin (a wire on a header, a sensor). Ignored while an app drives it as output. */
  driveExternal(gpio: number, level: Level): void {
    if (!isGpioId(gpio)) throw new RangeError(`no GPIO ${gpio} on the MT3620`)
    if (this.outputs[gpio] === 1) return
    this.set(gpio, level, 'external')
  }

  pressButton(name: string): void {
    const b = this.button(name)
    this.driveExternal(b.gpio, b.activeLow ? 0 : 1)
  }

  releaseButton(name: string): void {
    const b = this.button(name)
    this.driveExternal(b.gpio, b.activeLow ? 1 : 0)
  }

  buttonPressed(name: string): boolean {
    const b = this.button(name)
    return this.level(b.gpio) === (b.activeLow ? 0 : 1)
  }

  /** Whether an LED (by board name, e.g. `LED1_RED`) is lit. */
  ledOn(name: string): boolean {
    const led = this.board.leds.find((l) => l.name === name)
    if (!led) throw new RangeError(`no LED ${name} on ${this.board.name}`)
    return this.level(led.gpio) === (led.activeLow ? 0 : 1)
  }

  /** Snapshot of every pin that is not at its default (high) level or is driven by an app. */
  snapshot(): {gpio: number; level: Level; driven: boolean}[] {
    const out: {gpio: number; level: Level; driven: boolean}[] = []
    for (let gpio = 0; gpio < MAX_GPIO; gpio++) {
      if (this.levels[gpio] !== -1 || this.outputs[gpio] === 1)
        out.push({gpio, level: this.level(gpio), driven: this.outputs[gpio] === 1})
    }
    return out
  }

  onChange(fn: (c: PinChange) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private button(name: string) {
    const b = this.board.buttons.find((x) => x.name.toUpperCase() === name.toUpperCase())
    if (!b) throw new RangeError(`no button ${name} on ${this.board.name}`)
    return b
  }

  /**
   * Level changes of a pin so far, the virtual time (ns) of the last one (-1: none yet), and the mean time
   * between its recent changes (ns; undefined unless at least 3 changes fall within PERIOD_WINDOW_NS before the
   * last one): a pin toggled every 125 ms reports 125 ms, i.e. blinks at 4 Hz.
   */
  transitions(gpio: number): {count: number; lastNs: number; periodNs?: number} {
    const count = this.changes[gpio] ?? 0
    const lastNs = this.lastChangeNs[gpio] ?? -1
    let first = lastNs
    let n = 1
    for (let k = 1; k < Math.min(count, RING); k++) {
      const t = this.recent[gpio * RING + ((count - 1 - k) % RING)]!
      if (lastNs - t > PERIOD_WINDOW_NS) break
      first = t
      n++
    }
    return n >= 3 ? {count, lastNs, periodNs: (lastNs - first) / (n - 1)} : {count, lastNs}
  }

  private set(gpio: number, level: Level, source: PinChange['source']): void {
    if (this.levels[gpio] === level) return
    // a pin never set reads high: driving it high is no change of level
    if (this.level(gpio) !== level) {
      const t = this.clock()
      this.recent[gpio * RING + (this.changes[gpio]! % RING)] = t
      this.changes[gpio]!++
      this.lastChangeNs[gpio] = t
    }
    this.levels[gpio] = level
    for (const fn of this.listeners) fn({gpio, level, source})
  }
}
