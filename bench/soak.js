#!/usr/bin/env node
// The soaks over dist/ (npm run soak builds first), not run in CI:
// 1. kill -9: children boot a device from dist/ and do install, update, storage-write or capability-update work
//    until SIGKILLed at a pseudo-random point; after every kill the state must verify, hold the mode's
//    invariant, and boot. Prints `kill -9 soak: N trials, 0 inconsistent states`.
// 2. hostile apps: 20 attacks drawn at random from the catalogue run together for SOAK_MINUTES (default 10)
//    of wall time beside a HelloWorld-like blink app; the device must never restart, the blink app's timing
//    must stay within 1 ms of its period, and host RSS under 512 MiB. Prints `hostile soak: ...`.
//   node bench/soak.js [trials=1000] [parallel=3]
//   SOAK_PHASES=kill9,hostile (default both)  SOAK_MINUTES=10  SOAK_SEED=<n> (default random, printed)
//   SOAK_CLOCK=realtime|fast-forward (default realtime: timing in wall time)  SOAK_COUNT=20
//   SOAK_ATTACKS=a31,a58 (draw only from these)
// Exits 1 on any failure.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {hostileSoak, prepare, soak, warm} from '../test/fixtures/security/soak.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = process.env.SPHERE_DIST ?? join(root, 'dist')
const os = await import(pathToFileURL(join(dist, 'os', 'index.js')).href)
const image = await import(pathToFileURL(join(dist, 'image', 'index.js')).href)
const trials = Math.max(1, Number(process.argv[2] ?? 1000) | 0)
const parallel = Math.max(1, Number(process.argv[3] ?? 3) | 0)
const phases = (process.env.SOAK_PHASES ?? 'kill9,hostile').split(',').map((p) => p.trim())
for (const p of phases)
  if (p !== 'kill9' && p !== 'hostile') throw new Error(`SOAK_PHASES: unknown phase ${p} (kill9, hostile)`)
const work = mkdtempSync(join(tmpdir(), 'sphere-soak-'))
const cacheDir = join(work, 'cache')
let failed = false
try {
  if (phases.includes('kill9')) {
    const t0 = performance.now()
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
    if (r.inconsistent !== 0 || r.trials !== trials) failed = true
  }
  if (phases.includes('hostile')) {
    const minutes = Number(process.env.SOAK_MINUTES ?? 10)
    if (!(minutes > 0))
      throw new Error(`SOAK_MINUTES must be a positive number of minutes, not ${process.env.SOAK_MINUTES}`)
    const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const clock = process.env.SOAK_CLOCK ?? 'realtime'
    if (clock !== 'realtime' && clock !== 'fast-forward')
      throw new Error(`SOAK_CLOCK: realtime or fast-forward, not ${clock}`)
    console.log(`hostile soak: ${minutes} min, seed ${seed}, ${clock} clock`)
    const r = await hostileSoak({
      os,
      work,
      cacheDir,
      minutes,
      count: Number(process.env.SOAK_COUNT ?? 20),
      only: process.env.SOAK_ATTACKS?.split(',').filter(Boolean),
      seed,
      clock,
      onProgress: (p) =>
        console.log(`  ${p.elapsedS.toFixed(0)} s: ${p.edges} blink edges, peak RSS ${p.rssMiB.toFixed(0)} MiB`),
    })
    console.log(`  attacks: ${r.attacks.join(' ')}`)
    for (const x of r.refused) console.log(`  refused at install: ${x}`)
    console.log(`  ${r.installed.length} of ${r.attacks.length} ran, at most ${r.maxTogether} at once (the device's RAM), ${r.rotations} rotations`)
    const crashed = Object.entries(r.crashes).map(([c, n]) => `${c.slice(-4)}x${n}`)
    if (crashed.length) console.log(`  crashes (restarted with back-off): ${crashed.join(' ')}`)
    console.log(
      `hostile soak: ${r.installed.length} hostile apps for ${r.wallS.toFixed(0)} s wall after ${r.deployS.toFixed(0)} s deploying (${r.virtualS.toFixed(0)} s device time), ` +
        `device restarted: ${r.restarted ? 'yes' : 'no'}, blink ${r.edges} edges, worst ${r.maxLateMs.toFixed(3)} ms off its ` +
        `${100} ms period (p99 ${r.p99LateMs.toFixed(3)} ms), peak host RSS ${r.peakRssMiB.toFixed(0)} MiB`,
    )
    console.log(
      `  baseline (blink alone, same run): ${r.baseline.edges} edges, worst ${r.baseline.maxLateMs.toFixed(3)} ms, p99 ${r.baseline.p99LateMs.toFixed(3)} ms`,
    )
    for (const e of r.worstEdges) console.log(`  late edge at ${e.atS.toFixed(3)} s device time: ${e.offMs.toFixed(1)} ms off`)
    for (const g of r.hostStalls) console.log(`  host event loop stalled ${g.gapMs.toFixed(0)} ms (${g.cpuMs.toFixed(0)} ms of its own CPU), until ${g.atS.toFixed(3)} s device time`)
    for (const p of r.problems) console.log(`  FAIL ${p}`)
    if (r.problems.length) failed = true
  }
  process.exitCode = failed ? 1 : 0
} finally {
  rmSync(work, {recursive: true, force: true})
}
