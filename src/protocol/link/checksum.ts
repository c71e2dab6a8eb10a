/**
 * The Internet checksum (RFC 1071): 16-bit ones'-complement sum. `initial` carries a partial sum (e.g. the TCP
 * pseudo-header) in; returns the unfolded 32-bit partial sum so callers can chain, use `finishChecksum` at the end.
 */
export function onesSum(buf: Uint8Array, initial = 0, start = 0, end = buf.length): number {
  let sum = initial
  let i = start
  const last = end - 1
  for (; i < last; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!
  if (i === last) sum += buf[i]! << 8
  // fold periodically is unnecessary: 2^53 / 0xffff > any frame we handle
  return sum
}

/** Fold a partial sum and complement it: the value that goes into a checksum field. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return ~sum & 0xffff
}

export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  return finishChecksum(onesSum(buf, 0, start, end))
}

const CRC32C_TABLE = (() => {
  const t = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  return t
})()

/** CRC-32C (Castagnoli), reflected, init/xorout 0xffffffff. `prev` chains a previous result. */
export function crc32c(buf: Uint8Array, prev = 0, start = 0, end = buf.length): number {
  let c = ~prev
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
