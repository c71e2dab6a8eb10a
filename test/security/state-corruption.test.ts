/**
 * A corrupted state directory (truncated or bit-flipped files) is detected at boot and reported as
 * STATE_CORRUPT naming what is damaged; it is never silently used. The instrumented-binary cache (derived
 * data) is checked too: a damaged entry is redone, never run. A directory written by an older build (no
 * integrity data yet) is upgraded in place without losing anything.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {clearAppCache, Device} from '../../src/os/index.js'
import {appImage, cid, tempDir} from '../os/helpers.js'

let tmp: {dir: string; cleanup: () => void}
let pristine: string
let cacheDir: string
const STORE_OWNED = /^(format|device\.json|apps\.json|images\/.+\.img|storage\/.+\.bin)$/

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

/** A small deterministic PRNG (mulberry32) for flip positions. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let n = 0
function copy(): string {
  const d = join(tmp.dir, `c${n++}`)
  cpSync(pristine, d, {recursive: true})
  return d
}

const boot = (stateDir: string) => Device.boot({stateDir, clock: 'fast-forward', cacheDir, multiApp: true})

beforeAll(async () => {
  tmp = tempDir('sphere-sec-state-')
  pristine = join(tmp.dir, 'pristine')
  cacheDir = join(tmp.dir, 'cache')
  const dev = await boot(pristine)
  await dev.install(await appImage(1, 'Keeper', 'victim', {MutableStorage: {SizeKB: 8}}))
  await dev.install(await appImage(2, 'Blink', 'blink', {Gpio: [8]}))
  dev.setManufacturingState('Module1Complete')
  await dev.runFor(200)
  await dev.shutdown()
})
afterAll(() => tmp.cleanup())

describe('corrupted state is detected at boot', () => {
  test('the pristine state boots, and the store owns a sealed copy of every file it reads', async () => {
    const owned = files(pristine).filter((f) => STORE_OWNED.test(f))
    expect(owned).toEqual(expect.arrayContaining(['apps.json', 'device.json', 'format', `storage/${cid(1)}.bin`]))
    expect(owned.filter((f) => f.startsWith('images/'))).toHaveLength(2)
    expect(JSON.parse(readFileSync(join(pristine, 'device.json'), 'utf8')).integrity).toMatch(/^sha256:[0-9a-f]{64}$/)
    const dev = await boot(copy())
    expect(dev.manufacturingState()).toBe('Module1Complete')
    expect(new TextDecoder().decode(dev.store.readMutable(cid(1))).slice(0, 16)).toBe('SECRET-OF-VICTIM')
    await dev.shutdown()
  })

  test('every store file, truncated (to 0, to half, by one byte) or with one bit flipped (12 places), is refused with STATE_CORRUPT', async () => {
    const owned = files(pristine).filter((f) => STORE_OWNED.test(f))
    let trials = 0
    for (const f of owned) {
      const orig = readFileSync(join(pristine, f))
      const variants: [string, Buffer][] = [
        ['empty', Buffer.alloc(0)],
        ['half', orig.subarray(0, orig.length >> 1)],
        ['minus one byte', orig.subarray(0, orig.length - 1)],
      ]
      const r = rng(orig.length)
      for (let i = 0; i < 12; i++) {
        const at = i === 0 ? 0 : i === 1 ? orig.length - 1 : Math.floor(r() * orig.length)
        const b = Buffer.from(orig)
        b[at]! ^= 1 << Math.floor(r() * 8)
        variants.push([`bit flip at ${at}`, b])
      }
      for (const [what, bytes] of variants) {
        const d = copy()
        writeFileSync(join(d, f), bytes)
        let err: {code?: string; message?: string} | undefined
        try {
          const dev = await boot(d)
          await dev.shutdown()
        } catch (e) {
          err = e as {code?: string; message?: string}
        }
        if (err?.code !== 'STATE_CORRUPT')
          throw new Error(`${f} ${what}: booted or failed otherwise (${err?.code} ${err?.message})`)
        expect(err.message).toMatch(/damaged/)
        // the report names the damaged file (an image is named by its app)
        expect(err.message).toContain(f.startsWith('images/') ? 'stored image of' : f.split('/').pop())
        trials++
      }
    }
    expect(trials).toBe(files(pristine).filter((f) => STORE_OWNED.test(f)).length * 15)
  })

  test('a damaged entry of the instrumented-binary cache is redone, never run', async () => {
    const d = copy()
    const wasm = readdirSync(cacheDir).filter((f) => f.endsWith('.wasm'))
    expect(wasm.length).toBeGreaterThanOrEqual(2)
    for (const f of wasm) {
      const b = readFileSync(join(cacheDir, f))
      b[b.length >> 1]! ^= 0x10
      writeFileSync(join(cacheDir, f), b)
    }
    // the disk cache is read by the first load of a binary in a process: start from an empty process cache
    clearAppCache()
    const dev = await boot(d)
    await dev.runFor(300)
    expect(dev.appStatus(cid(2)).state).toBe('running')
    expect(dev.appStatus(cid(2)).restarts).toBe(0)
    await dev.shutdown()
    const {createHash} = await import('node:crypto')
    for (const f of wasm) {
      const sum = createHash('sha256')
        .update(readFileSync(join(cacheDir, f)))
        .digest('hex')
      expect(readFileSync(join(cacheDir, `${f}.sha256`), 'utf8')).toBe(sum)
    }
  })

  test('a directory written before integrity data existed is upgraded in place', async () => {
    const d = copy()
    // what an older build wrote: plain JSON, raw storage bytes, no format marker
    for (const f of ['device.json', 'apps.json']) {
      const {integrity: _i, ...rest} = JSON.parse(readFileSync(join(d, f), 'utf8')) as Record<string, unknown>
      void _i
      writeFileSync(join(d, f), JSON.stringify(rest, null, 2))
    }
    const raw = readFileSync(join(d, 'storage', `${cid(1)}.bin`)).subarray(40)
    writeFileSync(join(d, 'storage', `${cid(1)}.bin`), raw)
    const {rmSync} = await import('node:fs')
    rmSync(join(d, 'format'))
    const dev = await boot(d)
    expect(dev.manufacturingState()).toBe('Module1Complete')
    expect(dev.store.readMutable(cid(1))).toEqual(new Uint8Array(raw))
    expect(dev.store.verify()).toEqual([])
    await dev.shutdown()
    expect(readFileSync(join(d, 'format'), 'utf8')).toBe('sphere-state 2\n')
    expect(JSON.parse(readFileSync(join(d, 'apps.json'), 'utf8')).integrity).toMatch(/^sha256:/)
  })
})
