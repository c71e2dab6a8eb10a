// Many devices in one process (src/os/pool.ts, docs/fleet-scale.md). Devices booted with the blink app at
// 1k / 5k / 10k in one process (DevicePool): boot ms per device (Device.boot + install of blink + its first
// virtual ms), memory per device (RSS and the state directory on /dev/shm), and the wall time (and CPU time:
// the host is shared) of 1 h of virtual time across the fleet; once with node's defaults and once with
// --disable-wasm-trap-handler, which takes the process past the ~12,700 memories the trap handler's 10 GiB
// reservations allow. Goals: >= 10,000 devices, <= 1 MiB and <= 5 ms boot per device. Baseline (same run):
// the same device booted the way a lone simulator boots it (own cache dir, fsync'd writes, nothing shared),
// its boot ms over the pool's is the speed-up. The cost of the bounds checks without the trap handler: blink and a compute-heavy app, same
// virtual time, wall time with the flag over without.
//
// FLEET_SCALE_SIZES=1000,5000 (default 1000,5000,10000; the flag run adds 15000 past the cap);
// FLEET_SCALE_HOUR_BUDGET_S=20: wall seconds the 1 h run may take per size; past it, the hour is projected
// from the virtual time run so far (printed as "projected from N min"); FLEET_SCALE_HOUR_BUDGET_S=0 runs it all.
import {spawnSync} from 'node:child_process'
import {loadavg} from 'node:os'
import {fileURLToPath} from 'node:url'
import {median} from './_lib.js'
import {image, loadOs, wat} from './_os.js'

const self = fileURLToPath(import.meta.url)
const MiB = 1024 * 1024
const BLINK_CID = '00000000-0000-0000-0000-000000000001'
const NO_TRAP = '--disable-wasm-trap-handler'

// A compute-heavy app: rewrites a 64 KiB buffer forever (a load and a store per word: what bounds checks cost).
const COMPUTE_WAT = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2 4)
  (func (export "sphere_unwind_area") (result i32) (i32.const 0x8000))
  (func (export "sphere_unwind_size") (result i32) (i32.const 8192))
  (func (export "_start")
    (local $i i32) (local $v i32)
    (loop $forever
      (local.set $i (i32.const 0x10000))
      (loop $words
        (local.set $v (i32.load (local.get $i)))
        (i32.store (local.get $i) (i32.add (i32.mul (local.get $v) (i32.const 31)) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $words (i32.lt_u (local.get $i) (i32.const 0x20000))))
      (br $forever))))`

/** CPU ms (user + system) this process used since `c0`: unlike wall time, not inflated by other processes. */
function cpuMs(c0) {
  const d = process.cpuUsage(c0)
  return (d.user + d.system) / 1000
}

function rssBytes() {
  return process.memoryUsage().rss
}

async function childFleet(sizes, budgetS) {
  const os = await loadOs()
  const blink = image(1, 'Blink', await wat('blink'), {Gpio: [8]})
  const rss0 = rssBytes()
  const pool = new os.DevicePool()
  const out = []
  let bootMs = 0
  let bootCpuMs = 0
  try {
    for (const size of sizes) {
      const add = size - pool.size
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      for (let i = 0; i < add; i++) {
        const [d] = await pool.boot(1)
        await d.install(blink)
        await d.runFor(1)
      }
      const addMs = performance.now() - t0
      bootMs += addMs
      bootCpuMs += cpuMs(c0)
      const running = pool.devices().filter((d) => d.appStatus(BLINK_CID).state === 'running').length
      const s = pool.stats()
      // 1 h of virtual time across the fleet, in lockstep steps of 60 s (every device runs each step in turn)
      const stepMs = 60_000
      const h0 = performance.now()
      const hc0 = process.cpuUsage()
      let virtualMs = 0
      while (virtualMs < 3_600_000) {
        await pool.runFor(stepMs, {stepMs})
        virtualMs += stepMs
        if (budgetS > 0 && performance.now() - h0 > budgetS * 1000) break
      }
      const hourWallMs = ((performance.now() - h0) * 3_600_000) / virtualMs
      const hourCpuMs = (cpuMs(hc0) * 3_600_000) / virtualMs
      const still = pool.devices().filter((d) => d.appStatus(BLINK_CID).state === 'running').length
      out.push({
        size,
        running,
        runningAfterHour: still,
        bootMsPerDevice: bootMs / size,
        bootCpuMsPerDevice: bootCpuMs / size,
        marginalBootMs: addMs / add,
        rssPerDevice: (s.rssBytes - rss0) / size,
        statePerDevice: s.stateBytes / size,
        hourWallS: hourWallMs / 1000,
        hourCpuS: hourCpuMs / 1000,
        hourVirtualMin: virtualMs / 60_000,
        compiles: s.cache.compiles,
        remainingMemories: s.addressSpace.remainingMemories,
        reservationBytes: s.addressSpace.reservationBytes,
      })
      console.log(`RESULT ${JSON.stringify(out.at(-1))}`)
    }
  } finally {
    await pool.close()
  }
}

// Baseline: devices booted as lone simulators boot (own state and cache dir, durable writes, nothing shared).
async function childBaseline(n) {
  const os = await loadOs()
  const {mkdtempSync, rmSync} = await import('node:fs')
  const {join} = await import('node:path')
  const {tmpdir} = await import('node:os')
  const blink = image(1, 'Blink', await wat('blink'), {Gpio: [8]})
  const root = mkdtempSync(join(tmpdir(), 'sphere-bench-fleet-base-'))
  const devs = []
  try {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    for (let i = 0; i < n; i++) {
      os.clearAppCache() // a lone simulator is its own process: nothing compiled before it
      const d = await os.Device.boot({stateDir: join(root, String(i)), clock: 'fast-forward'})
      await d.install(blink)
      await d.runFor(1)
      devs.push(d)
    }
    // wasm-opt runs in a child process: its CPU time is not in cpuUsage, so the baseline is wall time only
    console.log(`RESULT ${JSON.stringify({bootMsPerDevice: (performance.now() - t0) / n, cpuMs: cpuMs(c0) / n})}`)
  } finally {
    for (const d of devs) await d.shutdown()
    rmSync(root, {recursive: true, force: true})
  }
}

// Speed of one app over a fixed virtual time (the same work in both modes: fuel-driven time).
async function childSpeed(which, devices, virtualMs) {
  const os = await loadOs()
  const bin = which === 'compute' ? await wat(COMPUTE_WAT) : await wat('blink')
  const img = image(which === 'compute' ? 2 : 1, which, bin, which === 'compute' ? {} : {Gpio: [8]})
  const pool = new os.DevicePool()
  try {
    await pool.boot(devices)
    await pool.installAll(img)
    await pool.runFor(100) // warm up (JIT), not timed
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    await pool.runFor(virtualMs, {stepMs: 1000})
    console.log(`RESULT ${JSON.stringify({wallMs: performance.now() - t0, cpuMs: cpuMs(c0)})}`)
  } finally {
    await pool.close()
  }
}

function child(flags, args) {
  const r = spawnSync(process.execPath, [...flags, self, ...args], {encoding: 'utf8', maxBuffer: 64 * MiB})
  const results = (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('RESULT '))
    .map((l) => JSON.parse(l.slice(7)))
  if (r.status !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ')
    console.log(`  (${flags.join(' ') || 'defaults'} ${args.join(' ')}: exited ${r.status}: ${why})`)
  }
  return results
}

function fmtBytes(b) {
  return b >= MiB ? `${(b / MiB).toFixed(2)} MiB` : `${(b / 1024).toFixed(0)} KiB`
}

async function main() {
  const sizes = (process.env.FLEET_SCALE_SIZES ?? '1000,5000,10000').split(',').map(Number)
  const budget = process.env.FLEET_SCALE_HOUR_BUDGET_S ?? '20'
  const past = Math.max(...sizes) >= 10000 ? [...sizes, 15000] : sizes
  // absolute ms (the boot goal) follow the host's load: it is printed beside them
  console.log(
    `load average at start: ${loadavg()[0].toFixed(1)} (${process.env.FLEET_SCALE_SIZES ?? '1000,5000,10000'} devices)`,
  )
  const base = child([], ['baseline', '50'])[0]
  const runs = [
    {name: 'node defaults (trap handler)', flags: [], sizes},
    {name: NO_TRAP, flags: [NO_TRAP], sizes: past},
  ]
  let ok = true
  for (const run of runs) {
    const rows = child(run.flags, ['fleet', run.sizes.join(','), budget])
    console.log(`\n${run.name}: scaling curve (blink app on every device, one process)`)
    console.log(
      '  devices  running  boot ms/dev wall (marginal)  cpu  RSS/dev   state/dev  1 h virtual: wall s (cpu s)   compiles  memories left',
    )
    for (const r of rows) {
      const hour = `${r.hourWallS.toFixed(1)} (${r.hourCpuS.toFixed(1)})${r.hourVirtualMin < 60 ? ` projected from ${r.hourVirtualMin} min` : ''}`
      console.log(
        `  ${String(r.size).padStart(7)}  ${String(r.running).padStart(7)}  ${r.bootMsPerDevice.toFixed(2).padStart(16)} (${r.marginalBootMs.toFixed(2)})  ${r.bootCpuMsPerDevice.toFixed(2)}  ${fmtBytes(r.rssPerDevice).padStart(8)}  ${fmtBytes(r.statePerDevice).padStart(9)}  ${hour.padStart(27)}  ${String(r.compiles).padStart(8)}  ${r.remainingMemories}`,
      )
    }
    const at10k = rows.find((r) => r.size === 10000) ?? rows.at(-1)
    if (!at10k) {
      ok = false
      continue
    }
    const mem = at10k.rssPerDevice + at10k.statePerDevice
    const goals = [
      `${at10k.size} devices running: ${at10k.running === at10k.size && at10k.runningAfterHour === at10k.size ? 'yes' : 'NO'}${at10k.size >= 10000 ? ' (goal >= 10,000: met)' : ' (goal >= 10,000: NOT reached)'}`,
      `boot ${at10k.bootCpuMsPerDevice.toFixed(2)} CPU ms/device, ${at10k.bootMsPerDevice.toFixed(2)} wall (goal <= 5 ms, on CPU time: ${at10k.bootCpuMsPerDevice <= 5 ? 'met' : 'NOT met'})`,
      `memory ${fmtBytes(mem)}/device with its state (goal <= 1 MiB: ${mem <= MiB ? 'met' : 'NOT met'})`,
    ]
    if (base)
      goals.push(
        `baseline lone-simulator boot ${base.bootMsPerDevice.toFixed(1)} ms/device -> ratio ${(at10k.bootMsPerDevice / base.bootMsPerDevice).toFixed(3)}x`,
      )
    console.log(`  at ${at10k.size}: ${goals.join('; ')}`)
    if (at10k.size < 10000 || at10k.bootCpuMsPerDevice > 5 || mem > MiB) ok = false
  }
  // the cost of bounds checks: same virtual time, wall with the flag over without
  console.log(`\nbounds checks (${NO_TRAP}) vs the trap handler, same virtual time:`)
  // interleaved (a, b, a, b, ...) and compared on median CPU time, so that a burst of load hits both sides
  for (const [which, devices, ms] of [
    ['blink', 100, 300_000],
    ['compute', 1, 5_000],
  ]) {
    const a = []
    const b = []
    for (let i = 0; i < 3; i++) {
      a.push(...child([], ['speed', which, String(devices), String(ms)]))
      b.push(...child([NO_TRAP], ['speed', which, String(devices), String(ms)]))
    }
    if (a.length === 0 || b.length === 0) continue
    const ca = median(a.map((r) => r.cpuMs))
    const cb = median(b.map((r) => r.cpuMs))
    console.log(
      `  ${which} (${devices} device${devices > 1 ? 's' : ''}, ${ms / 1000} s virtual, median of ${a.length}): trap handler ${ca.toFixed(0)} CPU ms, bounds checks ${cb.toFixed(0)} CPU ms -> ratio ${(cb / ca).toFixed(2)}x (wall ${median(a.map((r) => r.wallMs)).toFixed(0)} / ${median(b.map((r) => r.wallMs)).toFixed(0)} ms)`,
    )
  }
  console.log(`load average at end: ${loadavg()[0].toFixed(1)}`)
  if (!ok) console.log('\n(a fleet-scale goal is not met: see above)')
}

const [role, ...args] = process.argv.slice(2)
if (role === 'fleet') await childFleet(args[0].split(',').map(Number), Number(args[1]))
else if (role === 'baseline') await childBaseline(Number(args[0]))
else if (role === 'speed') await childSpeed(args[0], Number(args[1]), Number(args[2]))
else await main()
