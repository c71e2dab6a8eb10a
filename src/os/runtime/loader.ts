import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import type {Lsm} from '../lsm/lsm.js'
import type {AppEnvironment} from './context.js'
import {instrumentApp, instrumentKey, type InstrumentResult} from './instrument.js'
import {WasmTask} from './task.js'
import {Wasm, type WasmModule} from './wasm-api.js'

/**
 * An app binary ready to run: instrumented, compiled, with its declared import signatures. One LoadedApp is
 * shared by every device of the process that installs the same binary; it holds nothing an instance can
 * change (a WebAssembly.Module is code only: each process gets its own instance, memory and globals), and
 * it is frozen so no device can change it for the others.
 */
export interface LoadedApp {
  readonly hash: string
  readonly module: WasmModule
  readonly importSigs: ReadonlyMap<string, string>
  readonly memoryInitialBytes: number
  readonly memoryMaxBytes: number
}

/** What the process-wide app cache has done since it was created (or last cleared). */
export interface AppCacheStats {
  /** Binaries checked and instrumented (or read from a disk cache) and compiled: one per distinct image. */
  compiles: number
  /** Loads answered from the process-wide cache (no check, no instrumentation, no compile). */
  hits: number
  /** Distinct binaries held. */
  entries: number
}

/**
 * The process-wide cache: content hash of the app binary (appHash) -> the compiled app.
 * The promise is stored, so devices installing the same binary at the same moment share one compile.
 */
const cache = new Map<string, Promise<LoadedApp>>()
const stats = {compiles: 0, hits: 0}

/** The cache key of an app binary (instrumentKey: the instrumentation, the binaryen release and the binary). */
export function appHash(bin: Uint8Array): string {
  return instrumentKey(bin)
}

function freeze(app: LoadedApp): LoadedApp {
  const sigs = new Map(app.importSigs)
  // a ReadonlyMap is only a type: the shared map refuses changes at run time too
  const ro: ReadonlyMap<string, string> = Object.freeze({
    get: (k: string) => sigs.get(k),
    has: (k: string) => sigs.has(k),
    forEach: (fn: (v: string, k: string, m: ReadonlyMap<string, string>) => void) =>
      sigs.forEach((v, k) => fn(v, k, ro)),
    get size() {
      return sigs.size
    },
    entries: () => sigs.entries(),
    keys: () => sigs.keys(),
    values: () => sigs.values(),
    [Symbol.iterator]: () => sigs[Symbol.iterator](),
  }) as ReadonlyMap<string, string>
  return Object.freeze({...app, importSigs: ro})
}

/**
 * Instrument (or take from the caches) and compile an app binary. Throws SphereError when refused.
 * The first load of a binary in the process checks, instruments (the on-disk cache under `cacheDir` spares
 * the Asyncify pass across processes) and compiles it; every later load, from any device, is a hash and a
 * map lookup. `instrument` is set only on the load that did the work.
 */
export async function loadApp(
  bin: Uint8Array,
  opts: {cacheDir?: string} = {},
): Promise<LoadedApp & {instrument?: InstrumentResult}> {
  const hash = appHash(bin)
  const hit = cache.get(hash)
  if (hit) {
    stats.hits++
    return hit
  }
  let done: InstrumentResult | undefined
  const p = (async () => {
    const r = await instrumentApp(bin, opts)
    done = r
    return freeze({
      hash: r.hash,
      module: await Wasm.compile(r.wasm),
      importSigs: new Map(r.checked.imports.map((i) => [`${i.module}.${i.name}`, i.sig])),
      memoryInitialBytes: r.checked.memoryInitialBytes,
      memoryMaxBytes: r.checked.memoryMaxBytes,
    })
  })()
  cache.set(hash, p)
  stats.compiles++
  try {
    const app = await p
    return done ? {...app, instrument: done} : app
  } catch (e) {
    // a refused binary is not cached: the next load reports the same error afresh
    if (cache.get(hash) === p) cache.delete(hash)
    throw e
  }
}

/** Counters of the process-wide app cache (tests and the fleet-scale bench read them). */
export function appCacheStats(): AppCacheStats {
  return {...stats, entries: cache.size}
}

/**
 * Drop every cached app (the processes running them keep their modules). What a new process would see:
 * the next load of each binary checks, instruments (or reads the disk cache) and compiles again.
 */
export function clearAppCache(): void {
  cache.clear()
  stats.compiles = 0
  stats.hits = 0
}

/** Start a process running `app` (the kernel schedules it). */
export function spawnApp(
  kernel: Kernel,
  lsm: Lsm,
  app: LoadedApp,
  spec: {componentId: string; name: string; uid: number; debug?: boolean},
  env: AppEnvironment,
): Process {
  return kernel.spawn(
    spec,
    app.memoryInitialBytes,
    (p) => new WasmTask(app.module, kernel, lsm, p, env, app.importSigs),
  )
}
