/**
 * The hostile soak in CI form (issue 20; the 10-minute wall-time soak is `npm run soak`, bench/soak.js): 20
 * attacks drawn from the catalogue with a fixed seed are deployed beside a HelloWorld-like blink app on one
 * fast-forward device: as many at once as its RAM takes, the rest in turn as the longest-running are deleted. The device must not restart, the blink app must keep every 100 ms interval within
 * 1 ms (device time), and the host's RSS must stay under 512 MiB. Seed 20 draws two heavy-call apps (192 KiB
 * random_get and 192 KiB log_write) beside a spinner: before heavy calls that gave way queued behind sleepers,
 * the blink app was 1.9 ms late.
 */
import {describe, expect, test} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {HostileSoakResult} from '../fixtures/security/soak.mjs'
import {transpiledTree} from '../helpers/transpiled-tree.js'
import {CACHE_DIR, tempDir} from '../os/helpers.js'

const here = dirname(fileURLToPath(import.meta.url))

describe('hostile soak (CI form)', () => {
  test('20 hostile apps beside blink: no restart, blink within 1 ms, RSS under 512 MiB', async () => {
    const tmp = tempDir('sphere-hostile-soak-')
    try {
      // in a process of its own (the device's host): a test worker's RSS also holds what earlier suites left
      const root = transpiledTree(tmp.dir)
      const child = spawnSync(process.execPath, [join(here, 'hostile-soak-child.mjs'), root, join(tmp.dir, 'work'), CACHE_DIR, '0.25', '20', '20'], {encoding: 'utf8', timeout: 110_000})
      expect({status: child.status, stderr: child.status === 0 ? '' : child.stderr}).toEqual({status: 0, stderr: ''})
      const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as HostileSoakResult
      expect(r.attacks).toHaveLength(20)
      // the device refuses what does not fit its RAM beside the others, as a real one does; the soak then deletes
      // the longest-running attacker (while it attacks) to deploy the next, so every one of the 20 runs
      expect(r.refused).toEqual([])
      expect([...r.installed].sort()).toEqual([...r.attacks].sort())
      expect(r.maxTogether).toBeGreaterThanOrEqual(8)
      expect(r.rotations).toBeGreaterThan(0)
      expect(r.problems).toEqual([])
      expect(r.restarted).toBe(false)
      expect(r.maxLateMs).toBeLessThanOrEqual(1)
      expect(r.peakRssMiB).toBeLessThan(512)
      expect(r.edges).toBeGreaterThan(100)
    } finally {
      tmp.cleanup()
    }
  }, 120_000)
})
