import type {RegisterDevice} from '../../hw/lsm6ds3.js'
import type {UartLineSettings, UartPort} from '../../hw/uart.js'
import type {World} from '../../hw/world.js'
import {Errno} from '../../kernel/errno.js'
import {KObject, StreamObject} from '../../kernel/objects.js'
import type {HostUsage} from '../../kernel/process.js'
import {HOST_LIMITS, LimitAudit, chargeBytes, releaseBytes} from '../sockets.js'
import type {SysEventRecord, SysEventSubscription} from './host.js'

/** Kernel objects behind the peripheral fds (one per open; closing the last fd releases the resource). */

/** errno values the WASI table has but src/os/kernel/errno.ts does not list. */
export const ENXIO = 60
export const ERANGE = 68
export const EMSGSIZE = 35

/** An open UART: always non-blocking (UART_BlockingMode_NonBlocking is the only mode). */
export class UartObject extends StreamObject {
  readonly kind = 'uart' as const
  private readonly unsubscribe: () => void

  constructor(
    readonly port: UartPort,
    readonly settings: UartLineSettings,
    notify: (o: UartObject) => void,
    private readonly onClose: () => void,
  ) {
    super()
    this.nonblock = true
    port.settings = settings
    this.unsubscribe = port.onReadable(() => notify(this))
    this.hostBacked = port.wiring === 'peer'
  }

  readBytes(max: number, now: number): Uint8Array | number {
    const data = this.port.read(max, now)
    return data.length > 0 ? data : -Errno.EAGAIN
  }

  writeBytes(data: Uint8Array, now: number): number {
    return this.port.transmit(data, now)
  }

  override readable(now: number): boolean {
    this.hostBacked = this.port.wiring === 'peer'
    return this.port.readable(now)
  }

  override writable(): boolean {
    return true
  }

  override readableAt(): number {
    return this.port.readableAt()
  }

  override close(): void {
    this.unsubscribe()
    this.port.settings = undefined
    this.port.flush()
    this.onClose()
  }

  override describe(): string {
    const s = this.settings
    const parity = ['N', 'E', 'O'][s.parity] ?? '?'
    return `uart ${this.port.isu} ${s.baudRate} ${s.dataBits}${parity}${s.stopBits}${s.flowControl === 1 ? ' rtscts' : s.flowControl === 2 ? ' xonxoff' : ''}`
  }
}

/** Bus time of `bytes` bytes at `hz` with `bitsPerByte` clocks each, in ns. */
export function busTimeNs(bytes: number, hz: number, bitsPerByte: number): number {
  return Math.ceil((bytes * bitsPerByte * 1e9) / Math.max(1, hz))
}

/** An open I2C master interface. read/write on the fd address the default target. */
export class I2cObject extends StreamObject {
  readonly kind = 'i2c' as const
  busSpeedHz = 100_000
  timeoutMs = 1_000
  defaultAddress: number | undefined

  constructor(
    readonly world: World,
    readonly isu: string,
    private readonly onClose: () => void,
  ) {
    super()
  }

  /** One combined transaction (write, repeated start, read). Returns the bytes read or -errno. */
  transfer(address: number, write: Uint8Array | undefined, readLen: number): Uint8Array | number {
    if (!Number.isInteger(address) || address < 0 || address > 0x7f) return -Errno.EINVAL
    const dev: RegisterDevice | undefined = this.world.i2cDevice(this.isu, address)
    if (!dev) return -ENXIO // nobody acknowledges the address
    if (write && write.length > 0) dev.write(write)
    return readLen > 0 ? dev.read(readLen) : new Uint8Array(0)
  }

  /** Bus time of one transaction: address byte(s) + data, 9 clocks per byte. */
  durationNs(writeLen: number, readLen: number): number {
    const frames = (writeLen > 0 ? 1 + writeLen : 0) + (readLen > 0 ? 1 + readLen : 0)
    return busTimeNs(frames, this.busSpeedHz, 9)
  }

  readBytes(max: number): Uint8Array | number {
    if (this.defaultAddress === undefined) return -Errno.EINVAL
    return this.transfer(this.defaultAddress, undefined, max)
  }

  writeBytes(data: Uint8Array): number {
    if (this.defaultAddress === undefined) return -Errno.EINVAL
    const r = this.transfer(this.defaultAddress, data, 0)
    return typeof r === 'number' ? r : data.length
  }

  override readable(): boolean {
    return true
  }

  override writable(): boolean {
    return true
  }

  override close(): void {
    this.onClose()
  }

  override describe(): string {
    return `i2c master ${this.isu} ${this.busSpeedHz} Hz`
  }
}

function reverseBits(b: number): number {
  let r = 0
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i)
  return r
}

export interface SpiTransferSpec {
  write?: Uint8Array
  readLen?: number
}

/** An open SPI master interface on one chip select. */
export class SpiObject extends StreamObject {
  readonly kind = 'spi' as const
  busSpeedHz = 1_000_000
  /** SPI_Mode: 1 = mode 0 (the initial setting) ... 4 = mode 3. */
  mode = 1
  /** SPI_BitOrder: 1 LSB first, 2 MSB first (initial). */
  bitOrder = 2

  constructor(
    readonly world: World,
    readonly isu: string,
    readonly chipSelect: number,
    /** SPI_ChipSelectPolarity: 1 active low, 2 active high. */
    readonly csPolarity: number,
    private readonly onClose: () => void,
  ) {
    super()
  }

  /**
   * One transaction under one chip-select assertion. The LSM6DS3 samples in SPI modes 0 and 3 with MSB first,
   * active-low chip select; other settings garble the bits as they would on a wire.
   */
  transaction(transfers: readonly SpiTransferSpec[]): Uint8Array[] {
    const dev = this.world.spiDevice(this.isu, this.chipSelect)
    const floating = (): Uint8Array[] => transfers.map((t) => new Uint8Array(t.readLen ?? 0).fill(0xff))
    if (!dev || this.csPolarity !== 1) return floating()
    if (this.mode !== 1 && this.mode !== 4) return floating()
    const lsb = this.bitOrder === 1
    const conv = (d: Uint8Array): Uint8Array => (lsb ? d.map(reverseBits) : d)
    const out = dev.spiTransaction(transfers.map((t) => (t.write ? {write: conv(t.write)} : {readLen: t.readLen})))
    return out.map(conv)
  }

  durationNs(bytes: number): number {
    return busTimeNs(bytes, this.busSpeedHz, 8)
  }

  readBytes(max: number): Uint8Array | number {
    return this.transaction([{readLen: max}])[0]!
  }

  writeBytes(data: Uint8Array): number {
    this.transaction([{write: data}])
    return data.length
  }

  override readable(): boolean {
    return true
  }

  override writable(): boolean {
    return true
  }

  override close(): void {
    this.onClose()
  }

  override describe(): string {
    return `spi master ${this.isu} cs ${this.chipSelect === -1 ? 'A' : 'B'} ${this.busSpeedHz} Hz mode ${this.mode - 1}`
  }
}

export class AdcObject extends KObject {
  readonly kind = 'adc' as const
  constructor(
    readonly controller: number,
    private readonly onClose: () => void,
  ) {
    super()
  }
  override close(): void {
    this.onClose()
  }
  override describe(): string {
    return `adc controller ${this.controller}`
  }
}

export class PwmObject extends KObject {
  readonly kind = 'pwm' as const
  constructor(
    readonly controller: number,
    private readonly onClose: () => void,
  ) {
    super()
  }
  override close(): void {
    this.onClose()
  }
  override describe(): string {
    return `pwm controller ${this.controller}`
  }
}

/** Largest message over an inter-core channel (the shared buffer minus its header). */
export const APP_MESSAGE_MAX = 1024

/** What an inter-app connection charges its queue to (the app's host account) and how it records a refusal. */
export interface AppQueueAccount {
  usage: HostUsage
  /** Record that the queue met its limit (once per episode). */
  limited(): void
}

/**
 * A connection to a (simulated) real-time app: datagram-like messages. The partner's messages to the app
 * wait in a queue bounded per connection (HOST_LIMITS.appQueueBytes) and per app (the app's buffer budget),
 * charged to the app. When the queue is full the partner cannot answer, so the app's send fails with EAGAIN
 * (a blocking sendto waits) until the app reads: nothing the app sends and never reads grows the host.
 */
export class AppSocketObject extends StreamObject {
  readonly kind = 'app-socket' as const
  private inbox: {data: Uint8Array; at: number; cost: number}[] = []
  private queued = 0
  private closed = false
  private readonly limit: LimitAudit

  constructor(
    readonly partner: string,
    /** What the partner does with a message; returns the replies. */
    private readonly handle: (msg: Uint8Array) => Uint8Array[],
    private readonly notify: (o: AppSocketObject) => void,
    private readonly account: AppQueueAccount,
  ) {
    super()
    this.limit = new LimitAudit(() => account.limited())
  }

  /** Bytes this connection has queued for the app (charged to it). */
  get queuedBytes(): number {
    return this.queued
  }

  private static cost(n: number): number {
    return n + 64 // a message's bytes and its slot in the mailbox
  }

  /** Is there room for a message of `n` bytes (per connection and in the app's budget)? */
  private room(n: number): boolean {
    return this.queued + AppSocketObject.cost(n) <= HOST_LIMITS.appQueueBytes
  }

  /** Partner -> app: the message is readable from `at` (monotonic ns). False when it does not fit. */
  deliver(data: Uint8Array, at: number): boolean {
    const cost = AppSocketObject.cost(data.length)
    if (this.closed || !this.room(data.length) || !chargeBytes(this.account.usage, cost)) {
      this.limit.hit()
      return false
    }
    this.queued += cost
    this.inbox.push({data, at, cost})
    this.notify(this)
    return true
  }

  readBytes(max: number, now: number): Uint8Array | number {
    const m = this.inbox[0]
    if (!m || m.at > now) return -Errno.EAGAIN
    this.inbox.shift()
    this.queued -= m.cost
    releaseBytes(this.account.usage, m.cost)
    if (this.queued <= HOST_LIMITS.appQueueBytes / 2) this.limit.clear()
    return m.data.subarray(0, max) // datagram: the rest of a longer message is discarded
  }

  writeBytes(data: Uint8Array, now: number): number {
    if (data.length > APP_MESSAGE_MAX) return -EMSGSIZE
    // the partner's answer needs room in the queue to the app: without it the partner cannot take the message
    if (!this.room(APP_MESSAGE_MAX) || this.account.usage.bufferBytes + AppSocketObject.cost(APP_MESSAGE_MAX) > HOST_LIMITS.bufferBytesPerApp) {
      this.limit.hit()
      return -Errno.EAGAIN
    }
    // The mailbox round trip takes a few microseconds on the real cores.
    for (const r of this.handle(data.slice())) this.deliver(r, now + 20_000)
    return data.length
  }

  override readable(now: number): boolean {
    return this.inbox.length > 0 && this.inbox[0]!.at <= now
  }

  override writable(): boolean {
    return this.room(APP_MESSAGE_MAX)
  }

  override readableAt(): number {
    return this.inbox[0]?.at ?? Infinity
  }

  override close(): void {
    this.closed = true
    releaseBytes(this.account.usage, this.queued)
    this.queued = 0
    this.inbox = []
  }

  override describe(): string {
    return `app connection to ${this.partner}`
  }
}

/** System event notifications: readable while an event is queued. */
export class SysEventObject extends KObject {
  readonly kind = 'sysevent' as const
  constructor(
    readonly sub: SysEventSubscription,
    readonly mask: number,
  ) {
    super()
  }
  take(): SysEventRecord | undefined {
    return this.sub.take()
  }
  override readable(): boolean {
    return this.sub.pending()
  }
  override close(): void {
    this.sub.close()
  }
  override describe(): string {
    return `sysevent mask 0x${this.mask.toString(16)}`
  }
}
