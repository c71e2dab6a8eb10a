import {describe, expect, it} from '@jest/globals'
import fc from 'fast-check'
import {toHex, verifyImagePackage} from '../../src/image/index.js'
import {newKey, smallPackage} from './helpers.js'

describe('flipping any single byte of a signed package makes verification fail', () => {
  const key = newKey()
  const pkg = smallPackage(key)
  const trust = [{name: 'k', kind: 'public-key' as const, publicKey: key.publicKey, thumbprint: toHex(key.thumbprint)}]

  it('the untouched package verifies', () => {
    expect(verifyImagePackage(pkg, trust).ok).toBe(true)
  })

  it(`every offset (${pkg.length} of them), each with a different non-zero XOR mask`, () => {
    const passed: number[] = []
    const reasons = new Map<string, number>()
    for (let off = 0; off < pkg.length; off++) {
      const b = pkg.slice()
      b[off] = (b[off] as number) ^ (((off * 131) % 255) + 1)
      const r = verifyImagePackage(b, trust)
      if (r.ok) passed.push(off)
      else reasons.set(r.code, (reasons.get(r.code) ?? 0) + 1)
    }
    expect(passed).toEqual([])
    // the CRC guards the file system, the signature guards everything
    expect(reasons.get('IMAGE_BAD_CRC')).toBeGreaterThan(0)
    expect(reasons.get('IMAGE_BAD_SIGNATURE')).toBeGreaterThan(0)
  })

  it('random offsets and masks (property)', () => {
    fc.assert(
      fc.property(fc.nat({max: pkg.length - 1}), fc.integer({min: 1, max: 255}), (off, mask) => {
        const b = pkg.slice()
        b[off] = (b[off] as number) ^ mask
        return verifyImagePackage(b, trust).ok === false
      }),
      {numRuns: 2000},
    )
  })
})
