/**
 * Which wasm-opt runs Asyncify is not up to the machine: a native wasm-opt of another binaryen release than the
 * pinned one is passed over (binaryen 108, Debian 12's, turned a `table.set` of a declared `ref.func` into
 * `unreachable` at -O1, so catalogue attack a98 crashed on one machine and ran on another), and the cache key
 * names the release, so a module instrumented by one release is never taken for another's.
 */
import {afterAll, describe, expect, test} from '@jest/globals'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'
import {instrumentApp, instrumentKey} from '../../../src/os/runtime/instrument.js'
import {tempDir, wat} from '../helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('the Asyncify tool', () => {
  test('a wasm-opt of another binaryen release on PATH is not used; the pinned release instruments the app', async () => {
    // first on PATH: a wasm-opt that says it is release 108 and records every other use
    const fake = join(tmp.dir, 'wasm-opt')
    const used = join(tmp.dir, 'used')
    writeFileSync(fake, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "wasm-opt version 108"; exit 0; fi\necho "$@" >> ${used}\nexit 1\n`)
    chmodSync(fake, 0o755)
    const saved = {path: process.env.PATH, forced: process.env.SPHERE_WASM_OPT}
    process.env.PATH = `${tmp.dir}:${process.env.PATH ?? ''}`
    delete process.env.SPHERE_WASM_OPT
    try {
      const r = await instrumentApp(await wat('blink'), {cacheDir: join(tmp.dir, 'cache')})
      expect(r.tool).toBe('wasm-opt')
      expect(r.wasm.length).toBeGreaterThan(0)
      expect(() => readFileSync(used)).toThrow(/ENOENT/)
    } finally {
      process.env.PATH = saved.path
      if (saved.forced !== undefined) process.env.SPHERE_WASM_OPT = saved.forced
    }
  }, 60_000)

  test('the cache key names the pinned binaryen release', async () => {
    const bin = await wat('blink')
    const major = (createRequire(import.meta.url)('binaryen/package.json') as {version: string}).version.split('.')[0]
    const {createHash} = await import('node:crypto')
    const {INSTRUMENT_VERSION} = await import('../../../src/os/runtime/instrument.js')
    expect(instrumentKey(bin)).toBe(createHash('sha256').update(`${INSTRUMENT_VERSION}+binaryen${major}`).update(bin).digest('hex'))
  })
})
