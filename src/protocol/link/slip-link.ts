import {EventEmitter} from 'node:events'
import type {Duplex} from 'node:stream'

import {LinkError} from './errors.js'
import {SLIP_END, SlipDecoder, slipEncode} from './slip.js'
import {type PacketOutput, type TcpOptions, TcpStack} from './tcp.js'

export interface SlipLinkOptions {
  /** Largest packet accepted from the line (bytes after unescaping). Default 65535. */
  mtu?: number
  /**
   * Write a lone END byte after this much transmit silence (receivers ignore empty frames). A serial port whose
   * other end is gone only reports it on the next write (EIO), so this is how an idle link notices. 0 disables.
   * Default 500 ms.
   */
  heartbeatMs?: number
  /** `ready` stays true while fewer than this many bytes wait in the stream's write queue. Default 32 KiB. */
  queueLimit?: number
}

export interface LinkStats {
  txFrames: number
  /** Bytes written to the line: frames (with escaping and END bytes) and heartbeats. */
  txBytes: number
  rxFrames: number
  /** Bytes read from the line. */
  rxBytes: number
  /** Frames rejected by the SLIP decoder, by error code. */
  rxErrors: Record<string, number>
}

export interface SlipLinkEvents {
  packet: [packet: Buffer]
  drain: []
  close: [err: LinkError | undefined]
  frameError: [err: LinkError]
}

/**
 * SLIP framing over any byte Duplex (a serial port, a socket, an in-memory pipe): `send(packet)` writes one frame,
 * 'packet' is emitted for each received frame. 'close' fires once, with a LINK_DOWN error if the stream failed or
 * ended, or undefined after `close()`. The link never closes the underlying stream itself.
 */
export class SlipLink extends EventEmitter<SlipLinkEvents> implements PacketOutput {
  readonly stats: LinkStats = {txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, rxErrors: {}}
  private readonly decoder: SlipDecoder
  private readonly queueLimit: number
  private readonly heartbeatMs: number
  private heartbeat: NodeJS.Timeout | undefined
  private lastTx = performance.now()
  private blocked = false
  private closedWith: LinkError | null | undefined = undefined
  private readonly onData = (chunk: Buffer): void => this.receive(chunk)
  private readonly onError = (err: Error): void =>
    this.close(new LinkError('LINK_DOWN', `serial link lost: ${err.message}`, {cause: err}))
  private readonly onEnd = (): void => this.close(new LinkError('LINK_DOWN', 'serial link lost: the line was closed'))

  constructor(
    readonly stream: Duplex,
    opts: SlipLinkOptions = {},
  ) {
    super()
    this.decoder = new SlipDecoder(opts.mtu ?? 65535)
    this.queueLimit = opts.queueLimit ?? 32 * 1024
    this.heartbeatMs = opts.heartbeatMs ?? 500
    stream.on('data', this.onData)
    stream.on('error', this.onError)
    stream.on('end', this.onEnd)
    stream.on('close', this.onEnd)
    if (this.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        // only on an idle line with an empty queue (a stalled peer must not make the queue grow)
        if (performance.now() - this.lastTx >= this.heartbeatMs && this.stream.writableLength === 0)
          this.write(Buffer.from([SLIP_END]))
      }, this.heartbeatMs)
      this.heartbeat.unref()
    }
    if (stream.destroyed) queueMicrotask(this.onEnd)
  }

  /** True while the link can take more packets without growing its queue past the limit. */
  get ready(): boolean {
    return this.closedWith === undefined && this.stream.writableLength < this.queueLimit
  }

  get closed(): boolean {
    return this.closedWith !== undefined
  }

  send(packet: Buffer): void {
    if (this.closedWith !== undefined) return
    this.stats.txFrames++
    this.write(slipEncode(packet))
  }

  /** Stop using the stream (it stays open). Emits 'close' with `err` (or undefined). */
  close(err?: LinkError): void {
    if (this.closedWith !== undefined) return
    this.closedWith = err ?? null
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.stream.off('data', this.onData)
    this.stream.off('end', this.onEnd)
    this.stream.off('close', this.onEnd)
    // keep an error listener: a late EIO must not become an uncaught exception
    this.stream.off('error', this.onError)
    this.stream.on('error', () => {})
    this.emit('close', err)
  }

  private write(bytes: Buffer): void {
    if (this.stream.destroyed || this.stream.writableEnded) {
      this.onEnd()
      return
    }
    this.stats.txBytes += bytes.length
    this.lastTx = performance.now()
    this.stream.write(bytes, (err) => {
      if (err) this.onError(err)
      else if (this.blocked && this.ready) {
        this.blocked = false
        this.emit('drain')
      }
    })
    if (!this.ready) this.blocked = true
  }

  private receive(chunk: Buffer): void {
    this.stats.rxBytes += chunk.length
    this.decoder.push(
      chunk,
      (frame) => {
        this.stats.rxFrames++
        this.emit('packet', frame)
      },
      (err) => {
        this.stats.rxErrors[err.code] = (this.stats.rxErrors[err.code] ?? 0) + 1
        this.emit('frameError', err)
      },
    )
  }
}

/** A TcpStack on `address` that sends and receives through `link`; the stack is destroyed when the link closes. */
export function attachTcp(link: SlipLink, opts: TcpOptions & {address: string}): TcpStack {
  const stack = new TcpStack(link, opts)
  link.on('packet', (p) => stack.input(p))
  link.on('drain', () => stack.pump())
  link.on('close', (err) => stack.destroy(err ?? new LinkError('LINK_DOWN', 'the serial link was closed')))
  return stack
}
