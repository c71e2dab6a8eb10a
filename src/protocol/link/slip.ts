import {LinkError} from './errors.js'

/** SLIP (RFC 1055) special bytes. */
export const SLIP_END = 0xc0
export const SLIP_ESC = 0xdb
export const SLIP_ESC_END = 0xdc
export const SLIP_ESC_ESC = 0xdd

/**
 * Encode one packet as a SLIP frame: END, the escaped packet, END. The leading END flushes any line noise the
 * receiver has accumulated (RFC 1055 recommends it); receivers ignore the empty frame it creates.
 */
export function slipEncode(packet: Uint8Array): Buffer {
  let specials = 0
  for (let i = 0; i < packet.length; i++) {
    const b = packet[i]!
    if (b === SLIP_END || b === SLIP_ESC) specials++
  }
  const out = Buffer.allocUnsafe(packet.length + specials + 2)
  out[0] = SLIP_END
  if (specials === 0) {
    out.set(packet, 1)
  } else {
    let o = 1
    for (let i = 0; i < packet.length; i++) {
      const b = packet[i]!
      if (b === SLIP_END) {
        out[o++] = SLIP_ESC
        out[o++] = SLIP_ESC_END
      } else if (b === SLIP_ESC) {
        out[o++] = SLIP_ESC
        out[o++] = SLIP_ESC_ESC
      } else out[o++] = b
    }
  }
  out[out.length - 1] = SLIP_END
  return out
}

/** Undo SLIP escaping of one frame body (the bytes between two ENDs, END excluded). */
export function slipUnescape(body: Uint8Array, maxFrame = Infinity): Buffer {
  if (body.indexOf(SLIP_END) >= 0) throw new LinkError('SLIP_BAD_ESCAPE', 'SLIP frame body contains an END byte')
  let esc = body.indexOf(SLIP_ESC)
  if (esc < 0) {
    if (body.length > maxFrame)
      throw new LinkError('SLIP_FRAME_TOO_LARGE', `SLIP frame of ${body.length} bytes exceeds ${maxFrame}`)
    return Buffer.from(body.buffer, body.byteOffset, body.length)
  }
  const out = Buffer.allocUnsafe(body.length)
  let o = 0
  let i = 0
  while (esc >= 0) {
    out.set(body.subarray(i, esc), o)
    o += esc - i
    const next = body[esc + 1]
    if (next === SLIP_ESC_END) out[o++] = SLIP_END
    else if (next === SLIP_ESC_ESC) out[o++] = SLIP_ESC
    else
      throw new LinkError(
        'SLIP_BAD_ESCAPE',
        next === undefined ? 'SLIP frame ends in an ESC byte' : `SLIP ESC followed by 0x${next.toString(16)}`,
      )
    i = esc + 2
    esc = body.indexOf(SLIP_ESC, i)
  }
  out.set(body.subarray(i), o)
  o += body.length - i
  if (o > maxFrame) throw new LinkError('SLIP_FRAME_TOO_LARGE', `SLIP frame of ${o} bytes exceeds ${maxFrame}`)
  return out.subarray(0, o)
}

/**
 * Incremental SLIP decoder for a byte stream whose chunk boundaries are arbitrary. Memory is bounded: a frame whose
 * escaped body grows past 2 x maxFrame + 2 is discarded up to the next END and reported once as SLIP_FRAME_TOO_LARGE.
 * Empty frames (back-to-back ENDs) are skipped silently.
 */
export class SlipDecoder {
  private parts: Buffer[] = []
  private partLen = 0
  private discarding = false

  constructor(readonly maxFrame = 65535) {}

  /** Feed bytes; calls onFrame for each complete frame and onError for each rejected one. Never throws. */
  push(chunk: Uint8Array, onFrame: (frame: Buffer) => void, onError: (err: LinkError) => void = () => {}): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    let start = 0
    const limit = 2 * this.maxFrame + 2
    while (start < buf.length) {
      const end = buf.indexOf(SLIP_END, start)
      const stop = end < 0 ? buf.length : end
      if (!this.discarding && stop > start) {
        if (this.partLen + (stop - start) > limit) {
          this.discarding = true
          this.parts = []
          this.partLen = 0
          onError(new LinkError('SLIP_FRAME_TOO_LARGE', `SLIP frame exceeds ${this.maxFrame} bytes; discarded`))
        } else {
          // copy: the caller may reuse its buffer
          this.parts.push(end < 0 ? Buffer.from(buf.subarray(start, stop)) : buf.subarray(start, stop))
          this.partLen += stop - start
        }
      }
      if (end < 0) break
      // END: complete the frame
      if (this.discarding) this.discarding = false
      else if (this.partLen > 0) {
        const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partLen)
        this.parts = []
        this.partLen = 0
        let frame: Buffer | undefined
        try {
          frame = slipUnescape(body, this.maxFrame)
        } catch (e) {
          onError(e as LinkError)
        }
        if (frame) onFrame(frame.buffer === buf.buffer ? Buffer.from(frame) : frame)
      }
      start = end + 1
    }
  }

  /** Bytes buffered for an unfinished frame. */
  get pending(): number {
    return this.partLen
  }

  reset(): void {
    this.parts = []
    this.partLen = 0
    this.discarding = false
  }
}
