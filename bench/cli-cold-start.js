// CLI start-up: commands as a provisioning script runs them, each against `node -e 0` measured in the same run,
// interleaved (median of BENCH_RUNS, default 15). Goal from the issue: every command <= 1.5x `node -e 0`.
//   --version                          (answered by bin/run.js itself)
//   show-version -o json               (a command: the fast runner, one command module)
//   image-package show -p PKG -o json  (reads and verifies a package; no device)
//   device app show-status -o json     (over the running simulator's Unix socket)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {median, report, timeProcess} from './_lib.js'

/** CPU seconds (user + system) of one run, via GNU time: less sensitive than wall time to other load on the machine. */
function cpuOf(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']})
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '')
  if (r.status !== 0 || !m) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  return (Number(m[1]) + Number(m[2])) * 1000
}
const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0
import {wat} from './_os.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const home = mkdtempSync(join(tmpdir(), 'sphere-bench-'))
const env = {...process.env, SPHERE_HOME: home}
const runs = Number(process.env.BENCH_RUNS ?? 15)
const {loadOrCreateDevKey, packApplication} = await import(pathToFileURL(join(root, 'dist', 'image', 'index.js')).href)

const pkgPath = join(home, 'bench.imagepackage')
const manifest = {SchemaVersion: 1, Name: 'bench', ComponentId: '5ee0b000-0000-4000-8000-0000000000c1', EntryPoint: '/bin/app', CmdArgs: [], Capabilities: {Gpio: [8]}, ApplicationType: 'Default'}
writeFileSync(pkgPath, packApplication({manifest, files: {'bin/app': await wat('blink')}, key: loadOrCreateDevKey(home), imageId: '1a2b3c4d-0000-4000-8000-0000000000c1'}))
const start = spawnSync(process.execPath, [bin, 'sim', 'start', '--name', 'bench', '-o', 'json'], {env, encoding: 'utf8'})
if (start.status !== 0) throw new Error(`sim start failed: ${start.stderr}`)

const cases = [
  ['sphere --version', ['--version']],
  ['sphere show-version -o json', ['show-version', '-o', 'json']],
  ['sphere image-package show -o json', ['image-package', 'show', '-p', pkgPath, '-o', 'json']],
  ['sphere device app show-status -o json (Unix socket)', ['device', 'app', 'show-status', '-d', 'sim:bench', '-o', 'json']],
]
try {
  for (let i = 0; i < 3; i++) for (const [, args] of cases) timeProcess(process.execPath, [bin, ...args], {env}) // warm the fs cache
  const base = []
  const times = cases.map(() => [])
  for (let i = 0; i < runs; i++) {
    base.push(timeProcess(process.execPath, ['-e', '0'], {env}))
    cases.forEach(([, args], k) => times[k].push(timeProcess(process.execPath, [bin, ...args], {env})))
  }
  const b = median(base)
  cases.forEach(([name], k) => report(`cold start: ${name} (median of ${runs})`, median(times[k]), b, 'ms', 1.5))
  if (hasTime) {
    // the same, in CPU time (GNU time's 10 ms resolution): what the command itself costs, whatever else runs
    const cbase = []
    const cpu = cases.map(() => [])
    for (let i = 0; i < runs; i++) {
      cbase.push(cpuOf(['-e', '0']))
      cases.forEach(([, args], k) => cpu[k].push(cpuOf([bin, ...args])))
    }
    const cb = median(cbase)
    cases.forEach(([name], k) => report(`cold start CPU time: ${name} (median of ${runs})`, median(cpu[k]), cb, 'ms'))
  }
} finally {
  spawnSync(process.execPath, [bin, 'sim', 'stop', '--name', 'bench'], {env, stdio: 'ignore'})
  rmSync(home, {recursive: true, force: true})
}
