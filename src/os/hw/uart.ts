/**
 * A UART on an ISU and what its pins are wired to. The app side transmits and reads received bytes; the
 * other end is nothing (bytes are lost), a loopback wire (TX to RX, as the UART sample's jumper), or a host
 * peer (a PTY or file bridge the services attach). Line settings come from the app's UART_Config; when the
 * peer declares its own settings and they differ, the bytes arrive as framing errors and are dropped, as on
 * a real line with mismatched baud rates.
 */

export interface UartLineSettings {
  baudRate: number
  dataBits: number
  /** 0 none, 1 even, 2 odd (UART_Parity). */
  parity: number
  stopBits: number
  /** 0 none, 1 RTS/CTS, 2 XON/XOFF (UART_FlowControl). */
  flowControl: number
}

export const DEFAULT_UART_SETTINGS: UartLineSettings = {
  baudRate: 115200,
  dataBits: 8,
  parity: 0,
  stopBits: 1,
  flowControl: 0,
}

/** The host side of a UART wire (a PTY bridge, a file sink). */
export interface UartPeer {
  readonly description: string
  /** Line settings the peer expects; undefined = it adapts to whatever the app configured. */
  readonly settings?: Partial<UartLineSettings>
  /** Bytes the app transmitted. */
  receive(data: Uint8Array): void
  close?(): void
}

export type UartWiring = 'none' | 'loopback' | 'peer'

/** Receive buffer size of the simulated driver; bytes beyond it are counted as overruns and dropped. */
export const UART_RX_BUFFER_BYTES = 4096

interface RxChunk {
  data: Uint8Array
  /** Monotonic ns at which the last byte of the chunk has arrived. */
  at: number
}

export interface UartStats {
  txBytes: number
  rxBytes: number
  overruns: number
  framingErrors: number
}

export class UartPort {
  /** Settings of the app that has the port open (undefined when closed). */
  settings: UartLineSettings | undefined
  private wiringMode: UartWiring = 'none'
  private peerEnd: UartPeer | undefined
  private rx: RxChunk[] = []
  private rxBytes = 0
  readonly stats: UartStats = {txBytes: 0, rxBytes: 0, overruns: 0, framingErrors: 0}
  private readonly readyListeners = new Set<() => void>()

  constructor(readonly isu: string) {}

  get wiring(): UartWiring {
    return this.wiringMode
  }

  get peer(): UartPeer | undefined {
    return this.peerEnd
  }

  /** Wire TX to RX (or undo it). Replaces a peer. */
  setLoopback(on: boolean): void {
    this.detachPeer()
    this.wiringMode = on ? 'loopback' : 'none'
  }

  /** Connect a host peer (replacing the previous wiring). */
  attachPeer(peer: UartPeer): void {
    this.detachPeer()
    this.peerEnd = peer
    this.wiringMode = 'peer'
  }

  detachPeer(): void {
    if (this.peerEnd) {
      const p = this.peerEnd
      this.peerEnd = undefined
      this.wiringMode = 'none'
      p.close?.()
    }
  }

  /** Nanoseconds one byte takes on the line with the current settings (start + data + parity + stop bits). */
  byteTimeNs(): number {
    const s = this.settings ?? DEFAULT_UART_SETTINGS
    const bits = 1 + s.dataBits + (s.parity ? 1 : 0) + s.stopBits
    return Math.ceil((bits * 1e9) / Math.max(1, s.baudRate))
  }

  /** The app transmits at monotonic time `now`. Returns the bytes accepted (all of them). */
  transmit(data: Uint8Array, now: number): number {
    this.stats.txBytes += data.length
    if (this.wiringMode === 'loopback') this.push(data, now + data.length * this.byteTimeNs())
    else if (this.wiringMode === 'peer' && this.peerEnd) {
      if (this.mismatch()) this.stats.framingErrors += data.length
      else this.peerEnd.receive(data.slice())
    }
    return data.length
  }

  /** Bytes arrive from the host peer (available at once). */
  inject(data: Uint8Array): void {
    if (this.settings && this.mismatch()) {
      this.stats.framingErrors += data.length
      return
    }
    this.push(data, 0)
  }

  /** Whether received bytes can be read at `now`. */
  readable(now: number): boolean {
    return this.rx.length > 0 && this.rx[0]!.at <= now
  }

  /** When the next received bytes become readable (Infinity when none are on the way). */
  readableAt(): number {
    return this.rx.length > 0 ? this.rx[0]!.at : Infinity
  }

  /** Take up to `max` received bytes that have arrived by `now`. */
  read(max: number, now: number): Uint8Array {
    const parts: Uint8Array[] = []
    let n = 0
    while (this.rx.length > 0 && n < max && this.rx[0]!.at <= now) {
      const c = this.rx[0]!
      const take = Math.min(c.data.length, max - n)
      parts.push(c.data.subarray(0, take))
      n += take
      if (take === c.data.length) this.rx.shift()
      else c.data = c.data.subarray(take)
    }
    this.rxBytes -= n
    const out = new Uint8Array(n)
    let off = 0
    for (const p of parts) {
      out.set(p, off)
      off += p.length
    }
    return out
  }

  /** Drop pending received bytes (tcflush / close). */
  flush(): void {
    this.rx = []
    this.rxBytes = 0
  }

  onReadable(fn: () => void): () => void {
    this.readyListeners.add(fn)
    return () => this.readyListeners.delete(fn)
  }

  private mismatch(): boolean {
    const want = this.peerEnd?.settings
    const have = this.settings
    if (!want || !have) return false
    return (Object.keys(want) as (keyof UartLineSettings)[]).some((k) => want[k] !== undefined && want[k] !== have[k])
  }

  private push(data: Uint8Array, at: number): void {
    // Nobody has the port open: the bytes fall on the floor, as on an idle line.
    if (!this.settings) return
    const room = UART_RX_BUFFER_BYTES - this.rxBytes
    const keep = data.subarray(0, Math.max(0, room))
    this.stats.overruns += data.length - keep.length
    if (keep.length === 0) return
    this.rx.push({data: keep.slice(), at})
    this.rxBytes += keep.length
    this.stats.rxBytes += keep.length
    for (const fn of this.readyListeners) fn()
  }
}
