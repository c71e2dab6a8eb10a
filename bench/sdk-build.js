// C SDK: build time of the unmodified HelloWorld_HighLevelApp sample (cmake configure + ninja + pack) and the
// size of its image package. Baselines measured in the same run: one direct clang compile+link of the same
// main.c (what the compiler alone costs), and the real ARM HelloWorld package (~16-20 KiB; 18 KiB used).
// Needs the C toolchain (clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 cmake ninja-build) and dist/.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
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
const runs = Number(process.env.BENCH_RUNS ?? 3)
const work = mkdtempSync(join(tmpdir(), 'sphere-bench-sdk-'))
const env = {...process.env, SPHERE_SDK_CACHE: join(work, 'cache'), SPHERE_HOME: join(work, 'home')}
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6

try {
  cpSync(join(root, 'test', 'fixtures', 'samples'), join(work, 'src'), {recursive: true})
  const project = join(work, 'src', 'Samples', 'HelloWorld', 'HelloWorld_HighLevelApp')
  const build = async (opts = {}) => {
    const t0 = process.hrtime.bigint()
    const r = await sdk.buildApp({dir: project, env, sphereHome: env.SPHERE_HOME, ...opts})
    return {ms: ms(t0), result: r}
  }
  // First use: also builds the clean sysroot + libapplibs into the (empty) cache.
  const first = await build({clean: true})
  const sysroot = readdirSync(env.SPHERE_SDK_CACHE).find((n) => n.startsWith('sysroot-'))
  const clang = sdk.requireToolchain().clang
  const direct = () => {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(
      clang,
      [
        '--target=wasm32-wasi',
        `--sysroot=${join(env.SPHERE_SDK_CACHE, sysroot)}`,
        '-isystem',
        join(root, 'sdk', 'sysroot', 'include'),
        '-isystem',
        join(work, 'src', 'HardwareDefinitions', 'mt3620_rdb', 'inc'),
        '-isystem',
        join(root, 'sdk', 'HardwareDefinitions', 'inc', 'hw'),
        '-g',
        '-O1',
        '-o',
        join(work, 'direct.wasm'),
        join(project, 'main.c'),
        '-lapplibs',
        '-Wl,--undefined=sphere_unwind_area',
        '-Wl,--undefined=sphere_unwind_size',
      ],
      {stdio: 'ignore'},
    )
    if (r.status !== 0) throw new Error('direct clang build failed')
    return ms(t0)
  }
  const clean = []
  const incremental = []
  const base = []
  for (let i = 0; i < runs; i++) {
    base.push(direct())
    clean.push((await build({clean: true})).ms)
    incremental.push((await build()).ms)
  }
  const b = median(base)
  console.log(`first build (builds the SDK sysroot + libapplibs too): ${first.ms.toFixed(0)} ms`)
  report(`HelloWorld clean build: configure + build + pack (median of ${runs})`, median(clean), b, 'ms')
  report(`HelloWorld no-op rebuild (median of ${runs})`, median(incremental), b, 'ms')

  const debugPkg = first.result.apps[0]
  const release = (await build({preset: 'ARM-Release'})).result.apps[0]
  const armKiB = 18
  report('HelloWorld image package size, ARM-Debug (wasm)', debugPkg.packageBytes / 1024, armKiB, 'KiB')
  report('HelloWorld image package size, ARM-Release (wasm)', release.packageBytes / 1024, armKiB, 'KiB')
  console.log(
    `  bin/app: Debug ${debugPkg.appBytes} B, Release ${release.appBytes} B; linked Debug .wasm with DWARF ${statSync(debugPkg.wasm).size} B`,
  )
} finally {
  rmSync(work, {recursive: true, force: true})
}
