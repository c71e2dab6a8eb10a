/**
 * The hostile-app catalogue (test/fixtures/security/a*.wat, one attack per file): every attack runs beside a
 * victim app on a fast-forward device and must be denied or contained, leave a record (audit log, OS log
 * line, OS event or install refusal), and leave the victim's GPIO timing, log and storage as they are when
 * it runs alone. Prints `hostile apps: N attacks / N contained`.
 */
import {describe, expect, test} from '@jest/globals'
import * as os from '../../src/os/index.js'
import {loadCatalogue, runCatalogue, summaryLine, type AttackResult} from '../fixtures/security/runner.mjs'
import {CACHE_DIR} from '../os/helpers.js'

const attacks = loadCatalogue()

describe('hostile-app catalogue', () => {
  test(`${attacks.length} attacks, each denied or contained with the victim unchanged`, async () => {
    const results: AttackResult[] = await runCatalogue({os, cacheDir: CACHE_DIR, attacks})
    const failed = results.filter((r) => !r.contained)
    const line = summaryLine(results)
    process.stdout.write(`${line}\n`)
    // one line per attack in the failure message, so a regression names the attack and what changed
    expect(failed.map((r) => `${r.id}: ${r.problems.join('; ')}`)).toEqual([])
    expect(results.length).toBeGreaterThanOrEqual(25)
    expect(line).toBe(`hostile apps: ${results.length} attacks / ${results.length} contained`)
  }, 300_000)
})
