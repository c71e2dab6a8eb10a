// Record / replay overhead, same run: one virtual hour of a blinking LED and a button app with a button press
// every 5 minutes, driven over the REST API (a) plainly, (b) recorded (sim start --record), (c) replayed from
// that recording (sphere replay). Figures are ratios to (a); the traces of (b) and (c) must be identical.
import {cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {image, loadOs, wat} from './_os.js'

const dist = process.env.SPHERE_DIST ?? new URL('../dist', import.meta.url).pathname
const os = await loadOs()
const rest = await import(pathToFileURL(join(dist, 'os', 'rest', 'index.js')).href)
const rp = await import(pathToFileURL(join(dist, 'os', 'replay', 'index.js')).href)
const root = mkdtempSync(join(tmpdir(), 'sphere-bench-replay-'))
const cacheDir = join(root, 'cache')

function call(sock, method, path, body) {
  return new Promise((resolve, reject) => {
    const b = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const req = request({socketPath: sock, method, path, headers: {'Content-Type': 'application/json', 'Content-Length': String(b?.length ?? 0)}}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end(b)
  })
}

async function session(sock) {
  for (let i = 0; i < 12; i++) {
    await call(sock, 'POST', '/sphere/clock/advance', {ms: 5 * 60_000 - 200})
    await call(sock, 'POST', '/sphere/world/press', {button: 'A', holdMs: 200})
  }
}

/** Run the session on a copy of the provisioned state; `recorded`: through a RecordSession. */
async function run(name, recorded) {
  const dir = join(root, name)
  const stateDir = join(dir, 'state')
  cpSync(join(root, 'base'), stateDir, {recursive: true})
  const file = join(dir, 'session.rec')
  const s = recorded ? new rp.RecordSession({stateDir, clock: 'fast-forward', world: null, file, traceFile: `${file}.trace`, snapshotDir: join(dir, 'snaps'), cacheDir}) : undefined
  const backend = await rest.DeviceRestBackend.boot({stateDir, clock: 'fast-forward', cacheDir, ...(s ? s.bootOptions() : {})})
  const handler = rest.createRestServer(backend, {stateDir, transport: 'unix', ...(s ? {inputs: s.inputs, replay: s.services(backend)} : {})})
  const sock = join(dir, 'api.sock')
  const l = await rest.listenUnix(handler, sock)
  const t0 = performance.now()
  await session(sock)
  const wall = performance.now() - t0
  s?.end()
  await l.close()
  handler.controller.close()
  await backend.shutdown()
  return {wall, file}
}

try {
  // provisioned state: both apps installed (instrumented once into the shared cache)
  const pre = await os.Device.boot({stateDir: join(root, 'base'), clock: 'fast-forward', cacheDir})
  await pre.install(image(1, 'Blink', await wat('blink'), {Gpio: [8]}))
  await pre.install(image(2, 'Button', await wat('button'), {Gpio: [12, 15]}))
  await pre.shutdown()
  await run('warm', false)
  const plain = await run('plain', false)
  const recorded = await run('recorded', true)
  const rec = rp.parseRecording(readFileSync(recorded.file, 'utf8'))
  const t0 = performance.now()
  const r = await rp.replay(rec, {cacheDir})
  const replayWall = performance.now() - t0
  const original = readFileSync(`${recorded.file}.trace`, 'utf8').trim().split('\n')
  const same = JSON.stringify(original) === JSON.stringify(r.trace)
  console.log(`replay: 1 h virtual, ${rec.inputs.length} inputs, ${original.length} trace entries; traces identical: ${same ? 'yes' : 'NO'}`)
  console.log(`  plain run ${plain.wall.toFixed(0)} ms wall; recorded ${(recorded.wall / plain.wall).toFixed(2)}x the plain run; replay (boot included) ${(replayWall / plain.wall).toFixed(2)}x the plain run`)
  if (!same) process.exitCode = 1
} finally {
  rmSync(root, {recursive: true, force: true})
}
