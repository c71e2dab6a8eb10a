// Cost of the NULL-page guard (a load or store in the first 4 KiB faults with SIGSEGV, as on ARM): the same
// memory-heavy C loop (clang -O2: array passes, a histogram, pointer chasing, a byte copy) instrumented the way
// the OS installs apps (fuel + Asyncify), once with the guard and once without, run in the same process,
// interleaved; the figure is the median of the rounds' ratios. Goal: guarded <= 1.15x unguarded.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {median} from './_lib.js'

const {instrumentApp, FUEL_EXPORT} = await import('../dist/os/runtime/instrument.js')

const C = String.raw`
#include <stdint.h>
#define N 8192
static uint32_t a[N], b[N], hist[256];
struct node { struct node *next; uint32_t v; };
static struct node nodes[2048];
static uint8_t src[16384], dst[16384];
static uint8_t unwind[8192];
__attribute__((export_name("sphere_unwind_area"))) void *area(void) { return unwind; }
__attribute__((export_name("sphere_unwind_size"))) uint32_t size(void) { return sizeof unwind; }
#ifdef GUARD
__attribute__((export_name("sphere_null_guard"))) uint32_t guard(void) { return 4096; }
#endif
__attribute__((export_name("work"))) uint32_t work(uint32_t rounds) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < 2048; i++) { nodes[i].next = &nodes[(i * 1103u + 7u) % 2048u]; nodes[i].v = i; }
  for (uint32_t i = 0; i < sizeof src; i++) src[i] = (uint8_t)(i * 13u);
  for (uint32_t r = 0; r < rounds; r++) {
    for (uint32_t i = 1; i < N; i++) a[i] = a[i - 1] * 31u + b[i] + r;
    for (uint32_t i = 0; i < N; i++) hist[a[i] & 255u]++;
    for (uint32_t i = 0; i < N; i++) b[i] ^= hist[i & 255u];
    struct node *p = &nodes[r & 2047u];
    for (uint32_t i = 0; i < 4096; i++) { sum += p->v; p = p->next; }
    for (uint32_t i = 0; i < sizeof src; i++) { volatile uint8_t *d = dst; d[i] = src[(i + r) % sizeof src]; }
  }
  return sum + a[N - 1] + dst[77];
}
__attribute__((export_name("peek"))) uint32_t peek(volatile uint32_t *p) { return *p; }
void _start(void) {}
`

const dir = mkdtempSync(join(tmpdir(), 'sphere-null-bench-'))
const build = (guard) => {
  const out = join(dir, guard ? 'guard.wasm' : 'plain.wasm')
  writeFileSync(join(dir, 'k.c'), C)
  execFileSync('clang-14', [
    '--target=wasm32',
    '-O2',
    '-nostdlib',
    ...(guard ? ['-DGUARD'] : []),
    '-Wl,--no-entry',
    '-Wl,--export=_start',
    '-Wl,--global-base=4096',
    '-Wl,--max-memory=262144',
    '-o',
    out,
    join(dir, 'k.c'),
  ])
  return new Uint8Array(readFileSync(out))
}

try {
  const make = async (guard) => {
    const r = await instrumentApp(build(guard))
    if (r.checked.nullGuardBytes > 0 !== guard) throw new Error('guard selection is wrong')
    let fuel
    const inst = new WebAssembly.Instance(new WebAssembly.Module(r.wasm), {
      fuel: {
        yield: () => (fuel.value = 1e9),
        memory_grow: () => -1,
      },
    })
    fuel = inst.exports[FUEL_EXPORT]
    fuel.value = 1e9
    let faulted = false
    try {
      inst.exports.peek(8)
    } catch (e) {
      faulted = /out of bounds/.test(String(e))
    }
    if (faulted !== guard)
      throw new Error(`a read of address 8 ${faulted ? 'faulted' : 'did not fault'} (guard ${guard})`)
    return inst.exports
  }
  const plain = await make(false)
  const guarded = await make(true)
  const ROUNDS = 11
  const PASSES = 200
  if (plain.work(2) !== guarded.work(2)) throw new Error('the two builds disagree')
  const time = (ex) => {
    const t0 = performance.now()
    ex.work(PASSES)
    return performance.now() - t0
  }
  time(plain)
  time(guarded)
  const ratios = []
  const ms = {plain: [], guarded: []}
  for (let i = 0; i < ROUNDS; i++) {
    const p = time(plain)
    const g = time(guarded)
    ms.plain.push(p)
    ms.guarded.push(g)
    ratios.push(g / p)
  }
  const ratio = median(ratios)
  console.log(
    `NULL-page guard, memory-heavy loop: ${median(ms.guarded).toFixed(1)} ms guarded vs ${median(ms.plain).toFixed(1)} ms unguarded -> ratio ${ratio.toFixed(2)}x  (goal <= 1.15x: ${ratio <= 1.15 ? 'met' : 'NOT met'})`,
  )
} finally {
  rmSync(dir, {recursive: true, force: true})
}
