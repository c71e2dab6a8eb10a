import * as zlib from 'node:zlib'
import {SphereError} from '../util/errors.js'

/** Throw the one error type of this layer: a stable code and a one-line message. */
export function fail(code: string, message: string, suggestions?: string[]): never {
  throw new SphereError(code, message.replace(/[\r\n]+/g, ' '), suggestions ? {suggestions} : {})
}

/** Little-endian readers that throw IMAGE_TRUNCATED instead of returning garbage past the end. */
export class LeReader {
  private readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  get length(): number {
    return this.bytes.length
  }
  need(off: number, len: number, field: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || len < 0 || off + len > this.bytes.length) {
      fail(
        'IMAGE_TRUNCATED',
        `${this.what}: ${field} at offset 0x${hex(off)} (${len} bytes) runs past the end (${this.bytes.length} bytes)`,
      )
    }
  }
  u8(off: number, field: string): number {
    this.need(off, 1, field)
    return this.view.getUint8(off)
  }
  u16(off: number, field: string): number {
    this.need(off, 2, field)
    return this.view.getUint16(off, true)
  }
  u32(off: number, field: string): number {
    this.need(off, 4, field)
    return this.view.getUint32(off, true)
  }
  u64(off: number, field: string): bigint {
    this.need(off, 8, field)
    return this.view.getBigUint64(off, true)
  }
  slice(off: number, len: number, field: string): Uint8Array {
    this.need(off, len, field)
    return this.bytes.subarray(off, off + len)
  }
}

/** Little-endian growable writer. */
export class LeWriter {
  private buf = new Uint8Array(256)
  private len = 0
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  get length(): number {
    return this.len
  }
  u16(v: number): this {
    this.ensure(2)
    new DataView(this.buf.buffer).setUint16(this.len, v, true)
    this.len += 2
    return this
  }
  u32(v: number): this {
    this.ensure(4)
    new DataView(this.buf.buffer).setUint32(this.len, v >>> 0, true)
    this.len += 4
    return this
  }
  u64(v: bigint): this {
    this.ensure(8)
    new DataView(this.buf.buffer).setBigUint64(this.len, v, true)
    this.len += 8
    return this
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
    return this
  }
  zeros(n: number): this {
    this.ensure(n)
    this.buf.fill(0, this.len, this.len + n)
    this.len += n
    return this
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

export function hex(n: number): string {
  return n.toString(16).toUpperCase()
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '')
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) fail('IMAGE_BAD_HEX', `not a hex string: ${s.slice(0, 40)}`)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

let crcTable: Uint32Array | undefined
const nativeCrc32 = (zlib as unknown as {crc32?: (data: Uint8Array, value?: number) => number}).crc32
/** zlib CRC-32 (polynomial 0xEDB88320), as ASXipFS stores in fsid.crc. Native zlib when Node has it (20.15+). */
export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc32) return nativeCrc32(data, crc) >>> 0
  return crc32js(data, crc)
}

/** The portable implementation (also the reference the native one is tested against). */
export function crc32js(data: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  const t = crcTable
  let c = ~crc >>> 0
  for (let i = 0; i < data.length; i++) c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return ~c >>> 0
}

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
export function isGuid(s: unknown): s is string {
  return typeof s === 'string' && GUID_RE.test(s)
}

/** A GUID string to the 16 bytes Azure Sphere stores (.NET Guid.ToByteArray order: first three fields little-endian). */
export function guidToBytes(guid: string): Uint8Array {
  if (!isGuid(guid)) fail('IMAGE_BAD_GUID', `not a GUID: "${printable(String(guid))}"`)
  const h = fromHex(guid.replace(/-/g, ''))
  const out = new Uint8Array(16)
  out.set([
    h[3] as number,
    h[2] as number,
    h[1] as number,
    h[0] as number,
    h[5] as number,
    h[4] as number,
    h[7] as number,
    h[6] as number,
  ])
  out.set(h.subarray(8), 8)
  return out
}

/** The inverse of guidToBytes; lower-case canonical text. */
export function bytesToGuid(b: Uint8Array): string {
  const o = [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8, 16)] as number[]
  const h = toHex(Uint8Array.from(o))
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const utf8 = new TextDecoder('utf-8', {fatal: true})
export function decodeUtf8(b: Uint8Array, what: string, code = 'IMAGE_BAD_NAME'): string {
  try {
    return utf8.decode(b)
  } catch {
    return fail(code, `${what} is not valid UTF-8`)
  }
}
export const encodeUtf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Round up to a multiple of `align` (a power of two). */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align
}

export function printable(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?')
  return t.length > 80 ? t.slice(0, 77) + '...' : t
}
