/**
 * Fault injection: kill -9 of a process running the Device at random points of install, update (stage +
 * install of signed packages), storage writes (by an app, through the syscalls) and capability updates.
 * After every kill the state directory verifies, the mode's invariant holds (nothing torn, nothing never
 * written), and the device boots from it. CI runs SPHERE_KILL9_TRIALS (default 100); `npm run soak` runs
 * 1,000 over dist/.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import * as image from '../../src/image/index.js'
import * as os from '../../src/os/index.js'
import {prepare, soak, warm} from '../fixtures/security/soak.mjs'
import {CACHE_DIR, tempDir} from '../os/helpers.js'
import {transpiledTree} from '../helpers/transpiled-tree.js'

const TRIALS = Number(process.env.SPHERE_KILL9_TRIALS ?? 100)

let tmp: {dir: string; cleanup: () => void}

beforeAll(() => {
  tmp = tempDir('sphere-sec-kill9-')
  transpiledTree(tmp.dir)
})
afterAll(() => tmp.cleanup())

describe('kill -9 at random points of install, update, storage write and capability update', () => {
  test(`${TRIALS} trials: 0 inconsistent states, the device boots after every kill`, async () => {
    const work = join(tmp.dir, 'work')
    const {perMode} = await prepare(image, work)
    await warm(os, image, work, CACHE_DIR)
    const r = await soak({os, treeRoot: join(tmp.dir, 'js'), work, cacheDir: CACHE_DIR, trials: TRIALS, perMode})
    process.stdout.write(
      `kill -9 trials: ${r.trials}, inconsistent: ${r.inconsistent} (${Object.entries(r.perMode)
        .map(([m, v]) => `${m} ${v.trials} (state changed by ${v.changed})`)
        .join(', ')})\n`,
    )
    expect(r.failures).toEqual([])
    expect(r.inconsistent).toBe(0)
    expect(r.trials).toBe(TRIALS)
    for (const m of Object.values(r.perMode)) {
      expect(m.booted).toBe(m.trials)
      // most kills interrupted work that was changing the state (not an idle device)
      expect(m.changed).toBeGreaterThan(m.trials / 2)
    }
  }, 900_000)
})
