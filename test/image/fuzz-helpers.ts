import fc from 'fast-check'
import {SphereError} from '../../src/util/errors.js'
import {crc32} from '../../src/image/index.js'

/** Runs a parser on hostile input: it may return or throw a one-line SphereError; anything else is a crash. */
export function onlySphereErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof SphereError)) throw e
    if (/[\r\n]/.test(e.message) || e.message.length === 0 || e.message.length > 2000)
      throw new Error(`bad error message: ${JSON.stringify(e.message)}`)
  }
}

const interesting = [
  0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe,
  0xffffffff,
]

export type Mutation =
  | {kind: 'flip'; at: number[]; mask: number[]}
  | {kind: 'u32'; at: number; value: number}
  | {kind: 'u16'; at: number; value: number}
  | {kind: 'truncate'; len: number}
  | {kind: 'append'; bytes: Uint8Array}
  | {kind: 'delete'; at: number; len: number}
  | {kind: 'copy'; from: number; to: number; len: number}

/** Mutations addressed by fractions of the input length, so one arbitrary fits inputs of any size. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), {minLength: 1, maxLength: 8}),
    mask: fc.array(fc.integer({min: 1, max: 255}), {minLength: 8, maxLength: 8}),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...interesting), fc.nat({max: 0xffffffff})),
  }),
  fc.record({
    kind: fc.constant('u16' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 4, 0x24, 0xffff, 0x8000), fc.nat({max: 0xffff})),
  }),
  fc.record({kind: fc.constant('truncate' as const), len: fc.nat()}),
  fc.record({kind: fc.constant('append' as const), bytes: fc.uint8Array({maxLength: 64})}),
  fc.record({kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({min: 1, max: 300})}),
  fc.record({kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), len: fc.integer({min: 1, max: 64})}),
)

/** Applies mutations; `hot` offsets (field positions) are favoured by the caller passing them in. */
export function mutate(input: Uint8Array, muts: Mutation[], hot: number[] = []): Uint8Array {
  let b = input.slice()
  const pick = (n: number): number => {
    if (b.length === 0) return 0
    if (hot.length > 0 && n % 3 === 0) return Math.min(b.length - 1, hot[Math.floor(n / 3) % hot.length] as number)
    return n % b.length
  }
  const dv = (): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)
  for (const m of muts) {
    switch (m.kind) {
      case 'flip':
        m.at.forEach((a, i) => {
          if (b.length) {
            const o = pick(a)
            b[o] = (b[o] as number) ^ (m.mask[i] as number)
          }
        })
        break
      case 'u32': {
        const o = pick(m.at) & ~3
        if (o + 4 <= b.length) dv().setUint32(o, m.value >>> 0, true)
        break
      }
      case 'u16': {
        const o = pick(m.at)
        if (o + 2 <= b.length) dv().setUint16(o, m.value, true)
        break
      }
      case 'truncate':
        b = b.slice(0, b.length ? m.len % b.length : 0)
        break
      case 'append': {
        const n = new Uint8Array(b.length + m.bytes.length)
        n.set(b)
        n.set(m.bytes, b.length)
        b = n
        break
      }
      case 'delete': {
        if (!b.length) break
        const o = pick(m.at)
        const end = Math.min(b.length, o + m.len)
        const n = new Uint8Array(b.length - (end - o))
        n.set(b.subarray(0, o))
        n.set(b.subarray(end), o)
        b = n
        break
      }
      case 'copy': {
        if (!b.length) break
        const from = pick(m.from)
        const to = pick(m.to)
        const len = Math.min(m.len, b.length - from, b.length - to)
        b.copyWithin(to, from, from + len)
        break
      }
    }
  }
  return b
}

/** Recomputes the ASXipFS CRC (when the superblock size is sane) so mutations reach the inode walk. */
export function fixCrc(b: Uint8Array): Uint8Array {
  if (b.length < 76) return b
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const size = dv.getUint32(4, true)
  if (size < 0x24 || size > b.length) return b
  dv.setUint32(0x20, 0, true)
  dv.setUint32(0x20, crc32(b.subarray(0, size)), true)
  return b
}
