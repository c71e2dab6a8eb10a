// Syscall cost through the syscall table's dispatch (+ the LSM where the call is checked) vs a raw
// WebAssembly import call, measured in the same run, interleaved: each round measures the raw call and every
// case back to back and the ratio is the median of the rounds' ratios (a loaded host shifts all of a round
// alike). Goal: a syscall costs <= 2x a raw import call.
// With SPHERE_DIST_BASE=<another build's dist> the same cases also run on that build in the same rounds, and
// each line adds the cost relative to it (e.g. the OS before a change).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {median} from './_lib.js'
import {cid, image, loadOs, wat} from './_os.js'

const N = 1_000_000
const ROUNDS = 7

function loopApp(body, n = N) {
  return `(module
    (import "applibs" "gpio_open_output" (func $open (param i32 i32 i32) (result i32)))
    (import "applibs" "gpio_set_value" (func $set (param i32 i32) (result i32)))
    (import "sphere" "getpid" (func $getpid (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1 4)
    (func (export "sphere_unwind_area") (result i32) (i32.const 0x8000))
    (func (export "sphere_unwind_size") (result i32) (i32.const 8192))
    (func (export "_start") (local $i i32) (local $fd i32)
      (local.set $fd (call $open (i32.const 8) (i32.const 0) (i32.const 1)))
      (loop $l ${body}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
      (call $exit (i32.const 0))))`
}

// Raw: a plain (uninstrumented) module calling a JS no-op import in the same loop shape.
const rawWasm = await wat(`(module (import "env" "f" (func $f (param i32 i32) (result i32)))
  (func (export "run") (param $n i32) (local $i i32)
    (loop $l (drop (call $f (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`)
const raw = new WebAssembly.Instance(new WebAssembly.Module(rawWasm), {env: {f: () => 0}})
const rawNs = () => {
  const t0 = performance.now()
  raw.exports.run(N)
  return ((performance.now() - t0) * 1e6) / N
}

const cases = {
  'getpid (table dispatch)': ['(drop (call $getpid))', N],
  'gpio_set_value, same level (fd check + world)': ['(drop (call $set (local.get $fd) (i32.const 1)))', N],
  'gpio_set_value, toggling (+ pin change event)': ['(drop (call $set (local.get $fd) (i32.and (local.get $i) (i32.const 1))))', N / 10],
  'gpio open+close (LSM check + audit), per pair': ['(drop (call $close (call $open (i32.const 9) (i32.const 0) (i32.const 1))))', N / 10],
}
const goals = {'getpid (table dispatch)': 2, 'gpio_set_value, same level (fd check + world)': 2}

/** A device of one build with every case installed; `run(name)` gives ns per iteration. */
async function bench(os, dir) {
  const dev = await os.Device.boot({stateDir: dir, clock: 'fast-forward', nsPerFuel: 0})
  const apps = {}
  let n = 1
  for (const [name, [body, iters]] of Object.entries({'empty loop (instrumented)': ['', N], ...cases})) {
    await dev.install(image(n, `b${n}`, await wat(loopApp(body, iters)), {Gpio: [8, 9]}), {start: false})
    apps[name] = {id: cid(n++), iters}
  }
  return {
    dev,
    async run(name) {
      const {id, iters} = apps[name]
      dev.startApp(id)
      const p = dev.apps.process(id)
      const t0 = performance.now()
      await dev.kernel.runUntil(() => !p.alive, 1e18)
      return ((performance.now() - t0) * 1e6) / iters
    },
  }
}

const root = mkdtempSync(join(tmpdir(), 'sphere-bench-sys-'))
try {
  const builds = {current: await bench(await loadOs(), join(root, 'current'))}
  const baseDist = process.env.SPHERE_DIST_BASE
  if (baseDist) builds.base = await bench(await import(pathToFileURL(join(baseDist, 'os', 'index.js')).href), join(root, 'base'))
  const ratios = {}
  const vsBase = {}
  const ns = {}
  const raws = []
  for (let r = 0; r < ROUNDS; r++) {
    const rawR = rawNs()
    raws.push(rawR)
    const per = {}
    for (const [b, x] of Object.entries(builds)) {
      const loop = await x.run('empty loop (instrumented)')
      for (const name of Object.keys(cases)) per[`${b}:${name}`] = Math.max(0, (await x.run(name)) - loop)
    }
    for (const name of Object.keys(cases)) {
      ;(ratios[name] ??= []).push(per[`current:${name}`] / rawR)
      ;(ns[name] ??= []).push(per[`current:${name}`])
      if (builds.base) (vsBase[name] ??= []).push(per[`current:${name}`] / per[`base:${name}`])
    }
  }
  console.log(`raw import call: ${median(raws).toFixed(1)} ns/call (median of ${ROUNDS} rounds)`)
  for (const name of Object.keys(cases)) {
    const ratio = median(ratios[name])
    const goal = goals[name]
    const verdict = goal === undefined ? '' : ratio <= goal ? `  (goal <= ${goal}x: met)` : `  (goal <= ${goal}x: NOT met)`
    const base = builds.base ? `; ${median(vsBase[name]).toFixed(2)}x the base build` : ''
    console.log(`${name}: ${median(ns[name]).toFixed(1)} ns/call -> ratio ${ratio.toFixed(2)}x a raw import${verdict}${base}`)
  }
  for (const x of Object.values(builds)) await x.dev.shutdown()
} finally {
  rmSync(root, {recursive: true, force: true})
}
