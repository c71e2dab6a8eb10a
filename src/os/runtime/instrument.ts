import {createHash} from 'node:crypto'
import {execFile} from 'node:child_process'
import {createRequire} from 'node:module'
import {promisify} from 'node:util'

const execFileAsync = promisify(execFile)
import {existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {dirname, join, delimiter} from 'node:path'
import {tmpdir} from 'node:os'
import {APP_RAM_CAP_BYTES, APP_RAM_CAP_PAGES} from '../hw/chip.js'
import {SphereError} from '../../util/errors.js'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {ABI_SIGNATURES, isAbiModule, sigOf} from './abi.js'
import {addFuel, parseModule, type WasmModuleInfo} from './wasm-binary.js'
import {Wasm, type WasmMemory} from './wasm-api.js'
import type {SysCtx} from './context.js'
import {Errno} from '../kernel/errno.js'

/** Bump when the instrumentation changes, so cached outputs are redone. */
export const INSTRUMENT_VERSION = 'fuel1+grow1+null2+asyncify1'

const require = createRequire(import.meta.url)
/** The binaryen release the project pins (package.json): the one Asyncify every app goes through. */
const BINARYEN_PACKAGE = require.resolve('binaryen/package.json')
const BINARYEN_MAJOR = Number(/^(\d+)/.exec((JSON.parse(readFileSync(BINARYEN_PACKAGE, 'utf8')) as {version: string}).version)![1])

/**
 * The cache key of an app binary: sha256 over the instrumentation version, the binaryen release that runs
 * Asyncify, and the binary. Every tool the key can stand for is that one release (see asyncifier()), so an
 * instrumented module never depends on which wasm-opt happened to be on PATH.
 */
export function instrumentKey(bin: Uint8Array): string {
  return createHash('sha256').update(`${INSTRUMENT_VERSION}+binaryen${BINARYEN_MAJOR}`).update(bin).digest('hex')
}
export const FUEL_EXPORT = '__sphere_fuel'
export const YIELD_MODULE = 'fuel'
export const YIELD_NAME = 'yield'
/**
 * Every `memory.grow` of the app becomes a call to this import (module YIELD_MODULE, `[i32] -> [i32]`): the
 * kernel grows the memory only within the device's RAM budget (`Kernel.growMemory`), else the app gets -1,
 * which malloc reports as NULL / ENOMEM.
 */
export const GROW_NAME = 'memory_grow'
/** The first page of an ARM process (4 KiB) is unmapped. */
export const NULL_PAGE_BYTES = 4096
/**
 * An app that exports this (the SDK's C library does, and links data from 4096 up) gets the NULL-page
 * guard; hand-written modules that keep data or scratch space in the first page do not.
 */
export const NULL_GUARD_EXPORT = 'sphere_null_guard'
export const UNWIND_AREA_EXPORT = 'sphere_unwind_area'
export const UNWIND_SIZE_EXPORT = 'sphere_unwind_size'
export const MIN_UNWIND_BYTES = 1024

/**
 * The host side of the rewritten `memory.grow`: the kernel grows the app's memory within the RAM budget; a
 * refusal returns -1 to the app (malloc: NULL, errno ENOMEM) and is recorded in the audit log.
 */
export function growMemoryImport(c: SysCtx, memory: () => WasmMemory): (pages: number) => number {
  return (pages) =>
    c.kernel.growMemory(c.proc, memory(), pages, (reason) =>
      c.lsm.deny(c.subject, {op: 'memory.grow', pages: pages >>> 0}, reason, Errno.ENOMEM),
    )
}

export interface AppImport {
  module: string
  name: string
  /** Signature as 'ii->i'. */
  sig: string
  /** The runtime implements it; otherwise it is linked to an ENOSYS stub. */
  implemented: boolean
}

export interface CheckedApp {
  info: WasmModuleInfo
  imports: AppImport[]
  /** Declared memory limits in bytes (max after clamping to the 256 KiB cap). */
  memoryInitialBytes: number
  memoryMaxBytes: number
  /** Bytes at address 0 where a load or store faults (0: no guard). */
  nullGuardBytes: number
}

/**
 * The guarded first bytes: NULL_PAGE_BYTES for an app that asks for the guard (NULL_GUARD_EXPORT), lowered
 * to its lowest data segment should one start inside the page (a segment at an unknown address: no guard).
 */
export function nullGuardBytes(info: WasmModuleInfo): number {
  if (!info.exports.some((e) => e.name === NULL_GUARD_EXPORT)) return 0
  let bytes = NULL_PAGE_BYTES
  for (const o of info.dataOffsets) bytes = Number.isNaN(o) ? 0 : Math.min(bytes, o)
  return bytes
}

const refuse = (code: string, msg: string, suggestions: string[] = []): SphereError =>
  new SphereError(code, msg, {suggestions})

/**
 * Check an app binary against the ABI before anything runs: only imports from the three ABI modules, exact
 * signatures for implemented calls, one module-defined memory no larger than 256 KiB, the WASI `_start`
 * and `memory` exports, and the unwind-area exports (sdk/ABI.md).
 */
export function checkApp(bin: Uint8Array): CheckedApp {
  const info = parseModule(bin)
  const imports: AppImport[] = []
  for (const imp of info.imports) {
    const where = `${imp.module}.${imp.name}`
    if (imp.kind !== 'func') {
      throw refuse('APP_BAD_IMPORT', `bin/app imports a ${imp.kind} (${where}); apps may import functions only`, [
        'Let the app define its own memory (the SDK toolchain does)',
      ])
    }
    if (!isAbiModule(imp.module)) {
      throw refuse(
        'APP_BAD_IMPORT',
        `bin/app imports ${where}, which is outside the app ABI (modules: wasi_snapshot_preview1, sphere, applibs)`,
        ['See sdk/ABI.md for the imports an app may use'],
      )
    }
    if (!/^[A-Za-z0-9_]+$/.test(imp.name))
      throw refuse('APP_BAD_IMPORT', `bin/app imports ${JSON.stringify(where)}: not a valid ABI name`)
    const t = info.types[imp.typeIndex ?? -1]
    if (!t) throw refuse('APP_INVALID_WASM', `bin/app: import ${where} has a bad type index`)
    const sig = sigOf(t.params, t.results)
    const want = ABI_SIGNATURES[imp.module][imp.name]
    if (want !== undefined && want !== sig) {
      throw refuse('APP_BAD_IMPORT', `bin/app imports ${where} as (${sig}) but the ABI defines it as (${want})`, [
        'Rebuild against the current SDK headers',
      ])
    }
    if (want === undefined && t.results.length > 1)
      throw refuse('APP_BAD_IMPORT', `bin/app imports ${where} with several results`)
    imports.push({module: imp.module, name: imp.name, sig, implemented: want !== undefined})
  }
  if (info.memories.length !== 1) {
    throw refuse('APP_BAD_MEMORY', `bin/app must define exactly one memory (it defines ${info.memories.length})`)
  }
  const mem = info.memories[0]!
  const cap = `${APP_RAM_CAP_BYTES / 1024} KiB`
  if (mem.min > APP_RAM_CAP_PAGES) {
    throw refuse(
      'APP_MEMORY_TOO_LARGE',
      `bin/app asks for ${mem.min * 64} KiB of initial memory; a high-level app may use at most ${cap}`,
      ['Link with -Wl,--initial-memory and -Wl,--max-memory of at most 262144'],
    )
  }
  if (mem.max !== undefined && mem.max > APP_RAM_CAP_PAGES) {
    throw refuse(
      'APP_MEMORY_TOO_LARGE',
      `bin/app declares a memory maximum of ${mem.max * 64} KiB; a high-level app may use at most ${cap}`,
      ['Link with -Wl,--max-memory=262144 or less'],
    )
  }
  const exp = (name: string, kind: string): boolean => info.exports.some((e) => e.name === name && e.kind === kind)
  if (!exp('_start', 'func'))
    throw refuse('APP_NO_ENTRY', 'bin/app does not export _start (a WASI command module is required)')
  if (!exp('memory', 'memory')) throw refuse('APP_BAD_MEMORY', 'bin/app does not export its memory as "memory"')
  if (!exp(UNWIND_AREA_EXPORT, 'func') || !exp(UNWIND_SIZE_EXPORT, 'func')) {
    throw refuse('APP_NO_UNWIND_AREA', `bin/app does not export ${UNWIND_AREA_EXPORT} and ${UNWIND_SIZE_EXPORT}`, [
      'Link the app with the sphere SDK C library, which provides them (see sdk/ABI.md)',
    ])
  }
  for (const e of info.exports) {
    if (e.name.startsWith('asyncify_') || e.name === FUEL_EXPORT)
      throw refuse('APP_BAD_EXPORT', `bin/app exports ${e.name}, a name the runtime reserves`)
  }
  if (hasStartSection(bin)) throw refuse('APP_INVALID_WASM', 'bin/app has a start function; apps start at _start')
  return {
    info,
    imports,
    memoryInitialBytes: mem.min * 65536,
    memoryMaxBytes: (mem.max ?? APP_RAM_CAP_PAGES) * 65536,
    nullGuardBytes: nullGuardBytes(info),
  }
}

function hasStartSection(bin: Uint8Array): boolean {
  // parseModule walked the sections already; a cheap second walk only looks for id 8.
  let pos = 8
  while (pos < bin.length) {
    const id = bin[pos++]!
    let size = 0
    let shift = 0
    for (;;) {
      const b = bin[pos++]!
      size += (b & 0x7f) * 2 ** shift
      shift += 7
      if ((b & 0x80) === 0) break
    }
    if (id === 8) return true
    pos += size
  }
  return false
}

export interface InstrumentResult {
  wasm: Uint8Array
  /** sha256 of the input binary (the cache key, with INSTRUMENT_VERSION). */
  hash: string
  fromCache: boolean
  checked: CheckedApp
  /** Which Asyncify implementation ran: native wasm-opt or the npm binaryen package. */
  tool: 'cache' | 'wasm-opt' | 'binaryen.js'
}

/**
 * Install-time instrumentation: check, add fuel (and the NULL-page guard), then Asyncify every import (so any syscall and the fuel
 * yield can suspend). Results are cached by content hash under `cacheDir`.
 */
export async function instrumentApp(bin: Uint8Array, opts: {cacheDir?: string} = {}): Promise<InstrumentResult> {
  const checked = checkApp(bin)
  const hash = instrumentKey(bin)
  const cachePath = opts.cacheDir ? join(opts.cacheDir, `${hash}.wasm`) : undefined
  // The cached module is what runs: its sha256 (written next to it) must match, else it is redone. A valid
  // but bit-flipped module could lose its fuel counter, and one app could then stall the whole device.
  const digestPath = cachePath ? `${cachePath}.sha256` : undefined
  if (cachePath && digestPath && existsSync(cachePath) && existsSync(digestPath)) {
    const wasm = new Uint8Array(readFileSync(cachePath))
    const digest = createHash('sha256').update(wasm).digest('hex')
    if (readFileSync(digestPath, 'utf8').trim() === digest && Wasm.validate(wasm))
      return {wasm, hash, fromCache: true, checked, tool: 'cache'}
  }
  const fueled = addFuel(bin, {
    fuelExport: FUEL_EXPORT,
    yieldModule: YIELD_MODULE,
    yieldName: YIELD_NAME,
    maxPages: APP_RAM_CAP_PAGES,
    growImport: {module: YIELD_MODULE, name: GROW_NAME},
    nullGuard: {bytes: checked.nullGuardBytes},
  })
  const asyncImports = [...checked.imports.map((i) => `${i.module}.${i.name}`), `${YIELD_MODULE}.${YIELD_NAME}`]
  const {wasm, tool} = await asyncify(fueled.wasm, asyncImports)
  if (!Wasm.validate(wasm))
    throw new SphereError('APP_INSTRUMENT_FAILED', 'instrumenting bin/app produced an invalid module')
  if (cachePath && digestPath) {
    writeFileAtomic(digestPath, createHash('sha256').update(wasm).digest('hex'))
    writeFileAtomic(cachePath, wasm)
  }
  return {wasm, hash, fromCache: false, checked, tool}
}

const FEATURES = [
  'mutable-globals',
  'sign-ext',
  'bulk-memory',
  'nontrapping-float-to-int',
  'multivalue',
  'reference-types',
]

/** How wasm-opt is run: a native binary, or the pinned package's own wasm-opt under node. */
interface WasmOpt {
  file: string
  args: string[]
}

let chosen: Promise<WasmOpt | undefined> | undefined

/**
 * The wasm-opt that runs Asyncify, chosen once per process: SPHERE_WASM_OPT (a path; `none`: binaryen.js in
 * process), else a native wasm-opt on PATH of the pinned binaryen release (fast: ~15 ms an app), else the
 * pinned package's wasm-opt under node (~0.6 s an app; outside the event loop either way). A native wasm-opt of
 * another release is not used: releases differ in what they do to a module (binaryen 108, Debian 12's, turns a
 * `table.set` of a declared `ref.func` into `unreachable` at -O1), and an app must run the same on every machine.
 */
function asyncifier(): Promise<WasmOpt | undefined> {
  chosen ??= (async () => {
    const forced = process.env.SPHERE_WASM_OPT
    if (forced === 'none') return undefined
    if (forced) return {file: forced, args: []}
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const file = dir ? join(dir, 'wasm-opt') : ''
      if (!file || !existsSync(file)) continue
      try {
        const {stdout} = await execFileAsync(file, ['--version'], {encoding: 'utf8'})
        if (Number(/version[_ ](\d+)/.exec(stdout)?.[1]) === BINARYEN_MAJOR) return {file, args: []}
      } catch {
        // not runnable: look further
      }
    }
    return {file: process.execPath, args: [join(dirname(BINARYEN_PACKAGE), 'bin', 'wasm-opt')]}
  })()
  return chosen
}

async function asyncify(
  wasm: Uint8Array,
  imports: string[],
): Promise<{wasm: Uint8Array; tool: 'wasm-opt' | 'binaryen.js'}> {
  const native = await asyncifier()
  if (native) {
    const dir = join(tmpdir(), 'sphere-instrument')
    mkdirSync(dir, {recursive: true})
    const base = join(dir, `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`)
    writeFileSync(`${base}.in.wasm`, wasm)
    try {
      // async: the device keeps serving its API (and its serial link's keepalives) while wasm-opt runs
      await execFileAsync(
        native.file,
        [
          ...native.args,
          `${base}.in.wasm`,
          ...FEATURES.map((f) => `--enable-${f}`),
          '--asyncify',
          `--pass-arg=asyncify-imports@${imports.join(',')}`,
          '-O1',
          '-o',
          `${base}.out.wasm`,
        ],
        {encoding: 'buffer', maxBuffer: 16 * 1024 * 1024},
      )
      return {wasm: new Uint8Array(readFileSync(`${base}.out.wasm`)), tool: 'wasm-opt'}
    } catch (e) {
      const msg = (e as {stderr?: Buffer}).stderr?.toString().trim().split('\n')[0] ?? String(e)
      throw new SphereError('APP_INSTRUMENT_FAILED', `wasm-opt could not instrument bin/app: ${msg}`)
    } finally {
      for (const f of [`${base}.in.wasm`, `${base}.out.wasm`]) {
        try {
          unlinkSync(f)
        } catch {
          // not created
        }
      }
    }
  }
  // npm binaryen: ESM with top-level await, ~0.6 s to import, so only loaded when needed.
  const binaryen = (await import('binaryen')).default
  const m = binaryen.readBinary(wasm)
  try {
    const F = binaryen.Features
    // binaryen 12x splits bulk memory (memory.copy/fill: BulkMemoryOpt) and call_indirect's table index
    // (CallIndirectOverlong, implied by reference types) into features of their own
    m.setFeatures(
      F.MutableGlobals |
        F.SignExt |
        F.BulkMemory |
        F.BulkMemoryOpt |
        F.NontrappingFPToInt |
        F.Multivalue |
        F.ReferenceTypes |
        F.CallIndirectOverlong,
    )
    binaryen.setOptimizeLevel(1)
    binaryen.setShrinkLevel(0)
    binaryen.setPassArgument('asyncify-imports', imports.join(','))
    m.runPasses(['asyncify'])
    m.optimize()
    binaryen.setPassArgument('asyncify-imports', null as unknown as string)
    return {wasm: m.emitBinary(), tool: 'binaryen.js'}
  } catch (e) {
    throw new SphereError('APP_INSTRUMENT_FAILED', `binaryen could not instrument bin/app: ${String(e)}`)
  } finally {
    m.dispose()
  }
}
