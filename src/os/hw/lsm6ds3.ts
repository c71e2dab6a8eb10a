/**
 * The ST LSM6DS3 accelerometer/gyroscope the I2C and SPI samples talk to (mt3620-hardware.md 4.9), as a
 * register file. Output registers are computed from the world's sensor values at read time, scaled by the
 * full-scale range the app selected in CTRL1_XL / CTRL2_G, so an app reads what a real part would report.
 */

/** Physical quantities around the sensor: acceleration in g, angular rate in degrees/s, temperature in °C. */
export interface Lsm6ds3Values {
  accel: {x: number; y: number; z: number}
  gyro: {x: number; y: number; z: number}
  temperature: number
}

export function defaultLsm6ds3Values(): Lsm6ds3Values {
  // Lying flat on a desk at room temperature: 1 g on Z.
  return {accel: {x: 0, y: 0, z: 1}, gyro: {x: 0, y: 0, z: 0}, temperature: 25}
}

export const LSM6DS3_I2C_ADDRESS = 0x6a
export const LSM6DS3_WHO_AM_I_VALUE = 0x69

export const LSM6DS3_REG = {
  WHO_AM_I: 0x0f,
  CTRL1_XL: 0x10,
  CTRL2_G: 0x11,
  CTRL3_C: 0x12,
  CTRL4_C: 0x13,
  STATUS_REG: 0x1e,
  OUT_TEMP_L: 0x20,
  OUT_TEMP_H: 0x21,
  OUTX_L_G: 0x22,
  OUTX_L_XL: 0x28,
  OUTZ_L_XL: 0x2c,
  OUTZ_H_XL: 0x2d,
} as const

/** Accelerometer sensitivity in mg/LSB per FS_XL (CTRL1_XL bits 3:2): 00 ±2 g, 01 ±16 g, 10 ±4 g, 11 ±8 g. */
const XL_MG_PER_LSB = [0.061, 0.488, 0.122, 0.244]
/** Gyroscope sensitivity in mdps/LSB per FS_G (CTRL2_G bits 3:2): 245, 500, 1000, 2000 dps; FS_125 (bit 1) 4.375. */
const G_MDPS_PER_LSB = [8.75, 17.5, 35, 70]
/** OUT_TEMP: 16 LSB/°C, 0 at 25 °C. */
const TEMP_LSB_PER_C = 16
const TEMP_OFFSET_C = 25

/** Registers an app may write (control registers); everything else is read-only or reserved. */
const WRITABLE = new Set([0x01, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, ...range(0x10, 0x19)])

function range(a: number, b: number): number[] {
  const out: number[] = []
  for (let i = a; i <= b; i++) out.push(i)
  return out
}

function int16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)))
}

/** A device on an I2C or SPI bus, addressed by register. */
export interface RegisterDevice {
  readonly model: string
  /** Read `len` bytes starting at the address pointer (auto-incrementing). */
  read(len: number): Uint8Array
  /** Bytes of one write: the first sets the address pointer, the rest are written from there on. */
  write(data: Uint8Array): void
  /** SPI framing: first byte = register address, bit 7 set for a read. Returns the bytes clocked out. */
  spiTransaction(transfers: readonly {write?: Uint8Array; readLen?: number}[]): Uint8Array[]
}

export class Lsm6ds3 implements RegisterDevice {
  readonly model = 'LSM6DS3'
  private readonly regs = new Uint8Array(0x80)
  private pointer = 0

  constructor(private readonly values: () => Lsm6ds3Values) {
    this.reset()
  }

  /** Power-on / software-reset defaults. */
  reset(): void {
    this.regs.fill(0)
    this.regs[LSM6DS3_REG.WHO_AM_I] = LSM6DS3_WHO_AM_I_VALUE
    this.regs[LSM6DS3_REG.CTRL3_C] = 0x04 // IF_INC: register address auto-increments
  }

  /** Register value as a read would return it now. */
  register(addr: number): number {
    const a = addr & 0x7f
    if (a === LSM6DS3_REG.STATUS_REG) return this.status()
    if (a >= LSM6DS3_REG.OUT_TEMP_L && a <= LSM6DS3_REG.OUTZ_H_XL) {
      const word = this.outputWord(a & ~1)
      return a & 1 ? (word >> 8) & 0xff : word & 0xff
    }
    return this.regs[a]!
  }

  read(len: number): Uint8Array {
    const out = new Uint8Array(len)
    for (let i = 0; i < len; i++) {
      out[i] = this.register(this.pointer)
      this.advance()
    }
    return out
  }

  write(data: Uint8Array): void {
    if (data.length === 0) return
    this.pointer = data[0]! & 0x7f
    for (let i = 1; i < data.length; i++) {
      this.writeRegister(this.pointer, data[i]!)
      this.advance()
    }
  }

  spiTransaction(transfers: readonly {write?: Uint8Array; readLen?: number}[]): Uint8Array[] {
    let reading = false
    let first = true
    const out: Uint8Array[] = []
    for (const t of transfers) {
      if (t.write) {
        for (const b of t.write) {
          if (first) {
            first = false
            reading = (b & 0x80) !== 0
            this.pointer = b & 0x7f
          } else if (!reading) {
            this.writeRegister(this.pointer, b)
            this.advance()
          }
        }
        out.push(new Uint8Array(0))
      } else {
        const n = t.readLen ?? 0
        // Before an address byte the part drives nothing (reads as 0xff); after a read command it shifts out data.
        out.push(reading && !first ? this.read(n) : new Uint8Array(n).fill(0xff))
      }
    }
    return out
  }

  private advance(): void {
    if (this.regs[LSM6DS3_REG.CTRL3_C]! & 0x04) this.pointer = (this.pointer + 1) & 0x7f
  }

  private writeRegister(addr: number, v: number): void {
    if (!WRITABLE.has(addr)) return
    if (addr === LSM6DS3_REG.CTRL3_C && v & 0x81) {
      // SW_RESET (bit 0) / BOOT (bit 7): restore defaults; both bits clear themselves.
      this.reset()
      return
    }
    this.regs[addr] = v
  }

  private xlOn(): boolean {
    return this.regs[LSM6DS3_REG.CTRL1_XL]! >> 4 !== 0
  }

  private gyroOn(): boolean {
    return this.regs[LSM6DS3_REG.CTRL2_G]! >> 4 !== 0
  }

  /** STATUS_REG: XLDA (bit 0), GDA (bit 1), TDA (bit 2): new data is always ready while a sensor runs. */
  private status(): number {
    const xl = this.xlOn()
    const g = this.gyroOn()
    return (xl ? 1 : 0) | (g ? 2 : 0) | (xl || g ? 4 : 0)
  }

  private outputWord(addr: number): number {
    const v = this.values()
    if (addr === LSM6DS3_REG.OUT_TEMP_L) {
      if (!this.xlOn() && !this.gyroOn()) return 0
      return int16((v.temperature - TEMP_OFFSET_C) * TEMP_LSB_PER_C) & 0xffff
    }
    if (addr >= LSM6DS3_REG.OUTX_L_XL) {
      if (!this.xlOn()) return 0
      const mg = XL_MG_PER_LSB[(this.regs[LSM6DS3_REG.CTRL1_XL]! >> 2) & 3]!
      const axis = [v.accel.x, v.accel.y, v.accel.z][(addr - LSM6DS3_REG.OUTX_L_XL) >> 1]!
      return int16((axis * 1000) / mg) & 0xffff
    }
    if (!this.gyroOn()) return 0
    const c2 = this.regs[LSM6DS3_REG.CTRL2_G]!
    const mdps = c2 & 0x02 ? 4.375 : G_MDPS_PER_LSB[(c2 >> 2) & 3]!
    const axis = [v.gyro.x, v.gyro.y, v.gyro.z][(addr - LSM6DS3_REG.OUTX_L_G) >> 1]!
    return int16((axis * 1000) / mdps) & 0xffff
  }
}
