#!/usr/bin/env node
// kill -9 soak over dist/ (npm run soak builds first): children boot a device from dist/ and do install,
// update, storage-write or capability-update work until SIGKILLed at a pseudo-random point; after every kill
// the state must verify, hold the mode's invariant, and boot.
//   node bench/soak.js [trials=1000] [parallel=3]
// Prints `kill -9 soak: N trials, 0 inconsistent states` (and the first failures); exits 1 on any.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {prepare, soak, warm} from '../test/fixtures/security/soak.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = process.env.SPHERE_DIST ?? join(root, 'dist')
const os = await import(pathToFileURL(join(dist, 'os', 'index.js')).href)
const image = await import(pathToFileURL(join(dist, 'image', 'index.js')).href)
const trials = Math.max(1, Number(process.argv[2] ?? 1000) | 0)
const parallel = Math.max(1, Number(process.argv[3] ?? 3) | 0)
const work = mkdtempSync(join(tmpdir(), 'sphere-soak-'))
const cacheDir = join(work, 'cache')
const t0 = performance.now()
try {
  const {perMode} = await prepare(image, work)
  await warm(os, image, work, cacheDir)
  let last = 0
  const r = await soak({
    os,
    treeRoot: dist,
    work,
    cacheDir,
    trials,
    parallel,
    perMode,
    onProgress: (done, total) => {
      if (done - last >= 100 || done === total) {
        last = done
        console.log(`  ${done}/${total} trials`)
      }
    },
  })
  console.log(
    `kill -9 soak: ${r.trials} trials, ${r.inconsistent} inconsistent states (${Object.entries(r.perMode)
      .map(([m, v]) => `${m} ${v.trials} (${v.changed} changed the state, ${v.booted} booted)`)
      .join(', ')}), ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )
  for (const f of r.failures)
    console.log(`  trial ${f.trial} (${f.mode}, kill after ${f.delay} ms): ${f.problems.join('; ')}`)
  process.exitCode = r.inconsistent === 0 && r.trials === trials ? 0 : 1
} finally {
  rmSync(work, {recursive: true, force: true})
}
