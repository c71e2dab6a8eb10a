/**
 * The NULL-page guard (src/os/runtime/wasm-binary.ts, instrument.ts): in an app that asks for it
 * (sphere_null_guard export), every load and store whose effective address lies in the first 4 KiB traps,
 * whatever its type, width and static offset; everything above works and stores the right values; an app
 * without the export, or whose data starts lower, keeps that memory usable.
 */
import {describe, expect, test} from '@jest/globals'
import {FUEL_EXPORT, instrumentApp, nullGuardBytes, NULL_PAGE_BYTES} from '../../../src/os/runtime/instrument.js'
import {parseModule} from '../../../src/os/runtime/wasm-binary.js'
import {Wasm, type WasmGlobal, type WasmMemory} from '../../../src/os/runtime/wasm-api.js'
import {CACHE_DIR, wat} from '../helpers.js'

const app = (opts: {guard: boolean; data?: number}): string => `(module
  (memory (export "memory") 1 4)
  ${opts.data !== undefined ? `(data (i32.const ${opts.data}) "data")` : ''}
  (func (export "sphere_unwind_area") (result i32) (i32.const 0x8000))
  (func (export "sphere_unwind_size") (result i32) (i32.const 8192))
  ${opts.guard ? '(func (export "sphere_null_guard") (result i32) (i32.const 4096))' : ''}
  (func (export "_start"))
  (func (export "load32") (param $a i32) (result i32) (i32.load (local.get $a)))
  (func (export "load8_off8") (param $a i32) (result i32) (i32.load8_u offset=8 (local.get $a)))
  (func (export "load_off4096") (param $a i32) (result i32) (i32.load offset=4096 (local.get $a)))
  (func (export "store32") (param $a i32) (param $v i32) (i32.store (local.get $a) (local.get $v)))
  (func (export "store64") (param $a i32) (param $v i64) (i64.store offset=16 (local.get $a) (local.get $v)))
  (func (export "load64") (param $a i32) (result i64) (i64.load offset=16 (local.get $a)))
  (func (export "storef64") (param $a i32) (param $v f64) (f64.store (local.get $a) (local.get $v)))
  (func (export "loadf64") (param $a i32) (result f64) (f64.load (local.get $a)))
  (func (export "storef32") (param $a i32) (param $v f32) (f32.store (local.get $a) (local.get $v)))
  (func (export "loadf32") (param $a i32) (result f32) (f32.load (local.get $a)))
  (func (export "store16") (param $a i32) (param $v i32) (i32.store16 (local.get $a) (local.get $v))))`

type Ex = Record<string, (...a: (number | bigint)[]) => number | bigint>

async function instance(src: string): Promise<{ex: Ex; guard: number; bytes: Uint8Array}> {
  const r = await instrumentApp(await wat(src), {cacheDir: CACHE_DIR})
  const inst = new Wasm.Instance(new Wasm.Module(r.wasm), {
    fuel: {yield: () => undefined, memory_grow: () => -1},
  })
  ;(inst.exports[FUEL_EXPORT] as WasmGlobal).value = 1e9
  return {
    ex: inst.exports as Ex,
    guard: r.checked.nullGuardBytes,
    bytes: new Uint8Array((inst.exports.memory as WasmMemory).buffer),
  }
}

const traps = (f: () => unknown): boolean => {
  try {
    f()
    return false
  } catch (e) {
    return e instanceof Wasm.RuntimeError && /out of bounds/.test(e.message)
  }
}

describe('NULL-page guard', () => {
  test('guarded: every access below 4096 traps, whatever the type, width and offset', async () => {
    const {ex, guard} = await instance(app({guard: true, data: 0x1000}))
    expect(guard).toBe(NULL_PAGE_BYTES)
    expect(traps(() => ex.load32!(0))).toBe(true)
    expect(traps(() => ex.load32!(4092))).toBe(true) // the last word of the page
    expect(traps(() => ex.load8_off8!(4087))).toBe(true) // 4087 + 8 = 4095
    expect(traps(() => ex.store32!(8, 1))).toBe(true)
    expect(traps(() => ex.store64!(4000, 1n))).toBe(true) // 4000 + 16
    expect(traps(() => ex.storef64!(0, 1.5))).toBe(true)
    expect(traps(() => ex.storef32!(100, 1.5))).toBe(true)
    expect(traps(() => ex.store16!(4095, 1))).toBe(true)
  })

  test('guarded: accesses from 4096 up work and store the right values', async () => {
    const {ex, bytes} = await instance(app({guard: true, data: 0x1000}))
    expect(ex.load8_off8!(4088)).toBe(bytes[4096])
    expect(ex.load_off4096!(0)).toBe(new DataView(bytes.buffer).getInt32(4096, true)) // static offset past the page
    ex.store32!(0x2000, -123456)
    expect(ex.load32!(0x2000)).toBe(-123456)
    ex.store64!(0x2000, -9007199254740993n)
    expect(ex.load64!(0x2000)).toBe(-9007199254740993n)
    ex.storef64!(0x3000, Math.PI)
    expect(ex.loadf64!(0x3000)).toBe(Math.PI)
    ex.storef32!(0x3010, 1.25)
    expect(ex.loadf32!(0x3010)).toBe(1.25)
    ex.store16!(4096, 0xbeef)
    expect(new DataView(bytes.buffer).getUint16(4096, true)).toBe(0xbeef)
    expect(traps(() => ex.load32!(65536 * 4))).toBe(true) // past the end still traps
  })

  test('without the export the first page is ordinary memory (hand-written modules keep their scratch space)', async () => {
    const {ex, guard} = await instance(app({guard: false, data: 0x1000}))
    expect(guard).toBe(0)
    ex.store32!(8, 77)
    expect(ex.load32!(8)).toBe(77)
    ex.storef64!(0, 2.5)
    expect(ex.loadf64!(0)).toBe(2.5)
  })

  test('data placed inside the page lowers the guard to where the data starts', async () => {
    const {ex, guard} = await instance(app({guard: true, data: 0x400}))
    expect(guard).toBe(0x400)
    expect(ex.load32!(0x400)).toBe(0x61746164) // "data"
    expect(traps(() => ex.load32!(0x3fc))).toBe(true)
    expect(nullGuardBytes(parseModule(await wat(app({guard: true}))))).toBe(NULL_PAGE_BYTES)
  })
})
