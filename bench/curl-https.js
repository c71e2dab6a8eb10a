// An HTTPS GET of 1 MiB from the local internet through the OS's libcurl (a C app built with the SDK, on a
// real-time device: curl_easy_perform in the app, TLS + HTTP on the host, the body copied into app memory in
// 16 KiB write callbacks) vs Node's own https.get of the same file from the same server, in the same run.
// Both open a new TLS connection per GET. The GETs interleave one by one (a Node GET, then one app GET, which a
// press of button A starts), 15 of each, so a loaded host slows both alike; the figure is the ratio of the
// medians. Goal: <= 1.5x.
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, report} from './_lib.js'
import {loadOs} from './_os.js'

const here = dirname(fileURLToPath(import.meta.url))
const sdk = await import(join(here, '..', 'dist', 'sdk', 'index.js'))
if (sdk.probeToolchain().missing.length > 0) {
  console.log('skipped: C toolchain missing')
  process.exit(0)
}
const os = await loadOs()
const image = await import(join(here, '..', 'dist', 'image', 'index.js'))
const {applyWorldFile} = await import(join(here, '..', 'dist', 'os', 'services', 'world-file.js'))
const MIB = 1024 * 1024
const ROUNDS = 15
const work = mkdtempSync(join(tmpdir(), 'sphere-bench-curl-'))
const env = {...process.env, SPHERE_SDK_CACHE: join(work, 'cache'), SPHERE_HOME: join(work, 'home')}
let dev
try {
  // the device's test CA (kept in its state) goes into the app's package, so boot once to make it
  const first = await os.Device.boot({stateDir: join(work, 'state'), clock: 'realtime'})
  const ca = first.internet.caPem()
  await first.shutdown()

  const project = join(work, 'app')
  cpSync(join(here, 'curl-get'), project, {recursive: true})
  mkdirSync(join(project, 'certs'), {recursive: true})
  writeFileSync(join(project, 'certs', 'ca.pem'), ca)
  const built = await sdk.buildApp({dir: project, env, sphereHome: env.SPHERE_HOME, preset: 'ARM-Release'})
  const pkg = readFileSync(built.apps[0].imagePackage)
  dev = await os.Device.boot({
    stateDir: join(work, 'state'),
    clock: 'realtime',
    trust: image.loadTrustStore(env.SPHERE_HOME),
  })
  applyWorldFile(dev, JSON.stringify({internet: {sites: {'bench.test': {pages: {'/1m': {size: MIB}}}}}}))
  await dev.internet.ready()
  const site = dev.internet.list().find((s) => s.name === 'bench.test')

  const nodeGet = () =>
    new Promise((ok, fail) => {
      const t0 = performance.now()
      let n = 0
      https
        .get(
          {host: site.address, port: site.httpsPort, path: '/1m', servername: 'bench.test', ca, agent: false},
          (res) => {
            res.on('data', (b) => (n += b.length))
            res.on('end', () =>
              n === MIB ? ok((performance.now() - t0) * 1000) : fail(new Error(`node got ${n} bytes`)),
            )
          },
        )
        .on('error', fail)
    })

  const nodeUs = []
  const appUs = []
  const {componentId: cid} = await dev.installPackage(pkg, {start: true})
  const waitLog = async (re, from) => {
    const t0 = Date.now()
    for (;;) {
      const m = re.exec(dev.appLog(cid).slice(from))
      if (m) return m
      if (Date.now() - t0 > 120_000) throw new Error(`the app did not answer:\n${dev.appLog(cid)}`)
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  await waitLog(/bench ready/, 0)
  for (let i = 0; i < ROUNDS; i++) {
    nodeUs.push(await nodeGet())
    const from = dev.appLog(cid).length
    dev.pressButton('A')
    const m = await waitLog(/get \d+ rc=(\d+) bytes=(\d+) us=(\d+)/, from)
    dev.releaseButton('A')
    if (m[1] !== '0' || Number(m[2]) !== MIB) throw new Error(`app GET failed: ${m[0]}`)
    appUs.push(Number(m[3]))
  }
  report(
    'HTTPS GET 1 MiB: libcurl in an app vs Node https.get (median of 15)',
    median(appUs) / 1000,
    median(nodeUs) / 1000,
    'ms',
    1.5,
  )
} finally {
  await dev?.shutdown()
  rmSync(work, {recursive: true, force: true})
}
