// CLI cold start: `sphere --version` and `sphere show-version` vs `node -e 0`, interleaved in the same run.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {median, report, timeProcess} from './_lib.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const home = mkdtempSync(join(tmpdir(), 'sphere-bench-'))
const env = {...process.env, SPHERE_HOME: home}
const runs = Number(process.env.BENCH_RUNS ?? 15)
const base = []
const version = []
const show = []
for (let i = 0; i < 3; i++) timeProcess(process.execPath, [bin, '--version'], {env}) // warm the fs cache
for (let i = 0; i < runs; i++) {
  base.push(timeProcess(process.execPath, ['-e', '0'], {env}))
  version.push(timeProcess(process.execPath, [bin, '--version'], {env}))
  show.push(timeProcess(process.execPath, [bin, 'show-version', '-o', 'json'], {env}))
}
rmSync(home, {recursive: true, force: true})
const b = median(base)
report(`cold start: sphere --version (median of ${runs})`, median(version), b, 'ms', 1.5)
report(`cold start: sphere show-version -o json (median of ${runs})`, median(show), b, 'ms')
