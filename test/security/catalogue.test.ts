/**
 * The hostile-app catalogue (test/fixtures/security/a*.wat, one attack per file): every attack runs beside a
 * victim app on a fast-forward device and must be denied or contained, leave a record (audit log, OS log
 * line, OS event or install refusal), and leave the victim's GPIO timing, log and storage as they are when
 * it runs alone. One test per attack, against one baseline run of the victim; prints
 * `hostile apps: N attacks / N contained` once at the end.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import * as image from '../../src/image/index.js'
import * as os from '../../src/os/index.js'
import * as replay from '../../src/os/replay/index.js'
import * as rest from '../../src/os/rest/index.js'
import {
  loadCatalogue,
  prepareCatalogue,
  summaryLine,
  type Attack,
  type AttackResult,
  type CatalogueRunner,
} from '../fixtures/security/runner.mjs'
import {CACHE_DIR} from '../os/helpers.js'

// SPHERE_ATTACKS=a01,a12 runs a subset (for work on one attack); the full catalogue runs in CI.
const only = process.env.SPHERE_ATTACKS?.split(',').filter(Boolean)
const catalogue = loadCatalogue()
const attacks = catalogue.filter((a) => !only || only.some((o) => a.id.startsWith(o)))
const verbose = process.env.SPHERE_SEC_VERBOSE === '1'

describe('hostile-app catalogue', () => {
  let runner: CatalogueRunner | undefined
  const results: AttackResult[] = []

  beforeAll(async () => {
    runner = await prepareCatalogue({os, rest, image, replay, cacheDir: CACHE_DIR})
  }, 120_000)

  afterAll(() => {
    runner?.close()
    if (results.length > 0) process.stdout.write(`${summaryLine(results)}\n`)
  })

  test(
    only ? `SPHERE_ATTACKS=${only.join(',')} selects at least one attack` : 'the catalogue holds at least 25 attacks',
    () => {
      expect(attacks.length).toBeGreaterThanOrEqual(only ? 1 : 25)
    },
  )

  // Each attack instruments a new app on a new device: ~3 s on an idle 2-core machine, far more under load.
  if (attacks.length > 0)
    test.each(attacks.map((a): [string, string, Attack] => [a.id, a.title, a]))(
      '%s: %s',
      async (_id, _title, a) => {
        if (!runner) throw new Error('the baseline run of the victim failed (see beforeAll)')
        const r = await runner.run(a)
        results.push(r)
        if (verbose)
          process.stdout.write(
            `${r.contained ? 'ok  ' : 'FAIL'} ${r.id} ${Math.round(r.wallMs ?? 0)} ms ${r.problems.join('; ')}\n`,
          )
        // the problems name what changed, so a regression reads as the attack and what it achieved
        expect(r.problems).toEqual([])
        expect(r.contained).toBe(true)
      },
      300_000,
    )
})
