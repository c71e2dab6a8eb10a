import {SphereError} from '../../util/errors.js'

/**
 * A small WebAssembly binary reader/rewriter: enough to validate an app against the ABI and to add the
 * fuel counter (a mutable global decremented at every function entry and loop header, calling the
 * imported `fuel.yield` when it goes negative) and, for apps that ask for it, the NULL-page guard (loads and
 * stores in the first page trap). Works on the binary, so no text round trip is needed.
 * Supports the MVP plus sign-ext, non-trapping float-to-int, bulk memory, reference types, multi-value
 * and tail calls; SIMD, threads and exceptions are refused.
 */

export type ValType = number // 0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64, 0x70 funcref, 0x6f externref

export interface FuncType {
  params: ValType[]
  results: ValType[]
}

export interface WasmImport {
  module: string
  name: string
  kind: 'func' | 'table' | 'memory' | 'global'
  typeIndex?: number
}

export interface WasmExport {
  name: string
  kind: 'func' | 'table' | 'memory' | 'global'
  index: number
}

export interface Limits {
  min: number
  max?: number
}

export interface WasmModuleInfo {
  types: FuncType[]
  imports: WasmImport[]
  exports: WasmExport[]
  /** Memories the module defines itself (not imported). */
  memories: Limits[]
  numFuncImports: number
  numDefinedFuncs: number
  numGlobalImports: number
  numDefinedGlobals: number
  /** Type index of each defined function (function section). */
  funcTypes: number[]
  /**
   * Start address of each active data segment of memory 0 whose offset is an `i32.const`; a segment placed
   * by any other expression counts as NaN (its address is unknown before instantiation).
   */
  dataOffsets: number[]
}

const KIND = ['func', 'table', 'memory', 'global'] as const

export const I32 = 0x7f
export const I64 = 0x7e

const fail = (msg: string): SphereError =>
  new SphereError('APP_INVALID_WASM', `bin/app is not a valid WebAssembly app: ${msg}`, {
    suggestions: ['Rebuild the app with the sphere SDK (wasm32-wasi)'],
  })

class Reader {
  pos = 0
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}
  u8(): number {
    if (this.pos >= this.end) throw fail('unexpected end of data')
    return this.buf[this.pos++]!
  }
  u32(): number {
    let result = 0
    let shift = 0
    for (;;) {
      const b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) break
      shift += 7
      if (shift > 35) throw fail('LEB128 too long')
    }
    if (result > 0xffffffff) throw fail('u32 out of range')
    return result
  }
  /** Skip a signed/unsigned LEB of any length. */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.u8() & 0x80) === 0) return
    throw fail('LEB128 too long')
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) throw fail('unexpected end of data')
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }
  name(): string {
    const n = this.u32()
    return new TextDecoder('utf-8', {fatal: true}).decode(this.bytes(n))
  }
  limits(): Limits {
    const flag = this.u8()
    if (flag & ~1) throw fail(flag & 2 ? 'shared memory (threads) is not supported' : 'bad limits flag')
    const min = this.u32()
    return flag & 1 ? {min, max: this.u32()} : {min}
  }
}

function readS32(r: Reader): number {
  let result = 0
  let shift = 0
  let b: number
  do {
    b = r.u8()
    result |= (b & 0x7f) << shift
    shift += 7
  } while (b & 0x80 && shift < 35)
  if (shift < 32 && b & 0x40) result |= -1 << shift
  return result | 0
}

class Writer {
  private chunks: number[] = []
  u8(b: number): this {
    this.chunks.push(b & 0xff)
    return this
  }
  u32(v: number): this {
    do {
      let b = v & 0x7f
      v = Math.floor(v / 128)
      if (v !== 0) b |= 0x80
      this.chunks.push(b)
    } while (v !== 0)
    return this
  }
  /** Signed LEB128 (i32.const immediates). */
  s32(v: number): this {
    for (;;) {
      const b = v & 0x7f
      v >>= 7
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.chunks.push(b)
        return this
      }
      this.chunks.push(b | 0x80)
    }
  }
  bytes(b: Uint8Array | readonly number[]): this {
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]!)
    return this
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s)
    return this.u32(b.length).bytes(b)
  }
  get length(): number {
    return this.chunks.length
  }
  pop(): void {
    this.chunks.pop()
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks)
  }
}

interface RawSection {
  id: number
  body: Uint8Array
}

function readSections(bin: Uint8Array): RawSection[] {
  if (bin.length < 8 || bin[0] !== 0 || bin[1] !== 0x61 || bin[2] !== 0x73 || bin[3] !== 0x6d)
    throw fail('no \\0asm magic')
  if (bin[4] !== 1 || bin[5] !== 0 || bin[6] !== 0 || bin[7] !== 0) throw fail('unsupported binary version')
  const r = new Reader(bin)
  r.pos = 8
  const out: RawSection[] = []
  while (r.pos < bin.length) {
    const id = r.u8()
    const size = r.u32()
    out.push({id, body: r.bytes(size)})
  }
  return out
}

function readValType(r: Reader): ValType {
  const t = r.u8()
  if (t === 0x7b) throw fail('SIMD (v128) is not supported')
  if (![0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f].includes(t)) throw fail(`unknown value type 0x${t.toString(16)}`)
  return t
}

/** Parse the parts of a module the loader checks. Throws SphereError APP_INVALID_WASM on malformed input. */
export function parseModule(bin: Uint8Array): WasmModuleInfo {
  const info: WasmModuleInfo = {
    types: [],
    imports: [],
    exports: [],
    memories: [],
    numFuncImports: 0,
    numDefinedFuncs: 0,
    numGlobalImports: 0,
    numDefinedGlobals: 0,
    funcTypes: [],
    dataOffsets: [],
  }
  for (const s of readSections(bin)) {
    const r = new Reader(s.body)
    switch (s.id) {
      case 1: {
        const n = r.u32()
        for (let i = 0; i < n; i++) {
          if (r.u8() !== 0x60) throw fail('bad function type')
          const params = Array.from({length: r.u32()}, () => readValType(r))
          const results = Array.from({length: r.u32()}, () => readValType(r))
          info.types.push({params, results})
        }
        break
      }
      case 2: {
        const n = r.u32()
        for (let i = 0; i < n; i++) {
          const module = r.name()
          const name = r.name()
          const k = r.u8()
          const kind = KIND[k]
          if (!kind) throw fail(`bad import kind ${k}`)
          const imp: WasmImport = {module, name, kind}
          if (k === 0) {
            imp.typeIndex = r.u32()
            info.numFuncImports++
          } else if (k === 1) {
            readValType(r)
            r.limits()
          } else if (k === 2) r.limits()
          else {
            readValType(r)
            r.u8()
            info.numGlobalImports++
          }
          info.imports.push(imp)
        }
        break
      }
      case 3:
        info.numDefinedFuncs = r.u32()
        for (let i = 0; i < info.numDefinedFuncs; i++) info.funcTypes.push(r.u32())
        break
      case 11: {
        const n = r.u32()
        for (let i = 0; i < n; i++) {
          const flags = r.u32()
          if (flags === 1) {
            r.bytes(r.u32()) // passive
            continue
          }
          if (flags === 2 && r.u32() !== 0) throw fail('a data segment for a memory other than memory 0')
          if (flags > 2) throw fail(`bad data segment flags ${flags}`)
          const start = r.pos
          let offset = NaN
          if (r.u8() === 0x41) {
            offset = readS32(r)
            if (r.u8() !== 0x0b) offset = NaN
          }
          if (Number.isNaN(offset)) {
            r.pos = start
            while (r.u8() !== 0x0b) {
              // skip the constant expression (a global.get and the like)
            }
          }
          info.dataOffsets.push(Number.isNaN(offset) ? NaN : offset >>> 0)
          r.bytes(r.u32())
        }
        break
      }
      case 5: {
        const n = r.u32()
        for (let i = 0; i < n; i++) info.memories.push(r.limits())
        break
      }
      case 6:
        info.numDefinedGlobals = r.u32()
        break
      case 7: {
        const n = r.u32()
        for (let i = 0; i < n; i++) {
          const name = r.name()
          const k = r.u8()
          const kind = KIND[k]
          if (!kind) throw fail(`bad export kind ${k}`)
          info.exports.push({name, kind, index: r.u32()})
        }
        break
      }
      default:
        break
    }
  }
  return info
}

export interface FuelOptions {
  /** Name of the exported mutable i32 global holding the fuel. */
  fuelExport: string
  /** Import added for the yield call. */
  yieldModule: string
  yieldName: string
  /** Clamp (or set) every defined memory's maximum to this many pages. */
  maxPages: number
  /**
   * Also rewrite every `memory.grow` into a call to this import (`[i32] -> [i32]`, added after the yield
   * import): the host checks the device's RAM budget and grows the memory itself, or returns -1.
   */
  growImport?: {module: string; name: string}
  /**
   * Also guard the first `bytes` of memory (the NULL page of an ARM process): every load and store whose
   * effective address could fall below it traps (memory access out of bounds) when it does. See rewriteBody.
   */
  nullGuard?: {bytes: number}
}

export interface FuelResult {
  wasm: Uint8Array
  /** Instrumented sites: function entries + loop headers. */
  sites: number
  /** Loads and stores given a NULL-page check. */
  guardedAccesses: number
}

/**
 * Add the fuel counter: a new import `yieldModule.yieldName: [] -> []` (appended after the existing
 * function imports, so every defined function index shifts by one and all references are fixed up),
 * a new exported mutable i32 global, and at every function entry and loop header:
 *   global.get F; i32.const 1; i32.sub; global.set F; global.get F; i32.const 0; i32.lt_s; if; call Y; end
 * Also writes `maxPages` as the memory maximum where the module declared none. Custom sections are dropped.
 */
export function addFuel(bin: Uint8Array, opts: FuelOptions): FuelResult {
  const info = parseModule(bin)
  const sections = readSections(bin)
  const yieldIdx = info.numFuncImports
  const grow = opts.growImport
  const growIdx = grow ? yieldIdx + 1 : -1
  const guard = opts.nullGuard && opts.nullGuard.bytes > 0 ? opts.nullGuard : undefined
  const added = grow ? 2 : 1
  const fuelGlobal = info.numGlobalImports + info.numDefinedGlobals
  const shift = (f: number): number => (f >= yieldIdx ? f + added : f)
  let yieldType = info.types.findIndex((t) => t.params.length === 0 && t.results.length === 0)
  const addType = yieldType < 0
  if (addType) yieldType = info.types.length
  let growType = grow
    ? info.types.findIndex(
        (t) => t.params.length === 1 && t.results.length === 1 && t.params[0] === I32 && t.results[0] === I32,
      )
    : -1
  const addGrowType = grow !== undefined && growType < 0
  if (addGrowType) growType = info.types.length + (addType ? 1 : 0)
  const newImports = (w: Writer): void => {
    w.name(opts.yieldModule).name(opts.yieldName).u8(0).u32(yieldType)
    if (grow) w.name(grow.module).name(grow.name).u8(0).u32(growType)
  }

  const check = new Writer()
    .u8(0x23)
    .u32(fuelGlobal)
    .u8(0x41)
    .u8(1)
    .u8(0x6b)
    .u8(0x24)
    .u32(fuelGlobal)
    .u8(0x23)
    .u32(fuelGlobal)
    .u8(0x41)
    .u8(0)
    .u8(0x48)
    .u8(0x04)
    .u8(0x40)
    .u8(0x10)
    .u32(yieldIdx)
    .u8(0x0b)
    .toBytes()

  let sites = 0
  let guardedAccesses = 0
  const out: RawSection[] = []
  const push = (id: number, body: Uint8Array): void => {
    out.push({id, body})
  }
  // Sections must keep their order; we may need to create type/import/global/export sections.
  const order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11]
  const byId = new Map<number, RawSection>()
  for (const s of sections) if (s.id !== 0) byId.set(s.id, s)
  for (const id of order) {
    const s = byId.get(id)
    switch (id) {
      case 1: {
        const w = new Writer().u32(info.types.length + (addType ? 1 : 0) + (addGrowType ? 1 : 0))
        if (s) {
          const r = new Reader(s.body)
          r.u32()
          w.bytes(s.body.subarray(r.pos))
        }
        if (addType) w.u8(0x60).u32(0).u32(0)
        if (addGrowType) w.u8(0x60).u32(1).u8(0x7f).u32(1).u8(0x7f)
        push(1, w.toBytes())
        break
      }
      case 2: {
        // Keep existing imports in order, inserting the yield import after the last function import.
        const w = new Writer().u32(info.imports.length + added)
        let funcSeen = 0
        let inserted = false
        if (s) {
          const r = new Reader(s.body)
          const n = r.u32()
          for (let i = 0; i < n; i++) {
            const start = r.pos
            r.name()
            r.name()
            const k = r.u8()
            if (k === 0) r.u32()
            else if (k === 1) {
              r.u8()
              r.limits()
            } else if (k === 2) r.limits()
            else {
              r.u8()
              r.u8()
            }
            w.bytes(s.body.subarray(start, r.pos))
            if (k === 0 && ++funcSeen === info.numFuncImports && !inserted) {
              newImports(w)
              inserted = true
            }
          }
        }
        if (!inserted) newImports(w)
        push(2, w.toBytes())
        break
      }
      case 5: {
        if (!s) break
        const r = new Reader(s.body)
        const n = r.u32()
        const w = new Writer().u32(n)
        for (let i = 0; i < n; i++) {
          const l = r.limits()
          w.u8(1)
            .u32(l.min)
            .u32(l.max ?? Math.max(opts.maxPages, l.min))
        }
        push(5, w.toBytes())
        break
      }
      case 6: {
        const w = new Writer().u32(info.numDefinedGlobals + 1)
        if (s) {
          const r = new Reader(s.body)
          const n = r.u32()
          for (let i = 0; i < n; i++) {
            w.u8(readValType(r)).u8(r.u8())
            copyExpr(r, w, shift)
          }
        }
        w.u8(0x7f).u8(1).u8(0x41).u8(0).u8(0x0b)
        push(6, w.toBytes())
        break
      }
      case 7: {
        const w = new Writer().u32(info.exports.length + 1)
        for (const e of info.exports) {
          if (e.name === opts.fuelExport) throw fail(`the export name ${e.name} is reserved`)
          const k = KIND.indexOf(e.kind)
          w.name(e.name)
            .u8(k)
            .u32(k === 0 ? shift(e.index) : e.index)
        }
        w.name(opts.fuelExport).u8(3).u32(fuelGlobal)
        push(7, w.toBytes())
        break
      }
      case 8: {
        if (!s) break
        push(8, new Writer().u32(shift(new Reader(s.body).u32())).toBytes())
        break
      }
      case 9: {
        if (!s) break
        push(9, rewriteElements(s.body, shift))
        break
      }
      case 10: {
        if (!s) break
        const r = new Reader(s.body)
        const n = r.u32()
        const w = new Writer().u32(n)
        for (let i = 0; i < n; i++) {
          const size = r.u32()
          const end = r.pos + size
          const fr = new Reader(s.body, end)
          fr.pos = r.pos
          const fw = new Writer()
          const nl = fr.u32()
          let g: Guard | undefined
          if (guard) {
            // four scratch locals after the function's own: a stored value of each type
            const t = info.types[info.funcTypes[i] ?? -1]
            if (!t) throw fail('function without a type')
            let base = t.params.length
            fw.u32(nl + 4)
            for (let j = 0; j < nl; j++) {
              const count = fr.u32()
              base += count
              fw.u32(count).u8(readValType(fr))
            }
            for (const vt of [0x7f, 0x7e, 0x7d, 0x7c]) fw.u32(1).u8(vt)
            g = {bytes: guard.bytes, val: {0x7f: base, 0x7e: base + 1, 0x7d: base + 2, 0x7c: base + 3}, count: 0}
          } else {
            fw.u32(nl)
            for (let j = 0; j < nl; j++) fw.u32(fr.u32()).u8(readValType(fr))
          }
          fw.bytes(check)
          sites++
          sites += rewriteBody(fr, fw, shift, check, growIdx, g)
          guardedAccesses += g?.count ?? 0
          if (fr.pos !== end) throw fail('function body size mismatch')
          w.u32(fw.length).bytes(fw.toBytes())
          r.pos = end
        }
        push(10, w.toBytes())
        break
      }
      default:
        if (s) push(id, s.body)
    }
  }
  for (const s of sections) if (s.id !== 0 && !order.includes(s.id)) throw fail(`unknown section id ${s.id}`)
  const w = new Writer().bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
  for (const s of out) w.u8(s.id).u32(s.body.length).bytes(s.body)
  return {wasm: w.toBytes(), sites, guardedAccesses}
}

interface Guard {
  bytes: number
  /** Scratch locals holding a stored value while its address is adjusted, by value type. */
  val: Record<number, number>
  count: number
}

/** Value type a store opcode (0x36..0x3e) takes. */
const STORE_TYPE: Record<number, number> = {
  0x36: 0x7f,
  0x37: 0x7e,
  0x38: 0x7d,
  0x39: 0x7c,
  0x3a: 0x7f,
  0x3b: 0x7f,
  0x3c: 0x7e,
  0x3d: 0x7e,
  0x3e: 0x7e,
}

function rewriteElements(body: Uint8Array, shift: (f: number) => number): Uint8Array {
  const r = new Reader(body)
  const n = r.u32()
  const w = new Writer().u32(n)
  for (let i = 0; i < n; i++) {
    const flags = r.u32()
    w.u32(flags)
    if (flags > 7) throw fail(`bad element segment flags ${flags}`)
    const passiveOrDecl = (flags & 1) !== 0
    const explicitTable = (flags & 2) !== 0
    const usesExprs = (flags & 4) !== 0
    if (!passiveOrDecl) {
      if (explicitTable) w.u32(r.u32())
      copyExpr(r, w, shift)
    }
    if (passiveOrDecl || explicitTable) w.u8(r.u8()) // elemkind or reftype
    const count = r.u32()
    w.u32(count)
    for (let j = 0; j < count; j++) {
      if (usesExprs) copyExpr(r, w, shift)
      else w.u32(shift(r.u32()))
    }
  }
  return w.toBytes()
}

/** Copy a constant expression (up to and including `end`), fixing ref.func indices. */
function copyExpr(r: Reader, w: Writer, shift: (f: number) => number): void {
  for (;;) {
    const op = r.u8()
    w.u8(op)
    if (op === 0x0b) return
    if (op === 0xd2) w.u32(shift(r.u32()))
    else if (op === 0x41 || op === 0x42) {
      const start = r.pos
      r.skipLeb()
      w.bytes(r.buf.subarray(start, r.pos))
    } else if (op === 0x43) w.bytes(r.bytes(4))
    else if (op === 0x44) w.bytes(r.bytes(8))
    else if (op === 0x23) w.u32(r.u32())
    else if (op === 0xd0) w.u8(r.u8())
    else if (op >= 0x6a && op <= 0x7c) {
      // extended constant expressions (i32/i64 add, sub, mul)
    } else throw fail(`unsupported opcode 0x${op.toString(16)} in a constant expression`)
  }
}

/** Copy one function body's instructions, shifting function indices and inserting `check` after each loop. */
function rewriteBody(
  r: Reader,
  w: Writer,
  shift: (f: number) => number,
  check: Uint8Array,
  growIdx = -1,
  guard?: Guard,
): number {
  let sites = 0
  const copyFrom = (start: number): void => {
    w.bytes(r.buf.subarray(start, r.pos))
  }
  const blockType = (): void => {
    const start = r.pos
    const b = r.u8()
    if (b !== 0x40 && ![0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f].includes(b)) {
      if (b === 0x7b) throw fail('SIMD (v128) is not supported')
      r.pos = start
      r.skipLeb()
    }
    copyFrom(start)
  }
  while (r.pos < r.end) {
    const op = r.u8()
    if (op === 0x10 || op === 0x12 || op === 0xd2) {
      w.u8(op).u32(shift(r.u32()))
      continue
    }
    if (op === 0x40 && growIdx >= 0) {
      if (r.u32() !== 0) throw fail('memory.grow on a memory other than memory 0')
      w.u8(0x10).u32(growIdx) // memory.grow 0 -> call the host's budget-checked grow: same stack effect
      continue
    }
    w.u8(op)
    const start = r.pos
    switch (true) {
      case op === 0x02 || op === 0x04:
        blockType()
        break
      case op === 0x03:
        blockType()
        w.bytes(check)
        sites++
        break
      case op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1:
        break
      case op === 0x0c || op === 0x0d || (op >= 0x20 && op <= 0x26) || op === 0x3f || op === 0x40:
        r.u32()
        copyFrom(start)
        break
      case op === 0x0e: {
        const n = r.u32()
        for (let i = 0; i <= n; i++) r.u32()
        copyFrom(start)
        break
      }
      case op === 0x11 || op === 0x13:
        r.u32()
        r.u32()
        copyFrom(start)
        break
      case op === 0x1c: {
        const n = r.u32()
        for (let i = 0; i < n; i++) readValType(r)
        copyFrom(start)
        break
      }
      case op >= 0x28 && op <= 0x3e: {
        const align = r.u32()
        const offset = r.u32()
        if (guard && offset < guard.bytes) {
          // addr + offset < bytes must trap. With k = bytes - offset, access (addr - k) at offset `bytes`: the
          // same effective address when addr >= k; when addr < k the subtraction wraps and the effective
          // address (computed without wrapping) is 2^32 + addr + offset, beyond any memory: the access traps.
          w.pop() // the opcode byte is already written: emit it again after the adjustment
          const vt = STORE_TYPE[op]
          if (vt !== undefined) w.u8(0x21).u32(guard.val[vt]!) // local.set value
          w.u8(0x41)
            .s32(guard.bytes - offset)
            .u8(0x6b) // i32.const k; i32.sub
          if (vt !== undefined) w.u8(0x20).u32(guard.val[vt]!) // local.get value
          w.u8(op).u32(align).u32(guard.bytes)
          guard.count++
        } else copyFrom(start)
        break
      }
      case op === 0x41 || op === 0x42:
        r.skipLeb()
        copyFrom(start)
        break
      case op === 0x43:
        r.bytes(4)
        copyFrom(start)
        break
      case op === 0x44:
        r.bytes(8)
        copyFrom(start)
        break
      case op >= 0x45 && op <= 0xc4:
        break
      case op === 0xd0:
        r.u8()
        copyFrom(start)
        break
      case op === 0xfc: {
        const sub = r.u32()
        if (sub <= 7) {
          // saturating truncations: no immediates
        } else if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
          r.u32()
          r.u32()
        } else if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32()
        else throw fail(`unsupported instruction 0xfc ${sub}`)
        copyFrom(start)
        break
      }
      case op === 0xfd:
        throw fail('SIMD instructions are not supported')
      case op === 0xfe:
        throw fail('atomic instructions (threads) are not supported')
      case op >= 0x06 && op <= 0x09:
      case op === 0x18 || op === 0x19:
        throw fail('exception-handling instructions are not supported')
      default:
        throw fail(`unknown opcode 0x${op.toString(16)}`)
    }
  }
  return sites
}
