// Sideload + start of a 100 KiB package through a running simulator daemon, over its Unix socket and over
// its PTY serial link, each against a baseline measured in the same run on the same channel:
//   socket: an HTTP PUT of the same bytes to a sink server on a Unix socket (the raw transfer cost);
//   PTY:    a raw copy of the same bytes through a socat PTY pair with serialport (no SLIP, no TCP).
// Goal from the issue: socket sideload+start <= 250 ms.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {median} from './_lib.js'
import {wat} from './_os.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const dist = process.env.SPHERE_DIST ?? join(root, 'dist')
const imp = (p) => import(pathToFileURL(join(dist, p)).href)
const {DeviceClient, connectSim, stopDaemon} = await imp('device/index.js')
const {createSerialTransport} = await imp('device/transport/index.js')
const {deviceCaForSerial} = await imp('device/device-ca.js')
const {loadOrCreateDevKey, packApplication} = await imp('image/index.js')
const {startPtyPair} = await imp('protocol/testing/index.js')

const RUNS = Number(process.env.BENCH_RUNS ?? 8)
const SIZE = 100 * 1024
const home = mkdtempSync(join(tmpdir(), 'sphere-bench-sl-'))
const hasSocat = spawnSync('which', ['socat']).status === 0

const wasm = await wat('blink')
const key = loadOrCreateDevKey(home)
const componentId = '5ee0b000-0000-4000-8000-000000000001'
const manifest = {SchemaVersion: 1, Name: 'bench', ComponentId: componentId, EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8]}, ApplicationType: 'Default'}
let n = 0
function makePackage() {
  n++
  // fill up to ~100 KiB with an asset so the package is the size the goal names
  const pad = new Uint8Array(SIZE - 12 * 1024).map((_, i) => (i * 7 + n) & 0xff)
  return packApplication({manifest, files: {'bin/app': wasm, 'assets/data.bin': pad}, key, imageId: `1a2b3c4d-0000-4000-8000-${n.toString(16).padStart(12, '0')}`})
}

async function sideloadStart(client) {
  const pkg = makePackage()
  const t0 = performance.now()
  await client.stage(pkg)
  await client.install('Auto')
  const s = await client.appStatus(componentId)
  const ms = performance.now() - t0
  if (s.state !== 'running') throw new Error(`app is ${s.state} after sideload`)
  return {ms, bytes: pkg.length}
}

function httpSinkPut(socketPath, body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = http.request({socketPath, method: 'PUT', path: '/sink', agent: false, headers: {'Content-Length': body.length}}, (res) => {
      res.resume()
      res.on('end', () => resolve(performance.now() - t0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function rawPtyCopy(bytes) {
  const {SerialPort} = await import('serialport')
  const pair = await startPtyPair()
  const open = (path) => new Promise((res, rej) => {
    const p = new SerialPort({path, baudRate: 115200, autoOpen: false})
    p.open((e) => (e ? rej(e) : res(p)))
  })
  const a = await open(pair.a)
  const b = await open(pair.b)
  const times = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    await new Promise((resolve) => {
      let got = 0
      const onData = (d) => {
        got += d.length
        if (got >= bytes.length) {
          b.off('data', onData)
          resolve()
        }
      }
      b.on('data', onData)
      a.write(bytes)
    })
    times.push(performance.now() - t0)
  }
  await new Promise((r) => a.close(r))
  await new Promise((r) => b.close(r))
  await pair.stop()
  return median(times)
}

try {
  const {client, info} = await connectSim(home, 'bench', {serial: hasSocat})
  await client.grantCapabilities(['appDevelopment'])
  await sideloadStart(client) // warm: instrumentation of bin/app is cached by content hash after this
  const sock = []
  for (let i = 0; i < RUNS; i++) sock.push((await sideloadStart(client)).ms)
  // baseline: the same bytes PUT to a sink HTTP server on a Unix socket
  const sinkPath = join(home, 'sink.sock')
  const sink = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => res.end('{}'))
  })
  await new Promise((r) => sink.listen(sinkPath, r))
  const body = makePackage()
  const base = []
  for (let i = 0; i < RUNS; i++) base.push(await httpSinkPut(sinkPath, body))
  sink.close()
  const s = median(sock)
  const b = median(base)
  console.log(
    `sideload+start ${(body.length / 1024).toFixed(0)} KiB over the Unix socket: ${s.toFixed(1)} ms (median of ${RUNS}) vs raw HTTP PUT ${b.toFixed(1)} ms -> ratio ${(s / b).toFixed(1)}x; goal <= 250 ms: ${s <= 250 ? 'met' : 'NOT met'}`,
  )
  if (hasSocat && info.serialPath) {
    // HTTPS on 443 over the link, as `-d <pty>` does it (the CA from the simulator's state)
    const t = await createSerialTransport(info.serialPath, {ca: deviceCaForSerial(home, info.serialPath)})
    const sc = new DeviceClient({kind: 'stream', createConnection: () => t.createConnection(), describe: 'serial'})
    const ser = []
    for (let i = 0; i < RUNS; i++) ser.push((await sideloadStart(sc)).ms)
    const st = t.stats()
    await t.close()
    const raw = await rawPtyCopy(body)
    const m = median(ser)
    console.log(
      `sideload+start ${(body.length / 1024).toFixed(0)} KiB over the PTY serial link: ${m.toFixed(1)} ms (median of ${RUNS}) vs raw PTY copy ${raw.toFixed(1)} ms -> ratio ${(m / raw).toFixed(1)}x`,
    )
    if (st?.link) console.log(`serial link counters: ${JSON.stringify(st.link)}`)
  } else {
    console.log('PTY sideload: skipped (socat not installed)')
  }
} finally {
  await stopDaemon(home, 'bench')
  rmSync(home, {recursive: true, force: true})
}
