import {describe, expect, test} from '@jest/globals'
import fc from 'fast-check'

import {crc32c, internetChecksum} from '../../../src/protocol/link/checksum.js'
import {LinkError} from '../../../src/protocol/link/errors.js'
import {decodeIpv4, encodeIpv4, formatIpv4Address, parseIpv4Address} from '../../../src/protocol/link/ipv4.js'
import {SLIP_END, SLIP_ESC, SlipDecoder, slipEncode, slipUnescape} from '../../../src/protocol/link/slip.js'
import {
  decodeTcpSegment,
  encodeTcpPacket,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  type TcpSegment,
} from '../../../src/protocol/link/tcp-segment.js'

const HOST = parseIpv4Address('192.168.35.1')
const DEV = parseIpv4Address('192.168.35.2')

/** Decode a whole frame the way the stack does; returns the segment or throws. */
function decodeFrame(frame: Buffer): TcpSegment {
  const ip = decodeIpv4(frame)
  return decodeTcpSegment(ip.payload, ip.src, ip.dst)
}

/** Run `fn`; pass if it returns or throws a LinkError; fail on anything else. */
function parsesOrRejects(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof LinkError) || typeof e.code !== 'string') throw new Error(`non-LinkError thrown: ${String(e)}`)
  }
}

const segmentArb = fc.record({
  srcPort: fc.integer({min: 1, max: 65535}),
  dstPort: fc.integer({min: 1, max: 65535}),
  seq: fc.nat({max: 0xffffffff}),
  ack: fc.nat({max: 0xffffffff}),
  flags: fc.constantFrom(
    TCP_ACK,
    TCP_ACK | TCP_PSH,
    TCP_SYN,
    TCP_SYN | TCP_ACK,
    TCP_FIN | TCP_ACK,
    TCP_RST,
    TCP_RST | TCP_ACK,
  ),
  window: fc.nat({max: 65535}),
  mss: fc.option(fc.integer({min: 1, max: 65535}), {nil: undefined}),
  wscale: fc.option(fc.integer({min: 0, max: 14}), {nil: undefined}),
  crc: fc.boolean(),
  tsVal: fc.nat({max: 0xffffffff}),
  tsEcr: fc.nat({max: 0xffffffff}),
  payload: fc.uint8Array({maxLength: 600}).map((a) => Buffer.from(a)),
})

describe('checksums', () => {
  test('internet checksum of RFC 1071 example and self-verification', () => {
    const b = Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])
    expect(internetChecksum(b)).toBe(~0xddf2 & 0xffff)
    const withSum = Buffer.concat([b, Buffer.from([0, 0])])
    withSum.writeUInt16BE(internetChecksum(b), 8)
    expect(internetChecksum(withSum)).toBe(0)
  })

  test('crc32c check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(Buffer.from('6789'), crc32c(Buffer.from('12345')))).toBe(0xe3069283)
  })
})

describe('SLIP', () => {
  test('escapes END and ESC', () => {
    expect([...slipEncode(Buffer.from([1, SLIP_END, 2, SLIP_ESC, 3]))]).toEqual([
      0xc0, 1, 0xdb, 0xdc, 2, 0xdb, 0xdd, 3, 0xc0,
    ])
  })

  test('bad escapes are typed errors', () => {
    expect(() => slipUnescape(Buffer.from([1, SLIP_ESC, 5]))).toThrow(LinkError)
    expect(() => slipUnescape(Buffer.from([1, SLIP_ESC]))).toThrow(expect.objectContaining({code: 'SLIP_BAD_ESCAPE'}))
    expect(() => slipUnescape(Buffer.alloc(10), 5)).toThrow(expect.objectContaining({code: 'SLIP_FRAME_TOO_LARGE'}))
  })

  test('oversized frames are discarded up to the next END and the decoder recovers', () => {
    const d = new SlipDecoder(100)
    const frames: Buffer[] = []
    const errors: string[] = []
    d.push(
      Buffer.concat([Buffer.alloc(1000, 1), slipEncode(Buffer.from('ok'))]),
      (f) => frames.push(f),
      (e) => errors.push(e.code),
    )
    expect(errors).toEqual(['SLIP_FRAME_TOO_LARGE'])
    expect(frames.map(String)).toEqual(['ok'])
    expect(d.pending).toBe(0)
  })

  test('property: frames survive any chunking of the byte stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({minLength: 1, maxLength: 300}), {maxLength: 8}),
        fc.array(fc.integer({min: 1, max: 97}), {minLength: 1, maxLength: 10}),
        (packets, cuts) => {
          const wire = Buffer.concat(packets.map((p) => slipEncode(p)))
          const d = new SlipDecoder()
          const got: Buffer[] = []
          let o = 0
          for (let i = 0; o < wire.length; i++) {
            const n = cuts[i % cuts.length]!
            d.push(
              wire.subarray(o, o + n),
              (f) => got.push(Buffer.from(f)),
              (e) => {
                throw e
              },
            )
            o += n
          }
          const want = packets.map((p) => Buffer.from(p).toString('hex'))
          if (got.map((g) => g.toString('hex')).join() !== want.join())
            expect(got.map((g) => g.toString('hex'))).toEqual(want)
        },
      ),
      {numRuns: 3000},
    )
  })

  test('property: random line noise yields frames or typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 400}), fc.integer({min: 1, max: 64}), (noise, chunk) => {
        const d = new SlipDecoder(256)
        for (let o = 0; o < noise.length; o += chunk)
          d.push(
            noise.subarray(o, o + chunk),
            (f) => {
              if (f.length > 256) throw new Error(`frame of ${f.length} bytes exceeds the limit`)
            },
            (e) => {
              if (!(e instanceof LinkError)) throw e
            },
          )
      }),
      {numRuns: 20000},
    )
  })
})

describe('IPv4 + TCP', () => {
  test('address parsing', () => {
    expect(formatIpv4Address(parseIpv4Address('192.168.35.2'))).toBe('192.168.35.2')
    expect(() => parseIpv4Address('192.168.35')).toThrow(LinkError)
    expect(() => parseIpv4Address('1.2.3.256')).toThrow(LinkError)
  })

  test('IPv4 round trip and header checks', () => {
    const pkt = encodeIpv4({src: HOST, dst: DEV, protocol: 17, payload: Buffer.from('hello')})
    const ip = decodeIpv4(pkt)
    expect(ip).toMatchObject({src: HOST, dst: DEV, protocol: 17, df: true})
    expect(ip.payload.toString()).toBe('hello')
    const truncated = pkt.subarray(0, pkt.length - 1)
    expect(() => decodeIpv4(truncated)).toThrow(expect.objectContaining({code: 'IPV4_BAD_LENGTH'}))
    const frag = Buffer.from(pkt)
    frag.writeUInt16BE(0x2000, 6)
    expect(() => decodeIpv4(frag)).toThrow(LinkError) // checksum or fragment: typed either way
  })

  test('property: TCP packet encode/decode round trip', () => {
    fc.assert(
      fc.property(segmentArb, (seg) => {
        const frame = encodeTcpPacket(HOST, DEV, seg)
        const got = decodeFrame(frame)
        const same =
          got.srcPort === seg.srcPort &&
          got.dstPort === seg.dstPort &&
          got.seq === seg.seq &&
          got.ack === seg.ack &&
          got.flags === seg.flags &&
          got.window === seg.window &&
          got.mss === seg.mss &&
          got.wscale === seg.wscale &&
          (got.crc ?? false) === seg.crc &&
          (!seg.crc || (got.tsVal === seg.tsVal && got.tsEcr === seg.tsEcr)) &&
          got.payload.equals(seg.payload)
        if (!same)
          expect({...got, payload: got.payload.toString('hex')}).toEqual({...seg, payload: seg.payload.toString('hex')})
        // and through SLIP
        const d = new SlipDecoder()
        const frames: Buffer[] = []
        d.push(slipEncode(frame), (f) => frames.push(f))
        if (frames.length !== 1 || !frames[0]!.equals(frame)) throw new Error('SLIP round trip failed')
      }),
      {numRuns: 5000},
    )
  })

  test('property: mutated frames parse or are rejected with a LinkError; CRC frames never pass corrupted', () => {
    let rejected = 0
    let passedCorrupt = 0
    fc.assert(
      fc.property(
        segmentArb,
        fc.array(fc.record({pos: fc.nat(), xor: fc.integer({min: 1, max: 255})}), {minLength: 1, maxLength: 4}),
        fc.nat(),
        fc.boolean(),
        (seg, flips, cut, truncate) => {
          const frame = Buffer.from(encodeTcpPacket(HOST, DEV, seg))
          for (const f of flips) frame[f.pos % frame.length]! ^= f.xor
          const mutated = truncate ? frame.subarray(0, cut % (frame.length + 1)) : frame
          try {
            const got = decodeFrame(mutated)
            if (seg.crc && got.crc && !got.payload.equals(seg.payload)) passedCorrupt++
          } catch (e) {
            if (!(e instanceof LinkError)) throw e
            rejected++
          }
        },
      ),
      {numRuns: 30000},
    )
    expect(rejected).toBeGreaterThan(25000)
    expect(passedCorrupt).toBe(0)
  })

  test('property: arbitrary bytes as a frame: parse or LinkError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 120}), (bytes) => parsesOrRejects(() => decodeFrame(Buffer.from(bytes)))),
      {numRuns: 20000},
    )
    // frames that pass the IPv4 checks so the TCP decoder sees random headers/options
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 100}), (tcp) => {
        const frame = encodeIpv4({src: HOST, dst: DEV, protocol: 6, payload: Buffer.from(tcp)})
        parsesOrRejects(() => decodeFrame(frame))
      }),
      {numRuns: 25000},
    )
  })
})
