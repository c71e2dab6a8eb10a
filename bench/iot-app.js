// The OS's Azure IoT library end to end (a C app built with the SDK, test/fixtures/azure-iot-app, on a realtime
// device; the client on the host side of the OS; the local hub `sphere hub`, its own process) vs a plain npm
// `mqtt` client publishing to the same hub in the same run (the same TLS, QoS 1 and topic dialect):
//  - telemetry round trip: the app's SendEventAsync (the CLOCK_MONOTONIC it puts in the message, on the device's
//    clock, which follows the host's) -> the event line on `sphere hub monitor-events -o json`'s stdout (the
//    built CLI, a subprocess), one message every 100 ms, median of 60; the plain client: publish -> the same
//    line, one every 100 ms too, median of 60.
//  - messages/s one device pushes through the hub: the app sending as fast as the client confirms (at most 50
//    in flight, its COUNT 0 mode) vs the plain client keeping 50 in flight; counted where the hub accepted them
//    (its event stream), 2000 messages after 200 of warm-up each.
import {spawn} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import mqtt from 'mqtt'
import {benchCert} from './_certs.js'
import {median, report} from './_lib.js'
import {loadOs} from './_os.js'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', 'dist')
const sdk = await import(join(dist, 'sdk', 'index.js'))
if (sdk.probeToolchain().missing.length > 0) {
  console.log('skipped: C toolchain missing')
  process.exit(0)
}
const os = await loadOs()
const image = await import(join(dist, 'image', 'index.js'))
const {applyWorldFile} = await import(join(dist, 'os', 'services', 'world-file.js'))
const {ensureHub, stopHub, trustDeviceCa, hubClient, HUB_ROUTES} = await import(join(dist, 'hub', 'index.js'))
const {buildCertificate} = await import(join(dist, 'util', 'x509.js'))

const HUB = 'sphere-hub.azure-devices.net'
const RT = 60
const PERIOD_MS = 100
const WARM = 200
const N = 2000
const WINDOW = 50
const work = mkdtempSync(join(tmpdir(), 'sphere-bench-iot-'))
const home = join(work, 'home')
// the device's Azure IoT side finds the local hub through SPHERE_HOME
process.env.SPHERE_HOME = home
const env = {...process.env, SPHERE_SDK_CACHE: join(work, 'cache'), SPHERE_HOME: home}
const children = []
let dev

const cert = (cn, issuer) => benchCert(buildCertificate, cn, issuer)

async function build(name, count, period) {
  const dir = join(work, name)
  cpSync(join(here, '..', 'test', 'fixtures', 'azure-iot-app'), dir, {recursive: true})
  const f = join(dir, 'app_manifest.json')
  const m = JSON.parse(readFileSync(f, 'utf8'))
  m.CmdArgs = [HUB, String(count), String(period)]
  writeFileSync(f, JSON.stringify(m, null, 2))
  const built = await sdk.buildApp({dir, env, sphereHome: home, preset: 'ARM-Release'})
  return readFileSync(built.apps[0].imagePackage)
}

/** Events the hub accepted from `deviceId` (its own event stream), counted until `n` more arrived after `warm`. */
function rate(deviceId, warm, n) {
  const ac = new AbortController()
  let seen = 0
  let t0 = 0
  let ready
  const opened = new Promise((r) => (ready = r))
  const done = new Promise((resolve, reject) => {
    hubClient(home)
      .monitor(
        () => {
          seen++
          if (seen === warm) t0 = performance.now()
          if (seen === warm + n) {
            resolve(n / ((performance.now() - t0) / 1000))
            ac.abort()
          }
        },
        {deviceId, signal: ac.signal, onOpen: () => ready()},
      )
      .catch(reject)
  })
  return {opened, done}
}

try {
  const [rtPkg, tpPkg] = await Promise.all([build('rt', RT, PERIOD_MS), build('tp', 0, 0)])
  const {info} = await ensureHub(home, {port: 0})
  const ep = info.endpoint

  dev = await os.Device.boot({stateDir: join(work, 'state'), clock: 'realtime', trust: image.loadTrustStore(home)})
  applyWorldFile(dev, JSON.stringify({iotHub: 'local'}))
  const appId = dev.deviceId().toLowerCase()
  await hubClient(home).call(HUB_ROUTES.createDevice, {deviceId: appId}, {deviceId: appId})
  // host time (performance.now) of the device's monotonic 0
  const clockOffsetMs = () => performance.now() - dev.kernel.clock.now() / 1e6

  // the plain client: a device of its own, issued by a CA the hub trusts
  const ca = cert('Bench Plain CA')
  const plainCert = cert('bench-plain', ca)
  await trustDeviceCa(home, 'bench-plain', ca.pem)
  await hubClient(home).call(HUB_ROUTES.createDevice, {deviceId: 'bench-plain'}, {deviceId: 'bench-plain'})
  const plain = await new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtts://localhost:${ep.port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: 'bench-plain',
      username: `${ep.hostName}/bench-plain/?api-version=2021-04-12`,
      cert: plainCert.pem + ca.pem,
      key: plainCert.keyPem,
      ca: ep.caPem,
      servername: ep.hostName,
    })
    c.once('connect', () => resolve(c))
    c.once('error', reject)
  })
  const topic = (mid) => `devices/bench-plain/messages/events/%24.mid=${mid}&%24.ct=application%2Fjson&%24.ce=utf-8`

  // ---- round trip, through monitor-events (the built CLI) ----
  const mon = spawn(process.execPath, [join(here, '..', 'bin', 'run.js'), 'hub', 'monitor-events', '-o', 'json', '--timeout', '0'], {
    env: {...process.env, SPHERE_HOME: home, NODE_OPTIONS: ''},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(mon)
  await new Promise((r) => mon.stderr.on('data', (d) => String(d).includes('Starting event monitor') && r()))
  let buf = ''
  const appRt = []
  const waiting = new Map()
  mon.stdout.on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const at = performance.now()
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      const e = JSON.parse(line).event
      if (e.origin === appId && typeof e.payload?.us === 'number') appRt.push(at - (clockOffsetMs() + e.payload.us / 1000))
      else waiting.get(e.properties.system['message-id'])?.(at)
    }
  })
  const {componentId: cid} = await dev.installPackage(rtPkg, {start: true})
  const t0 = Date.now()
  while (appRt.length < RT) {
    if (Date.now() - t0 > 60_000) throw new Error(`the app's telemetry did not arrive (${appRt.length} of ${RT}):\n${dev.appLog(cid)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  // the plain client at the app's pace (one every 100 ms: every process in the path idles between messages alike)
  const plainRt = []
  for (let i = 0; i < RT; i++) {
    const seen = new Promise((r) => waiting.set(`rt-${i}`, r))
    const s = performance.now()
    plain.publish(topic(`rt-${i}`), `{"n":${i}}`, {qos: 1})
    plainRt.push((await seen) - s)
    waiting.delete(`rt-${i}`)
    await new Promise((r) => setTimeout(r, Math.max(0, s + PERIOD_MS - performance.now())))
  }
  report(
    `telemetry round trip: app SendEventAsync -> monitor-events line vs a plain mqtt client's publish -> the same (median of ${RT})`,
    median(appRt),
    median(plainRt),
    'ms',
  )
  mon.kill('SIGTERM')

  // ---- messages/s through the hub ----
  await dev.uninstall(cid)
  const appRate = rate(appId, WARM, N)
  await appRate.opened
  await dev.installPackage(tpPkg, {start: true})
  const appPerS = await appRate.done
  await dev.stopApp(cid)

  const plainRate = rate('bench-plain', WARM, N)
  await plainRate.opened
  let sent = 0
  let inFlight = 0
  let stop = false
  const pump = () => {
    while (!stop && inFlight < WINDOW) {
      inFlight++
      const i = sent++
      plain.publish(topic(`tp-${i}`), `{"n":${i},"t":${i}}`, {qos: 1}, () => {
        inFlight--
        pump()
      })
    }
  }
  pump()
  const plainPerS = await plainRate.done
  stop = true
  const ratio = appPerS / plainPerS
  console.log(
    `telemetry throughput, one device, ${WINDOW} in flight: app ${appPerS.toFixed(0)} msg/s vs a plain mqtt client ${plainPerS.toFixed(0)} msg/s -> ${ratio.toFixed(2)}x of the plain client`,
  )
  await plain.endAsync()
} finally {
  for (const c of children) c.kill('SIGTERM')
  await dev?.shutdown()
  await stopHub(home)
  rmSync(work, {recursive: true, force: true})
}
