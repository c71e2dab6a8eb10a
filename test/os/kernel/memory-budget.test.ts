import {describe, expect, test} from '@jest/globals'
import {Kernel} from '../../../src/os/kernel/kernel.js'
import type {Task} from '../../../src/os/kernel/process.js'
import {World} from '../../../src/os/hw/world.js'
import {APP_RAM_CAP_PAGES, RAM_OS_SHARE_BYTES, RAM_TOTAL_BYTES, WASM_PAGE_BYTES} from '../../../src/os/hw/chip.js'
import {addFuel, parseModule} from '../../../src/os/runtime/wasm-binary.js'
import {Wasm, type WasmMemory} from '../../../src/os/runtime/wasm-api.js'
import {wat} from '../helpers.js'

/** The engine's WebAssembly.Memory constructor (the project's TS lib does not declare WebAssembly). */
const WasmMemoryCtor = (
  globalThis as unknown as {WebAssembly: {Memory: new (d: {initial: number; maximum: number}) => WasmMemory}}
).WebAssembly.Memory

const SHARE = RAM_TOTAL_BYTES - RAM_OS_SHARE_BYTES

/** A process whose "task" is a bare WebAssembly.Memory (the kernel only asks it for its size). */
function spawnWithMemory(k: Kernel, initialPages: number, maxPages = APP_RAM_CAP_PAGES) {
  const memory = new WasmMemoryCtor({initial: initialPages, maximum: maxPages})
  const task: Task = {
    run: () => {},
    sliceElapsedNs: () => 0,
    memoryBytes: () => memory.buffer.byteLength,
    readU32: () => undefined,
    writeU32: () => false,
    dispose: () => {},
  }
  const p = k.spawn(
    {componentId: `c${initialPages}-${Math.random()}`, name: 'm', uid: 1000},
    initialPages * WASM_PAGE_BYTES,
    () => task,
  )
  return {p, memory}
}

describe('RAM budget on every memory.grow', () => {
  test('growth that would take all apps past the app share fails with -1 and is accounted when it succeeds', () => {
    const k = new Kernel({clock: 'fast-forward', world: new World()})
    const apps = Array.from({length: SHARE / (APP_RAM_CAP_PAGES * WASM_PAGE_BYTES)}, () => spawnWithMemory(k, 1))
    const refusals: string[] = []
    for (const a of apps) expect(k.growMemory(a.p, a.memory, APP_RAM_CAP_PAGES - 1, (r) => refusals.push(r))).toBe(1)
    expect(k.memoryTotals().appsBytes).toBe(SHARE) // accounted at once, not at the next slice
    const late = spawnWithMemory(k, 0)
    expect(k.growMemory(late.p, late.memory, 1, (r) => refusals.push(r))).toBe(-1)
    expect(late.memory.buffer.byteLength).toBe(0)
    expect(late.p.growRefusals).toBe(1)
    expect(refusals).toEqual([expect.stringMatching(/exceed the app share of RAM \(1048576 B/)])
    // memory.grow(0) asks the size and always succeeds
    expect(k.growMemory(late.p, late.memory, 0)).toBe(0)
    // freeing RAM (an app exits) makes room again
    k.exit(apps[0]!.p, 0)
    expect(k.growMemory(late.p, late.memory, 2)).toBe(0)
    expect(k.memoryTotals().appsBytes).toBe(SHARE - 2 * WASM_PAGE_BYTES)
  })

  test('past the memory’s own maximum is -1 too; an unsigned page count (-1 = 4 Gi pages) is refused', () => {
    const k = new Kernel({clock: 'fast-forward', world: new World()})
    const a = spawnWithMemory(k, 1, 2)
    const why: string[] = []
    expect(k.growMemory(a.p, a.memory, 1)).toBe(1)
    expect(k.growMemory(a.p, a.memory, 1, (r) => why.push(r))).toBe(-1)
    expect(k.growMemory(a.p, a.memory, -1, (r) => why.push(r))).toBe(-1)
    expect(why).toHaveLength(2)
    expect(a.p.growRefusals).toBe(2)
  })
})

describe('the install-time rewrite of memory.grow', () => {
  test('every memory.grow becomes a call to the grow import, which the module then obeys', async () => {
    const bin = await wat(`(module
      (import "env" "f" (func $f (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "g") (param $n i32) (result i32) (memory.grow (local.get $n)))
      (func (export "h") (result i32) (drop (memory.grow (i32.const 1))) (call $f (memory.size))))`)
    const out = addFuel(bin, {
      fuelExport: 'fuel',
      yieldModule: 'fuel',
      yieldName: 'yield',
      maxPages: 4,
      growImport: {module: 'fuel', name: 'memory_grow'},
    })
    const info = parseModule(out.wasm)
    expect(info.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['env.f', 'fuel.yield', 'fuel.memory_grow'])
    const asked: number[] = []
    const box: {mem?: WasmMemory} = {}
    const inst = new Wasm.Instance(new Wasm.Module(out.wasm), {
      env: {f: (x: number) => x * 10},
      fuel: {
        yield: () => {},
        memory_grow: (n: number) => {
          asked.push(n)
          return n === 2 ? -1 : box.mem!.grow(n)
        },
      },
    })
    const mem = (box.mem = inst.exports.memory as WasmMemory)
    const g = inst.exports.g as (n: number) => number
    expect(g(1)).toBe(1)
    expect(g(2)).toBe(-1) // the host said no: the memory did not grow
    expect(mem.buffer.byteLength).toBe(2 * WASM_PAGE_BYTES)
    expect((inst.exports.h as () => number)()).toBe(30) // function indices after the new imports still right
    expect(asked).toEqual([1, 2, 1])
  })
})
