#!/usr/bin/env node
// Longer fuzzing runs of every security fuzz target over dist/ (npm run fuzz builds first):
//   node bench/fuzz.js [count=1000000] [target-name-substring ...]
// Parsers: image package, metadata, ASXipFS, manifest, hardware definition, SLIP, IPv4, TCP (count inputs
// each); REST: count/10 requests and count/100 raw blobs over a Unix socket to the real handler. Every input
// must parse or fail with its typed one-line error within the hang bound. Exits 1 on the first problem and
// prints the fast-check seed to reproduce it. (bench/fuzz-image.js is the image layer's own long fuzzer.)
import fc from 'fast-check'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {check, hardwareChain, rerunMs, targets} from '../test/fixtures/security/fuzz-targets.mjs'
import {fuzzRest} from '../test/fixtures/security/rest-fuzz.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = process.env.SPHERE_DIST ?? join(root, 'dist')
const load = (p) => import(pathToFileURL(join(dist, p)).href)
const [image, link, errors, rest, api] = await Promise.all([
  load('image/index.js'),
  load('protocol/link/index.js'),
  load('util/errors.js'),
  load('os/rest/index.js'),
  load('protocol/rest-api.js'),
])
const args = process.argv.slice(2)
const count = Math.max(1, Number(args[0] ?? 1_000_000) | 0)
const only = args.slice(1)
const HANG_MS = 250
const hwDir = join(root, 'sdk', 'HardwareDefinitions')
const all = targets({fc, image, link, errors, hw: hardwareChain((n) => new Uint8Array(readFileSync(join(hwDir, n))))})
let failed = false
for (const t of all) {
  if (only.length && !only.some((o) => t.name.toLowerCase().includes(o.toLowerCase()))) continue
  let parsed = 0
  let typed = 0
  let slowest = 0
  const t0 = performance.now()
  const seed = Math.floor(Math.random() * 2 ** 31)
  const r = fc.check(
    fc.property(t.arb, (input) => {
      const s = performance.now()
      const c = check(t, input)
      const ms = performance.now() - s
      if (ms > slowest) slowest = ms
      if (c.problem) throw new Error(c.problem)
      if (ms > HANG_MS && rerunMs(t, input) > HANG_MS) throw new Error(`one input takes ${ms.toFixed(1)} ms`)
      if (c.outcome === 'parsed') parsed++
      else typed++
    }),
    {numRuns: count, seed, endOnFailure: true},
  )
  const secs = (performance.now() - t0) / 1000
  if (r.failed) {
    failed = true
    console.log(
      `fuzz ${t.name}: FAILED after ${r.numRuns} inputs (seed ${seed}): ${r.errorInstance?.message ?? r.error}`,
    )
  } else
    console.log(
      `fuzz ${t.name}: ${count} inputs, ${parsed} parsed, ${typed} typed errors, 0 crashes, 0 hangs, slowest ${slowest.toFixed(2)} ms, ${Math.round(count / secs)} inputs/s`,
    )
}
if (only.length === 0 || only.some((o) => 'rest'.includes(o.toLowerCase()))) {
  const tmp = mkdtempSync(join(tmpdir(), 'sphere-fuzz-rest-'))
  const backend = await rest.DeviceRestBackend.boot({
    stateDir: join(tmp, 'state'),
    clock: 'fast-forward',
    cacheDir: join(tmp, 'cache'),
  })
  const handler = rest.createRestServer(backend, {stateDir: join(tmp, 'state'), transport: 'unix'})
  const unix = await rest.listenUnix(handler, join(tmp, 'api.sock'))
  const t0 = performance.now()
  const requests = Math.max(1000, Math.floor(count / 10))
  const r = await fuzzRest({
    fc,
    socketPath: join(tmp, 'api.sock'),
    requests,
    raw: Math.max(100, Math.floor(count / 100)),
    wifiDisabledCode: api.REST_ERRORS.wifiDisabled.code,
  })
  const secs = (performance.now() - t0) / 1000
  console.log(
    `fuzz REST: ${r.requests} requests + ${r.raw} raw inputs, ${r.problems.length} problems, slowest ${r.maxMs.toFixed(1)} ms, ${Math.round((r.requests + r.raw) / secs)} inputs/s`,
  )
  for (const p of r.problems.slice(0, 20)) console.log(`  ${p}`)
  if (r.problems.length) failed = true
  handler.controller.close()
  await unix.close()
  await backend.shutdown()
  rmSync(tmp, {recursive: true, force: true})
}
process.exit(failed ? 1 : 0)
