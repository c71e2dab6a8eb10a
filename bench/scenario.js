// `sphere test` on the virtual clock: a scenario that deploys a GPIO blink app (LED1 red toggles every 500 ms),
// advances 1 hour of virtual time and then checks the blink rate, run by the scenario runner (build excluded),
// against the same app on a bare Device for the same virtual time in the same run (the runner's overhead).
// Goal from the issue: the 1-hour GPIO scenario in < 2 s of wall time.
// With the C toolchain, also GPIO_HighLevelApp (it polls its button every 1 ms: 3.6 million wake-ups an hour)
// for 1 virtual hour: against a bare Device, and against the same scenario with waits served in place turned off
// (inPlaceWaits: false, every wake-up through the scheduler loop and an Asyncify unwind/rewind), same run.
import {mkdtempSync, rmSync, writeFileSync, cpSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {median} from './_lib.js'
import {wat} from './_os.js'

const here = dirname(fileURLToPath(import.meta.url))
const dist = process.env.SPHERE_DIST ?? join(here, '..', 'dist')
const imp = (p) => import(pathToFileURL(join(dist, p)).href)
const {Device} = await imp('os/index.js')
const {loadOrCreateDevKey, loadTrustStore, packApplication} = await imp('image/index.js')
const {parseScenario, runScenario} = await imp('scenario/index.js')
const {probeToolchain, buildApp} = await imp('sdk/index.js')

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const dir = mkdtempSync(join(tmpdir(), 'sphere-bench-scen-'))
try {
  const home = join(dir, 'home')
  const key = loadOrCreateDevKey(home)
  const manifest = {SchemaVersion: 1, Name: 'Blink', ComponentId: '5ee0b000-0000-4000-8000-00000000b1c1', EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8]}, ApplicationType: 'Default'}
  const pkgFile = join(dir, 'blink.imagepackage')
  writeFileSync(pkgFile, packApplication({manifest, files: {'bin/app': await wat('blink')}, key, imageId: '5ee0b000-0000-4000-8000-00000000b1c2'}))
  const cacheDir = join(dir, 'cache')

  const bare = async (pkg, ms) => {
    const state = mkdtempSync(join(dir, 'bare-'))
    const dev = await Device.boot({stateDir: state, clock: 'fast-forward', trust: loadTrustStore(home), cacheDir})
    const t0 = performance.now()
    await dev.installPackage(readFileSync(pkg), {start: true, source: 'sideload'})
    await dev.runFor(ms)
    const wall = performance.now() - t0
    await dev.shutdown()
    return wall
  }
  const scenario = async (pkg, advance, check, more = {}) => {
    const sc = parseScenario(
      `name: bench\napps:\n  app: {package: ${JSON.stringify(pkg)}}\nsteps:\n  - deploy: app\n  - advance: ${advance}\n${check}`,
      join(dir, 'bench.yaml'),
    )
    const r = await runScenario(sc, {sphereHome: home, cacheDir, ...more})
    if (r.verdict !== 'passed') throw new Error(`the bench scenario ${r.verdict}: ${r.failure?.actual}`)
    return r
  }

  // warm both paths once (JIT, instrumentation cache), then alternate
  await bare(pkgFile, 60_000)
  await scenario(pkgFile, '1m', '')
  const bareMs = []
  const scenMs = []
  let trace = 0
  for (let i = 0; i < RUNS; i++) {
    bareMs.push(await bare(pkgFile, 3_600_000))
    const r = await scenario(pkgFile, '1h', '  - expect-led: LED1_RED blinking 1Hz\n    for: 10s\n')
    scenMs.push(r.wallMs)
    trace = r.trace.length
  }
  const s = median(scenMs)
  const b = median(bareMs)
  console.log(
    `scenario, 1 h virtual (blink every 500 ms, ${trace} trace entries): ${(s / 1000).toFixed(2)} s wall (goal < 2 s: ${s < 2000 ? 'met' : 'NOT met'}); ` +
      `bare Device, same app and time: ${(b / 1000).toFixed(2)} s -> runner overhead ratio ${(s / b).toFixed(2)}x`,
  )

  if (probeToolchain().missing.length === 0) {
    const samples = join(dir, 'samples')
    cpSync(join(here, '..', 'test', 'fixtures', 'samples'), samples, {recursive: true})
    const built = await buildApp({dir: join(samples, 'Samples/GPIO/GPIO_HighLevelApp'), sphereHome: home, env: {...process.env, SPHERE_HOME: home}})
    const gpio = built.apps[0].imagePackage
    // warm both paths (JIT, instrumentation cache), then alternate
    await bare(gpio, 5000)
    await scenario(gpio, '5s', '')
    const gs = []
    const gbs = []
    for (let i = 0; i < RUNS; i++) {
      gs.push((await scenario(gpio, '1h', '')).wallMs)
      gbs.push(await bare(gpio, 3_600_000))
    }
    const slow = (await scenario(gpio, '1h', '', {inPlaceWaits: false})).wallMs
    const g = median(gs)
    const gb = median(gbs)
    console.log(
      `scenario, GPIO_HighLevelApp (1 ms button poll) 1 h virtual: ${(g / 1000).toFixed(2)} s wall (goal < 2 s: ${g < 2000 ? 'met' : 'NOT met'} for this app); ` +
        `bare Device: ${(gb / 1000).toFixed(2)} s -> runner overhead ratio ${(g / gb).toFixed(2)}x; ` +
        `waits served in place off: ${(slow / 1000).toFixed(2)} s -> ${(slow / g).toFixed(2)}x faster with them`,
    )
  } else console.log('GPIO_HighLevelApp part skipped: no C toolchain')
} finally {
  rmSync(dir, {recursive: true, force: true})
}
