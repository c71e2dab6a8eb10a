/**
 * kill -9 during updates (issue 7): a child process runs app updates (bad images that roll back, good ones
 * that are kept), OS updates (bootable or not) and reboots in a loop and is SIGKILLed at a pseudo-random
 * point. After every kill the state verifies, only referenced image files remain, the OS boots, and the
 * device comes back with the app RUNNING a good image: never without a bootable image.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Device, StateStore} from '../../../src/os/index.js'
import {CACHE_DIR, tempDir, wat} from '../helpers.js'
import {APP, version} from './helpers.js'
import {transpiledTree} from '../../helpers/transpiled-tree.js'

const here = dirname(fileURLToPath(import.meta.url))
const TRIALS = Number(process.env.SPHERE_UPDATE_TRIALS ?? 100)
const PARALLEL = 3

let tmp: {dir: string; cleanup: () => void}
let root: string
let goodPath: string
let badPath: string

beforeAll(async () => {
  tmp = tempDir('sphere-kill9-')
  root = transpiledTree(tmp.dir)
  goodPath = join(tmp.dir, 'good.wasm')
  badPath = join(tmp.dir, 'bad.wasm')
  writeFileSync(goodPath, await wat('blink'))
  writeFileSync(badPath, await wat('trap'))
  // instrument once here so children hit the shared cache
  const d = await Device.boot({stateDir: join(tmp.dir, 'warm'), clock: 'fast-forward', cacheDir: CACHE_DIR})
  await d.install(await version(1, true), {start: false})
  await d.install(await version(2, false), {start: false})
  await d.shutdown()
})
afterAll(() => tmp.cleanup())

/** Start the child, let it work `delayMs` after it is ready, then SIGKILL it. */
function runAndKill(stateDir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'update-child.mjs'), root, stateDir, CACHE_DIR, goodPath, badPath],
      {stdio: ['ignore', 'pipe', 'pipe']},
    )
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs))
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${err}`)),
    )
  })
}

describe('kill -9 during updates', () => {
  test(`${TRIALS} trials: after SIGKILL at a random point the device boots and runs a good image`, async () => {
    let onTrial = 0
    let withPrevious = 0
    let osPending = 0
    const trial = async (i: number): Promise<void> => {
      const stateDir = join(tmp.dir, `s${i}`)
      // deterministic pseudo-random kill points spread over 0..400 ms of update work
      await runAndKill(stateDir, (i * 97) % 401)
      const store = StateStore.open(stateDir, {cacheDir: CACHE_DIR})
      expect(store.verify()).toEqual([])
      const recs = store.registry()
      expect(recs).toHaveLength(1)
      const rec = recs[0]!
      if (rec.trial) onTrial++
      if (rec.previous) withPrevious++
      expect(readdirSync(join(stateDir, 'images')).sort()).toEqual(
        [rec.file, ...(rec.previous ? [rec.previous.file] : [])].sort(),
      )
      const os = JSON.parse(readFileSync(join(stateDir, 'os.json'), 'utf8')) as {pending?: unknown}
      if (os.pending) osPending++
      const dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR})
      try {
        expect(dev.updates.problems()).toEqual([])
        expect(dev.osVersion().version).toMatch(/^2[56]\.\d+$/)
        await dev.runFor(20_000)
        const st = dev.appStatus(APP)
        expect(st.state).toBe('running')
        expect(st.name).toMatch(/^good-/)
        expect(dev.store.verify()).toEqual([])
      } finally {
        await dev.shutdown()
      }
    }
    for (let i = 0; i < TRIALS; i += PARALLEL) {
      await Promise.all(Array.from({length: Math.min(PARALLEL, TRIALS - i)}, (_, k) => trial(i + k)))
    }
    // the kills landed in the interesting phases too
    console.log(
      `kill -9 trials: ${TRIALS}, on trial at the kill: ${onTrial}, with a B slot: ${withPrevious}, OS update pending: ${osPending}`,
    )
    expect(onTrial).toBeGreaterThan(TRIALS / 10)
    expect(withPrevious).toBeGreaterThan(TRIALS / 4)
  }, 900_000)
})
