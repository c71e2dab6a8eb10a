import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {readFileSync} from 'node:fs'
import {packApplication, parseImagePackage, verifyImagePackage, signImagePackage, toHex} from '../../src/image/index.js'
import {ANVIL_PACKAGE, newKey, smallPackage, testManifest} from './helpers.js'
import {fixCrc, mutate, mutationArb, onlySphereErrors} from './fuzz-helpers.js'

const key = newKey()
const trust = [{name: 'k', kind: 'public-key' as const, publicKey: key.publicKey, thumbprint: toHex(key.thumbprint)}]
const bases = [
  smallPackage(key),
  new Uint8Array(readFileSync(ANVIL_PACKAGE)),
  packApplication({
    manifest: testManifest({ApplicationType: 'RealTimeCapable', Capabilities: {}}),
    files: {
      'bin/app': new Uint8Array(100).fill(7),
      'a/b/c/d': new Uint8Array(5000).fill(3),
      'a/e': new Uint8Array(0),
      z: new Uint8Array(1),
    },
    key,
  }),
]
/** Field offsets worth hitting: superblock, root inode, directory tables, metadata header and section headers, trailer. */
const hot = (b: Uint8Array): number[] => {
  const fsSize = new DataView(b.buffer, b.byteOffset).getUint32(4, true)
  return [
    4,
    8,
    0x20,
    0x2c,
    0x40,
    0x44,
    0x48,
    0x4c,
    0x50,
    0x54,
    0x6c,
    0x70,
    0x74,
    0x7c,
    0x80,
    0x84,
    fsSize,
    fsSize + 4,
    fsSize + 8,
    fsSize + 10,
    fsSize + 48,
    fsSize + 50,
    fsSize + 74,
    b.length - 68,
  ]
}

describe('fuzz: image package parser (parseImagePackage + verifyImagePackage + signImagePackage)', () => {
  it('30,000 mutated real and generated packages: only SphereErrors, never a crash or a hang', () => {
    let parsed = 0
    fc.assert(
      fc.property(
        fc.constantFrom(0, 0, 1, 2),
        fc.array(mutationArb, {minLength: 1, maxLength: 4}),
        fc.boolean(),
        (which, muts, crc) => {
          const base = bases[which] as Uint8Array
          let b = mutate(base, muts, hot(base))
          if (crc) b = fixCrc(b)
          let ok = false
          onlySphereErrors(() => {
            const p = parseImagePackage(b)
            ok = true
            parsed++
            let total = 0
            for (const f of p.files.values()) total += f.length
            if (total > b.length) throw new Error('files larger than the input')
          })
          if (!ok) return // verify and sign parse first: they would fail the same way
          const r = verifyImagePackage(b, trust)
          if (r.ok && which !== 1 && b.length === base.length && !Buffer.from(b).equals(Buffer.from(base)))
            throw new Error('a mutated package verified')
          if (muts.length === 1) onlySphereErrors(() => signImagePackage(b, key))
        },
      ),
      {numRuns: 30000},
    )
    expect(parsed).toBeGreaterThan(1000) // CRC fix-ups let many mutants through to the deeper checks
  })

  it('5,000 random byte strings (some with plausible headers)', () => {
    const header = fc.constantFrom(
      new Uint8Array(0),
      new Uint8Array([0x45, 0x3d, 0xcd, 0x28]),
      new Uint8Array([0x34, 0x58, 0x34, 0x4d]),
    )
    fc.assert(
      fc.property(header, fc.uint8Array({maxLength: 600}), fc.uint8Array({maxLength: 80}), (h, body, tail) => {
        const b = new Uint8Array([...h, ...body, ...tail])
        onlySphereErrors(() => parseImagePackage(b))
        expect(verifyImagePackage(b, trust).ok).toBe(false)
      }),
      {numRuns: 5000},
    )
  })
})
