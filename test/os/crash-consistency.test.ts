import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Device, StateStore} from '../../src/os/index.js'
import {CACHE_DIR, appImage, tempDir} from './helpers.js'
import {transpiledTree} from '../helpers/transpiled-tree.js'

const here = dirname(fileURLToPath(import.meta.url))
const TRIALS = Number(process.env.SPHERE_CRASH_TRIALS ?? 100)
const PARALLEL = 3

function content(n: number): Uint8Array {
  const out = new Uint8Array(4096)
  new DataView(out.buffer).setUint32(0, n, true)
  let off = 4
  let i = 0
  while (off < out.length) {
    const h = createHash('sha256').update(`${n}/${i++}`).digest()
    out.set(h.subarray(0, Math.min(h.length, out.length - off)), off)
    off += h.length
  }
  return out
}

/**
 * Run the child until it prints `anchor` (`ready`: booted; `committed`: its first install or write is done), let
 * it work for `delayMs` more, then SIGKILL it. Anchoring on the first commit keeps the share of trials that
 * check a committed state independent of how fast the host is.
 */
function runAndKill(root: string, stateDir: string, wasmPath: string, mode: string, delayMs: number, anchor: 'ready' | 'committed'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'crash-child.mjs'), root, stateDir, CACHE_DIR, wasmPath, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    let out = ''
    let armed = false
    child.stdout.on('data', (d) => {
      out += d
      if (!armed && out.split('\n').includes(anchor)) {
        armed = true
        setTimeout(() => child.kill('SIGKILL'), delayMs)
      }
    })
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${err}`)),
    )
  })
}

let tmp: {dir: string; cleanup: () => void}
let root: string
let wasmPath: string

beforeAll(async () => {
  tmp = tempDir('sphere-crash-')
  root = transpiledTree(tmp.dir)
  // Instrument once here so children hit the shared cache.
  const img = await appImage(0xaa, 'v0', 'victim', {MutableStorage: {SizeKB: 8}})
  wasmPath = join(tmp.dir, 'app.wasm')
  writeFileSync(wasmPath, img.files.get('bin/app')!)
  const d = await Device.boot({stateDir: join(tmp.dir, 'warm'), clock: 'fast-forward', cacheDir: CACHE_DIR})
  await d.install(img, {start: false})
  await d.shutdown()
})
afterAll(() => tmp.cleanup())

describe('kill -9 during install and storage writes', () => {
  test(`${TRIALS} trials: after SIGKILL at a random point the state is old or new, never torn`, async () => {
    let installs = 0
    let writes = 0
    const trial = async (i: number): Promise<void> => {
      const stateDir = join(tmp.dir, `s${i}`)
      const mode = i % 2 === 0 ? 'install' : 'write'
      // deterministic pseudo-random kill points spread over 0..60 ms of work
      const delay = (i * 37) % 61
      // a third of the trials may be killed before anything was committed; the rest after the first commit
      await runAndKill(root, stateDir, wasmPath, mode, delay, i % 3 === 0 ? 'ready' : 'committed')
      const store = StateStore.open(stateDir, {cacheDir: CACHE_DIR})
      expect(store.verify()).toEqual([])
      const recs = store.registry()
      expect(recs.length).toBeLessThanOrEqual(1)
      if (recs[0]) {
        const img = store.readImage(recs[0])
        const n = parseInt(recs[0].imageId.slice(24), 16)
        expect(img.manifest.Name).toBe(`v${n}`)
        expect(img.files.get('resources/blob')).toEqual(content(n).subarray(0, 1024 + ((n * 977) % 3000)))
        installs++
      }
      // only referenced images remain after the boot-time clean-up
      expect(readdirSync(join(stateDir, 'images'))).toEqual(recs.map((r) => r.file))
      const m = store.readMutable('00000000-0000-0000-0000-0000000000aa')
      if (m && m.length > 0) {
        const n = new DataView(m.buffer, m.byteOffset).getUint32(0, true)
        expect(m).toEqual(content(n))
        writes++
      }
      // and the device boots from it
      const dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR})
      expect(dev.listImages().components.length).toBe(recs.length)
      await dev.shutdown()
    }
    for (let i = 0; i < TRIALS; i += PARALLEL) {
      await Promise.all(Array.from({length: Math.min(PARALLEL, TRIALS - i)}, (_, k) => trial(i + k)))
    }
    // two thirds of the trials were killed after at least one commit, so both kinds of state were checked
    expect(installs).toBeGreaterThan(TRIALS / 4)
    expect(writes).toBeGreaterThan(TRIALS / 4)
  }, 600_000)
})
