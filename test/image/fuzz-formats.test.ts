import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {encodeMetadata, parseMetadata, readAsxipfs, writeAsxipfs, SectionId} from '../../src/image/index.js'
import {fixCrc, mutate, mutationArb, onlySphereErrors} from './fuzz-helpers.js'

const ids = [...Object.values(SectionId), 0, 0x5a5a, 0xffff]
const sectionArb = fc.record({
  id: fc.oneof(fc.constantFrom(...ids), fc.nat({max: 0xffff})),
  data: fc.oneof(
    fc.uint8Array({maxLength: 48}),
    fc.constantFrom(36, 24, 40, 4, 8, 12, 20).map((n) => new Uint8Array(n)),
    fc
      .array(fc.nat(), {maxLength: 4})
      .map((v) => new Uint8Array(new Uint32Array([v.length, ...v.flatMap((x) => [x, x % 4])]).buffer)),
  ),
})

describe('fuzz: metadata parser', () => {
  it('22,000 generated and mutated section lists: only SphereErrors', () => {
    let ok = 0
    fc.assert(
      fc.property(fc.array(sectionArb, {maxLength: 8}), fc.array(mutationArb, {maxLength: 3}), (sections, muts) => {
        const md = encodeMetadata(sections)
        const b = mutate(md, muts, [4, 8, 10, md.length - 4])
        onlySphereErrors(() => {
          const m = parseMetadata(b)
          ok++
          if (m.length !== b.length) throw new Error('length mismatch')
        })
      }),
      {numRuns: 22000},
    )
    expect(ok).toBeGreaterThan(100)
  })
})

const nameArb = fc.oneof(
  fc.constantFrom('bin', 'app', 'app_manifest.json', 'lib', 'a', 'b', 'z', 'é', 'x.y'),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).filter((s) => s !== '.' && s !== '..'),
)
const treeArb = fc.dictionary(
  fc.array(nameArb, {minLength: 1, maxLength: 4}).map((p) => p.join('/')),
  fc.oneof(
    fc.uint8Array({maxLength: 64}),
    fc.nat({max: 9000}).map((n) => new Uint8Array(n).fill(n & 0xff)),
  ),
  {maxKeys: 8},
)

/** Drops paths that would use a file as a directory (the writer rightly refuses those). */
function consistent(tree: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {}
  const keys = Object.keys(tree).sort((a, b) => a.length - b.length)
  for (const k of keys) {
    if (Object.keys(out).some((o) => k.startsWith(o + '/') || o.startsWith(k + '/'))) continue
    out[k] = tree[k] as Uint8Array
  }
  return out
}

describe('fuzz: ASXipFS reader and writer', () => {
  it('3,000 random trees round-trip exactly (write -> read)', () => {
    fc.assert(
      fc.property(treeArb, (raw) => {
        const tree = consistent(raw)
        const img = writeAsxipfs(tree)
        expect(img.length % 4096).toBe(0)
        const back = readAsxipfs(img)
        expect([...back.files.keys()].sort()).toEqual(Object.keys(tree).sort())
        for (const [k, v] of Object.entries(tree))
          expect(Buffer.from(back.files.get(k) as Uint8Array).equals(Buffer.from(v))).toBe(true)
        for (const e of back.entries) if (e.type === 'file' && e.size > 0) expect(e.offset % 4096).toBe(0)
      }),
      {numRuns: 3000},
    )
  })

  it('15,000 mutated images (CRC fixed up half the time): only SphereErrors', () => {
    let ok = 0
    fc.assert(
      fc.property(treeArb, fc.array(mutationArb, {minLength: 1, maxLength: 4}), fc.boolean(), (raw, muts, crc) => {
        const img = writeAsxipfs(consistent(raw))
        let b = mutate(img, muts, [4, 8, 0x2c, 0x40, 0x44, 0x48, 0x4c, 0x50, 0x54, 0x58, 0x5c, 0x60, 0x64])
        if (crc) b = fixCrc(b)
        onlySphereErrors(() => {
          readAsxipfs(b)
          ok++
        })
      }),
      {numRuns: 15000},
    )
    expect(ok).toBeGreaterThan(100)
  })
})
