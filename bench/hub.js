// The local IoT hub (sphere hub, its own process) against the bare aedes broker it is built on (its own
// process, same TLS, same QoS 1, same npm mqtt client), in the same run:
//  - messages/s one device pushes through: 4000 QoS 1 telemetry messages, all in flight, until the last PUBACK
//    (the hub parses the property bag, checks and records each message ID in messages.jsonl before its PUBACK;
//    the bare broker only acknowledges). No one listens in either. Median of 3 interleaved rounds each.
//  - telemetry round trip: publish -> the event line on `sphere hub monitor-events -o json`'s stdout (the built
//    CLI, a subprocess) vs publish -> a plain subscriber's message on the bare broker. Median of 60, one at a time.
// The app-side figures (SendEventAsync in a simulated app) are the OS client's bench.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import mqtt from 'mqtt'
import {benchCert} from './_certs.js'
import {median} from './_lib.js'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', 'dist')
const {ensureHub, stopHub, trustDeviceCa, hubClient, HUB_ROUTES} = await import(join(dist, 'hub', 'index.js'))
const {buildCertificate} = await import(join(dist, 'util', 'x509.js'))

const work = mkdtempSync(join(tmpdir(), 'sphere-bench-hub-'))
const home = join(work, 'home')
const N = 4000
const RT = 60
const children = []

const cert = (cn, issuer) => benchCert(buildCertificate, cn, issuer)

const connect = (url, opts) =>
  new Promise((resolve, reject) => {
    const c = mqtt.connect(url, {protocolVersion: 4, reconnectPeriod: 0, ...opts})
    c.once('connect', () => resolve(c))
    c.once('error', reject)
  })

async function burst(client, topicOf) {
  const t0 = performance.now()
  const acks = []
  for (let i = 0; i < N; i++) acks.push(client.publishAsync(topicOf(i), `{"i":${i},"t":21.5}`, {qos: 1}))
  await Promise.all(acks)
  return N / ((performance.now() - t0) / 1000)
}

try {
  const ca = cert('Bench Device CA')
  const dev = cert('bench-device', ca)
  const {info} = await ensureHub(home, {port: 0})
  const ep = info.endpoint
  await trustDeviceCa(home, 'bench', ca.pem)
  await hubClient(home).call(HUB_ROUTES.createDevice, {deviceId: 'bench-device'}, {deviceId: 'bench-device'})

  // the bare broker, its own process, TLS with the hub's own server certificate
  writeFileSync(join(work, 'k.pem'), (await import('node:fs')).readFileSync(join(home, 'hub', 'tls', 'server.key.pem')))
  writeFileSync(join(work, 'c.pem'), (await import('node:fs')).readFileSync(join(home, 'hub', 'tls', 'server.pem')))
  const bare = spawn(process.execPath, [join(here, '_aedes-broker.js'), join(work, 'k.pem'), join(work, 'c.pem')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(bare)
  const barePort = await new Promise((r) => bare.stdout.once('data', (d) => r(Number(String(d).trim()))))

  const tlsOpts = {cert: dev.pem + ca.pem, key: dev.keyPem, ca: ep.caPem}
  const hubDev = await connect(`mqtts://localhost:${ep.port}`, {
    clientId: 'bench-device',
    username: `${ep.hostName}/bench-device/?api-version=2021-04-12`,
    ...tlsOpts,
  })
  const barePub = await connect(`mqtts://localhost:${barePort}`, {clientId: 'pub', ...tlsOpts})
  const bareSub = await connect(`mqtts://localhost:${barePort}`, {clientId: 'sub', ...tlsOpts})

  // messages/s, interleaved rounds
  const hubRates = []
  const bareRates = []
  let seq = 0
  for (let round = 0; round < 3; round++) {
    bareRates.push(await burst(barePub, (i) => `devices/bench-device/messages/events/%24.mid=b${round}-${i}`))
    hubRates.push(await burst(hubDev, (i) => `devices/bench-device/messages/events/%24.mid=h${round}-${i}&n=${seq++}`))
  }
  const hubRate = median(hubRates)
  const bareRate = median(bareRates)
  console.log(
    `hub telemetry throughput: ${hubRate.toFixed(0)} msg/s vs bare aedes ${bareRate.toFixed(0)} msg/s -> ${(hubRate / bareRate).toFixed(2)}x of the bare broker`,
  )

  // round trip through monitor-events (the built CLI) vs a plain subscriber
  await bareSub.subscribeAsync('devices/bench-device/messages/events/#', {qos: 1})
  const mon = spawn(
    process.execPath,
    [join(here, '..', 'bin', 'run.js'), 'hub', 'monitor-events', '-o', 'json', '--timeout', '0'],
    {
      env: {...process.env, SPHERE_HOME: home, NODE_OPTIONS: ''},
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.push(mon)
  await new Promise((r) => mon.stderr.on('data', (d) => String(d).includes('Starting event monitor') && r()))
  let buf = ''
  const waiting = new Map()
  mon.stdout.on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      const id = JSON.parse(line).event.properties.system['message-id']
      waiting.get(id)?.()
    }
  })
  bareSub.on('message', (topic) => {
    const id = decodeURIComponent(topic.split('%24.mid=')[1] ?? '')
    waiting.get(id)?.()
  })
  const once = async (client, id, topic) => {
    const t0 = performance.now()
    const seen = new Promise((r) => waiting.set(id, r))
    client.publish(topic, '{"t":21.5}', {qos: 1})
    await seen
    waiting.delete(id)
    return performance.now() - t0
  }
  const hubRt = []
  const bareRt = []
  for (let i = 0; i < RT; i++) {
    bareRt.push(await once(barePub, `rb-${i}`, `devices/bench-device/messages/events/%24.mid=rb-${i}`))
    hubRt.push(await once(hubDev, `rh-${i}`, `devices/bench-device/messages/events/%24.mid=rh-${i}`))
  }
  const h = median(hubRt)
  const b = median(bareRt)
  console.log(
    `hub telemetry round trip (publish -> monitor-events line): median ${h.toFixed(2)} ms vs bare aedes publish -> subscriber ${b.toFixed(2)} ms -> ratio ${(h / b).toFixed(2)}x`,
  )
  await Promise.all([hubDev.endAsync(), barePub.endAsync(), bareSub.endAsync()])
} finally {
  for (const c of children) c.kill('SIGTERM')
  await stopHub(home)
  rmSync(work, {recursive: true, force: true})
}
