import {describe, expect, test} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {abiImportNames, repoRoot} from './helpers.js'

describe('sdk/ABI.md covers the C library', () => {
  const abi = abiImportNames()

  test('every import libapplibs declares is listed in sdk/ABI.md', () => {
    const header = readFileSync(join(repoRoot, 'sdk', 'libapplibs', 'internal.h'), 'utf8')
    const declared = [...header.matchAll(/^(SPHERE|APPLIBS)\("([a-z_0-9]+)"\)/gm)].map((m) => `${m[1] === 'SPHERE' ? 'sphere' : 'applibs'}.${m[2]}`)
    expect(declared.length).toBeGreaterThan(100)
    const missing = declared.filter((d) => !abi.has(d))
    expect(missing).toEqual([])
  })

  test('the parser sees all three modules', () => {
    const modules = new Set([...abi].map((n) => n.split('.')[0]))
    expect([...modules].sort()).toEqual(['applibs', 'sphere', 'wasi_snapshot_preview1'])
    expect(abi.has('wasi_snapshot_preview1.poll_oneoff')).toBe(true)
    expect(abi.has('sphere.epoll_wait')).toBe(true)
    expect(abi.has('applibs.gpio_open_output')).toBe(true)
  })
})
