#!/usr/bin/env node
// The hostile-app catalogue over dist/ (npm run build first): every attack in test/fixtures/security/a*.wat
// runs beside a victim app and must be denied or contained with the victim unchanged (see runner.mjs).
//   node bench/security-catalogue.js [attack-prefix ...]
// Prints one line per attack and `hostile apps: N attacks / N contained`; exits 1 if any was not contained.
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {loadOs} from './_os.js'
import {loadCatalogue, runCatalogue, summaryLine} from '../test/fixtures/security/runner.mjs'

const only = process.argv.slice(2)
const os = await loadOs()
const dist = process.env.SPHERE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const rest = await import(pathToFileURL(join(dist, 'os', 'rest', 'index.js')).href)
const image = await import(pathToFileURL(join(dist, 'image', 'index.js')).href)
const replay = await import(pathToFileURL(join(dist, 'os', 'replay', 'index.js')).href)
const attacks = loadCatalogue().filter((a) => only.length === 0 || only.some((o) => a.id.startsWith(o)))
const t0 = performance.now()
const results = await runCatalogue({
  os,
  rest,
  image,
  replay,
  cacheDir: join(tmpdir(), 'sphere-bench-security-cache'),
  attacks,
  onResult: (r) =>
    console.log(
      `${r.contained ? 'contained' : 'NOT CONTAINED'}  ${r.id}  (${Math.round(r.wallMs ?? 0)} ms)${r.problems.length ? `: ${r.problems.join('; ')}` : ''}`,
    ),
})
console.log(summaryLine(results))
console.log(`catalogue wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`)
process.exit(results.every((r) => r.contained) ? 0 : 1)
