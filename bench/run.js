#!/usr/bin/env node
// Runs every bench/*.js (except this runner and the fuzz/soak entries) in its own process, in name order.
// Each bench prints its own lines; every speed figure is a ratio against a baseline measured in the same run.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const skip = new Set(['run.js', 'fuzz.js', 'soak.js'])
const files = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !skip.has(f) && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
let failed = 0
for (const f of files) {
  console.log(`\n== ${f}`)
  const r = spawnSync(process.execPath, [join(here, f)], {stdio: 'inherit'})
  if (r.status !== 0) {
    failed++
    console.log(`!! ${f} exited with ${r.status}`)
  }
}
process.exit(failed ? 1 : 0)
