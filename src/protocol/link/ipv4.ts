import {internetChecksum} from './checksum.js'
import {LinkError} from './errors.js'

export const IPV4_HEADER_LENGTH = 20
export const IP_PROTOCOL_TCP = 6

/** A decoded IPv4 packet. Addresses are unsigned 32-bit numbers (see `parseIpv4Address`). */
export interface Ipv4Packet {
  src: number
  dst: number
  protocol: number
  ttl: number
  id: number
  /** Don't Fragment flag. */
  df: boolean
  /** The payload (a view into the decoded buffer, not a copy). */
  payload: Buffer
}

export function parseIpv4Address(text: string): number {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw new LinkError('IPV4_BAD_ADDRESS', `not an IPv4 address: ${JSON.stringify(text)}`)
  return parts.reduce((a, p) => a * 256 + Number(p), 0) >>> 0
}

export function formatIpv4Address(addr: number): string {
  return [addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff].join('.')
}

/**
 * Write a 20-byte IPv4 header (no options) at the start of `packet`, whose length is the whole packet.
 * The payload must already be at offset 20.
 */
export function writeIpv4Header(
  packet: Buffer,
  h: {src: number; dst: number; protocol: number; ttl?: number; id?: number; df?: boolean},
): void {
  if (packet.length > 0xffff || packet.length < IPV4_HEADER_LENGTH)
    throw new LinkError('IPV4_BAD_LENGTH', `IPv4 packet length ${packet.length} out of range`)
  packet[0] = 0x45
  packet[1] = 0
  packet.writeUInt16BE(packet.length, 2)
  packet.writeUInt16BE((h.id ?? 0) & 0xffff, 4)
  packet.writeUInt16BE(h.df === false ? 0 : 0x4000, 6)
  packet[8] = h.ttl ?? 64
  packet[9] = h.protocol
  packet.writeUInt16BE(0, 10)
  packet.writeUInt32BE(h.src >>> 0, 12)
  packet.writeUInt32BE(h.dst >>> 0, 16)
  packet.writeUInt16BE(internetChecksum(packet, 0, IPV4_HEADER_LENGTH), 10)
}

export function encodeIpv4(p: Omit<Ipv4Packet, 'payload' | 'df' | 'ttl' | 'id'> & Partial<Ipv4Packet>): Buffer {
  const payload = p.payload ?? Buffer.alloc(0)
  const packet = Buffer.allocUnsafe(IPV4_HEADER_LENGTH + payload.length)
  payload.copy(packet, IPV4_HEADER_LENGTH)
  writeIpv4Header(packet, p)
  return packet
}

/**
 * Decode and validate an IPv4 packet. The frame must be exactly the packet (SLIP delivers one packet per frame, so
 * a total-length mismatch means bytes were lost or merged). Fragments are rejected (our stacks never fragment: DF).
 * Throws LinkError only.
 */
export function decodeIpv4(frame: Uint8Array): Ipv4Packet {
  const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length)
  if (buf.length < IPV4_HEADER_LENGTH)
    throw new LinkError('IPV4_TRUNCATED', `IPv4 packet of ${buf.length} bytes is shorter than a header`)
  const version = buf[0]! >> 4
  if (version !== 4) throw new LinkError('IPV4_BAD_VERSION', `IP version ${version}, expected 4`)
  const ihl = (buf[0]! & 0x0f) * 4
  if (ihl < IPV4_HEADER_LENGTH || ihl > buf.length)
    throw new LinkError('IPV4_BAD_HEADER_LENGTH', `IPv4 header length ${ihl} invalid for a ${buf.length}-byte packet`)
  const total = buf.readUInt16BE(2)
  if (total !== buf.length)
    throw new LinkError('IPV4_BAD_LENGTH', `IPv4 total length ${total} but the frame has ${buf.length} bytes`)
  if (total < ihl) throw new LinkError('IPV4_BAD_LENGTH', `IPv4 total length ${total} is shorter than its header`)
  if (internetChecksum(buf, 0, ihl) !== 0) throw new LinkError('IPV4_BAD_CHECKSUM', 'IPv4 header checksum mismatch')
  const frag = buf.readUInt16BE(6)
  if ((frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0)
    throw new LinkError('IPV4_FRAGMENT', 'IPv4 fragments are not supported on this link')
  return {
    src: buf.readUInt32BE(12),
    dst: buf.readUInt32BE(16),
    protocol: buf[9]!,
    ttl: buf[8]!,
    id: buf.readUInt16BE(4),
    df: (frag & 0x4000) !== 0,
    payload: buf.subarray(ihl, total),
  }
}
