// Syscall rate through the kernel (+ LSM where the call is checked) vs a raw WebAssembly import call,
// measured in the same run. Goal: a syscall costs <= 2x a raw import call.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {report, median} from './_lib.js'
import {cid, image, loadOs, wat} from './_os.js'

const N = 2_000_000
const {Device} = await loadOs()

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
// Empty loop in an instrumented app (fuel only), to subtract loop cost from the syscall loops.
const cases = {
  'empty loop (instrumented)': '',
  'getpid (kernel dispatch)': '(drop (call $getpid))',
  'gpio_set_value, same level (fd check + world)': '(drop (call $set (local.get $fd) (i32.const 1)))',
  'gpio_set_value, toggling (+ pin change event)':
    '(drop (call $set (local.get $fd) (i32.and (local.get $i) (i32.const 1))))',
}
const dir = mkdtempSync(join(tmpdir(), 'sphere-bench-sys-'))
try {
  const dev = await Device.boot({stateDir: dir, clock: 'fast-forward', nsPerFuel: 0})
  const runApp = async (n, body, iters = N) => {
    await dev.install(image(n, `b${n}`, await wat(loopApp(body, iters)), {Gpio: [8]}), {start: false})
    const samples = []
    for (let r = 0; r < 5; r++) {
      dev.startApp(cid(n))
      const p = dev.apps.process(cid(n))
      const t0 = performance.now()
      await dev.kernel.runUntil(() => !p.alive, 1e18)
      samples.push(performance.now() - t0)
    }
    return (median(samples) * 1e6) / iters
  }
  const rawSamples = []
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now()
    raw.exports.run(N)
    rawSamples.push(performance.now() - t0)
  }
  const rawNs = (median(rawSamples) * 1e6) / N
  const res = {}
  let n = 1
  for (const [name, body] of Object.entries(cases)) res[name] = await runApp(n++, body)
  const loop = res['empty loop (instrumented)']
  console.log(`raw import call: ${rawNs.toFixed(1)} ns/call; instrumented empty loop: ${loop.toFixed(1)} ns/iteration`)
  for (const name of Object.keys(cases).slice(1)) {
    report(`${name} ns/call`, res[name] - loop, rawNs, 'ns', 2)
  }
  // A call the LSM decides every time: open (LSM check + audit record) + close, per pair.
  const lsmNs = await runApp(
    n++,
    '(drop (call $close (call $open (i32.const 9) (i32.const 0) (i32.const 1))))',
    200_000,
  )
  report('gpio open+close (LSM check + audit) ns/pair', lsmNs - loop, rawNs, 'ns')
  await dev.shutdown()
} finally {
  rmSync(dir, {recursive: true, force: true})
}
