import {describe, expect, test} from '@jest/globals'
import {requireToolchain, SDK_APT_PACKAGES} from '../../src/sdk/index.js'
import {toolchainPresent} from './helpers.js'

describe('toolchain check', () => {
  test('with no tools on PATH, the error names what is missing and the apt packages', () => {
    let err: unknown
    try {
      requireToolchain({PATH: '/nonexistent-dir'})
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({code: 'SDK_TOOLCHAIN_MISSING'})
    const e = err as {message: string; suggestions: string[]}
    expect(e.message).toMatch(/clang/)
    expect(e.message).toMatch(/cmake/)
    expect(e.message).toMatch(/ninja/)
    expect(e.suggestions[0]).toMatch(/apt-get install .*clang-14.*lld-14.*cmake.*ninja-build/)
    expect(e.suggestions[1]).toContain(SDK_APT_PACKAGES.join(' '))
  })

  ;(toolchainPresent ? test : test.skip)('on this machine every tool is found', () => {
    const t = requireToolchain()
    expect(t.clang).toMatch(/clang/)
    expect(t.wasiSysroot.lib).toMatch(/wasm32-wasi/)
  })
})
