// C SDK: cost of the ARM format check (sdk/CMakeFiles/sphere-cc-launcher.sh: each C compile also runs a
// syntax-only pass for arm-linux-musleabihf, at the same time as the wasm32 compile). The unmodified
// LoggingToAzure sample (13 C files, parson.c and the Azure IoT glue among them) is configured once; then its
// compile commands run one after another, as the build runs them (with the launcher) and with the launcher
// taken off (the plain wasm32 compile), interleaved over the rounds. The figure is the median of the rounds'
// ratios. Goal: <= 1.35x (the ARM pass is about 25 ms of CPU per file; on free cores it overlaps the wasm32
// compile). Needs the C toolchain and dist/.
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, report} from './_lib.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sdk = await import(join(root, 'dist', 'sdk', 'index.js'))
const {missing} = sdk.probeToolchain()
if (missing.length > 0) {
  console.log(`skipped: C toolchain missing (${missing.map((m) => m.aptPackage).join(' ')})`)
  process.exit(0)
}
const rounds = Number(process.env.BENCH_RUNS ?? 5)
const work = mkdtempSync(join(tmpdir(), 'sphere-bench-format-'))
const env = {...process.env, SPHERE_SDK_CACHE: join(work, 'cache'), SPHERE_HOME: join(work, 'home')}

try {
  cpSync(join(root, 'test', 'fixtures', 'samples'), join(work, 'src'), {recursive: true})
  const project = join(work, 'src', 'Samples', 'LoggingToAzure')
  const built = await sdk.buildApp({dir: project, env, sphereHome: env.SPHERE_HOME})
  const out = built.binaryDir
  // ninja's compile commands for the C objects, each "<launcher...> -- <clang ...>" run by /bin/sh
  const commands = execFileSync('ninja', ['-C', out, '-t', 'commands'], {encoding: 'utf8'})
    .split('\n')
    .filter((l) => l.includes('sphere-cc-launcher.sh') && / -c \S+\.c$/.test(l))
  if (commands.length === 0) throw new Error('no launcher compile commands in the build')
  const plain = commands.map((l) => `${l.slice(l.indexOf(' -- ') + 4)} -Wno-format`)
  const runAll = (list) => {
    const t0 = process.hrtime.bigint()
    for (const c of list) {
      const r = spawnSync('/bin/sh', ['-c', c], {cwd: out, stdio: 'ignore'})
      if (r.status !== 0) throw new Error(`compile failed: ${c}`)
    }
    return Number(process.hrtime.bigint() - t0) / 1e6
  }
  runAll(plain) // warm the page cache
  const ratios = []
  const checked = []
  const base = []
  for (let i = 0; i < rounds; i++) {
    const b = runAll(plain)
    const c = runAll(commands)
    base.push(b)
    checked.push(c)
    ratios.push(c / b)
  }
  const b = median(base)
  const ratio = median(ratios)
  report(
    `LoggingToAzure: ${commands.length} C compiles with the ARM format check (median of ${rounds})`,
    b * ratio,
    b,
    'ms',
    1.35,
  )
  console.log(`  raw medians: with the check ${median(checked).toFixed(0)} ms, without ${b.toFixed(0)} ms`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
