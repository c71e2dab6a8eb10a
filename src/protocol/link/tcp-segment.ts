import {crc32c, finishChecksum, onesSum} from './checksum.js'
import {LinkError} from './errors.js'
import {IP_PROTOCOL_TCP, IPV4_HEADER_LENGTH, writeIpv4Header} from './ipv4.js'

export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_PSH = 0x08
export const TCP_ACK = 0x10
export const TCP_URG = 0x20

export const TCP_HEADER_LENGTH = 20
/**
 * RFC 6994 experimental option (kind 254, ExID 0x5350 "SP") that our two ends negotiate on the SYN: a CRC-32C of
 * pseudo-header + segment (much stronger than the 16-bit checksum on a noisy line) and a pair of timestamps
 * (TSval, TSecr in 0.1 ms units) for unambiguous RTT samples across retransmissions. Length 16.
 */
export const TCP_OPT_EXPERIMENT = 254
export const TCP_CRC_EXID = 0x5350
export const TCP_CRC_OPTION_LENGTH = 16

/**
 * A TCP segment. `crc` on a SYN offers the CRC-32C option; on any other segment it means the segment carries one
 * (verified on decode). A real device ignores the unknown option and never echoes it, so a connection only uses the
 * CRC when both ends put it on their SYN.
 */
export interface TcpSegment {
  srcPort: number
  dstPort: number
  seq: number
  ack: number
  flags: number
  window: number
  urgent?: number
  /** MSS option (kind 2), normally on SYN segments only. */
  mss?: number
  /** Window-scale option (kind 3, RFC 7323), SYN segments only: shift count 0..14. */
  wscale?: number
  crc?: boolean
  /** Sender's timestamp, carried in the CRC option (0 if absent). */
  tsVal?: number
  /** Echo of the peer's latest timestamp, carried in the CRC option. */
  tsEcr?: number
  payload: Buffer
}

function pseudoSum(src: number, dst: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + IP_PROTOCOL_TCP + length
}

function pseudoCrc(src: number, dst: number, length: number): number {
  const p = Buffer.allocUnsafe(12)
  p.writeUInt32BE(src >>> 0, 0)
  p.writeUInt32BE(dst >>> 0, 4)
  p[8] = 0
  p[9] = IP_PROTOCOL_TCP
  p.writeUInt16BE(length, 10)
  return crc32c(p)
}

const ZEROS = Buffer.alloc(4)

/** CRC-32C of pseudo-header + segment with the checksum field and the CRC value field taken as zero. */
function segmentCrc(seg: Buffer, start: number, end: number, crcValueAt: number, src: number, dst: number): number {
  let c = pseudoCrc(src, dst, end - start)
  c = crc32c(seg, c, start, start + 16)
  c = crc32c(ZEROS, c, 0, 2)
  c = crc32c(seg, c, start + 18, crcValueAt)
  c = crc32c(ZEROS, c, 0, 4)
  return crc32c(seg, c, crcValueAt + 4, end)
}

/** Number of option bytes a segment needs (padded to 4). */
export function tcpOptionsLength(seg: Pick<TcpSegment, 'mss' | 'crc' | 'wscale'>): number {
  return (seg.mss !== undefined ? 4 : 0) + (seg.wscale !== undefined ? 4 : 0) + (seg.crc ? TCP_CRC_OPTION_LENGTH : 0)
}

/** Build a whole IPv4 packet carrying `seg`: one allocation, checksums (and the CRC option) filled in. */
export function encodeTcpPacket(
  src: number,
  dst: number,
  seg: TcpSegment,
  ip: {id?: number; ttl?: number} = {},
): Buffer {
  const optLen = tcpOptionsLength(seg)
  const hl = TCP_HEADER_LENGTH + optLen
  const tcpLen = hl + seg.payload.length
  const total = IPV4_HEADER_LENGTH + tcpLen
  if (total > 0xffff) throw new LinkError('TCP_BAD_SEGMENT', `TCP segment of ${tcpLen} bytes does not fit IPv4`)
  const pkt = Buffer.allocUnsafe(total)
  const t = IPV4_HEADER_LENGTH
  pkt.writeUInt16BE(seg.srcPort, t)
  pkt.writeUInt16BE(seg.dstPort, t + 2)
  pkt.writeUInt32BE(seg.seq >>> 0, t + 4)
  pkt.writeUInt32BE(seg.ack >>> 0, t + 8)
  pkt[t + 12] = (hl / 4) << 4
  pkt[t + 13] = seg.flags & 0x3f
  pkt.writeUInt16BE(Math.max(0, Math.min(0xffff, seg.window)), t + 14)
  pkt.writeUInt16BE(0, t + 16)
  pkt.writeUInt16BE(seg.urgent ?? 0, t + 18)
  let o = t + TCP_HEADER_LENGTH
  if (seg.mss !== undefined) {
    pkt[o] = 2
    pkt[o + 1] = 4
    pkt.writeUInt16BE(seg.mss, o + 2)
    o += 4
  }
  if (seg.wscale !== undefined) {
    pkt[o] = 1 // NOP, keeps the option block 4-aligned
    pkt[o + 1] = 3
    pkt[o + 2] = 3
    pkt[o + 3] = Math.min(14, seg.wscale)
    o += 4
  }
  let crcAt = -1
  if (seg.crc) {
    pkt[o] = TCP_OPT_EXPERIMENT
    pkt[o + 1] = TCP_CRC_OPTION_LENGTH
    pkt.writeUInt16BE(TCP_CRC_EXID, o + 2)
    crcAt = o + 4
    pkt.writeUInt32BE((seg.tsVal ?? 0) >>> 0, o + 8)
    pkt.writeUInt32BE((seg.tsEcr ?? 0) >>> 0, o + 12)
    o += TCP_CRC_OPTION_LENGTH
  }
  seg.payload.copy(pkt, o)
  if (crcAt >= 0) pkt.writeUInt32BE(segmentCrc(pkt, t, total, crcAt, src, dst), crcAt)
  pkt.writeUInt16BE(finishChecksum(onesSum(pkt, pseudoSum(src, dst, tcpLen), t, total)), t + 16)
  writeIpv4Header(pkt, {src, dst, protocol: IP_PROTOCOL_TCP, id: ip.id, ttl: ip.ttl})
  return pkt
}

/**
 * Decode and verify a TCP segment (the IPv4 payload) sent from `src` to `dst`. Verifies the checksum and, when the
 * segment carries it, the CRC-32C option. Throws LinkError only. The payload is a view, not a copy.
 */
export function decodeTcpSegment(buf: Buffer, src: number, dst: number): TcpSegment {
  if (buf.length < TCP_HEADER_LENGTH)
    throw new LinkError('TCP_TRUNCATED', `TCP segment of ${buf.length} bytes is shorter than a header`)
  const hl = (buf[12]! >> 4) * 4
  if (hl < TCP_HEADER_LENGTH || hl > buf.length)
    throw new LinkError('TCP_BAD_OFFSET', `TCP data offset ${hl} invalid for a ${buf.length}-byte segment`)
  if (finishChecksum(onesSum(buf, pseudoSum(src, dst, buf.length))) !== 0)
    throw new LinkError('TCP_BAD_CHECKSUM', 'TCP checksum mismatch')
  const seg: TcpSegment = {
    srcPort: buf.readUInt16BE(0),
    dstPort: buf.readUInt16BE(2),
    seq: buf.readUInt32BE(4),
    ack: buf.readUInt32BE(8),
    flags: buf[13]! & 0x3f,
    window: buf.readUInt16BE(14),
    urgent: buf.readUInt16BE(18),
    payload: buf.subarray(hl),
  }
  let o = TCP_HEADER_LENGTH
  while (o < hl) {
    const kind = buf[o]!
    if (kind === 0) break
    if (kind === 1) {
      o++
      continue
    }
    if (o + 1 >= hl) throw new LinkError('TCP_BAD_OPTION', `TCP option ${kind} truncated`)
    const len = buf[o + 1]!
    if (len < 2 || o + len > hl) throw new LinkError('TCP_BAD_OPTION', `TCP option ${kind} has bad length ${len}`)
    if (kind === 2) {
      if (len !== 4) throw new LinkError('TCP_BAD_OPTION', `TCP MSS option has length ${len}`)
      seg.mss = buf.readUInt16BE(o + 2)
    } else if (kind === 3) {
      if (len !== 3) throw new LinkError('TCP_BAD_OPTION', `TCP window-scale option has length ${len}`)
      seg.wscale = Math.min(14, buf[o + 2]!)
    } else if (kind === TCP_OPT_EXPERIMENT && len >= 4 && buf.readUInt16BE(o + 2) === TCP_CRC_EXID) {
      if (len !== TCP_CRC_OPTION_LENGTH) throw new LinkError('TCP_BAD_OPTION', `TCP CRC option has length ${len}`)
      if (segmentCrc(buf, 0, buf.length, o + 4, src, dst) !== buf.readUInt32BE(o + 4))
        throw new LinkError('TCP_BAD_CRC', 'TCP CRC-32C mismatch')
      seg.crc = true
      seg.tsVal = buf.readUInt32BE(o + 8)
      seg.tsEcr = buf.readUInt32BE(o + 12)
    }
    o += len
  }
  if (seg.srcPort === 0 || seg.dstPort === 0) throw new LinkError('TCP_BAD_SEGMENT', 'TCP port 0')
  if ((seg.flags & TCP_SYN) !== 0 && (seg.flags & (TCP_FIN | TCP_RST)) !== 0)
    throw new LinkError('TCP_BAD_SEGMENT', 'TCP SYN combined with FIN or RST')
  return seg
}

/** Sequence-number arithmetic modulo 2^32. */
export const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0
export const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0
export const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0
export const seqGe = (a: number, b: number): boolean => ((a - b) | 0) >= 0
export const seqAdd = (a: number, n: number): number => (a + n) >>> 0
export const seqDiff = (a: number, b: number): number => (a - b) | 0
