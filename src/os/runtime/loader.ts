import type {Kernel} from '../kernel/kernel.js'
import type {Process} from '../kernel/process.js'
import type {Lsm} from '../lsm/lsm.js'
import type {AppEnvironment} from './context.js'
import {checkApp, instrumentApp, type InstrumentResult} from './instrument.js'
import {WasmTask} from './task.js'
import {Wasm, type WasmModule} from './wasm-api.js'

/** An app binary ready to run: instrumented, compiled, with its declared import signatures. */
export interface LoadedApp {
  hash: string
  module: WasmModule
  importSigs: ReadonlyMap<string, string>
  memoryInitialBytes: number
  memoryMaxBytes: number
}

const compiled = new Map<string, LoadedApp>()

/** Instrument (or take from the cache) and compile an app binary. Throws SphereError when refused. */
export async function loadApp(
  bin: Uint8Array,
  opts: {cacheDir?: string} = {},
): Promise<LoadedApp & {instrument: InstrumentResult}> {
  const r = await instrumentApp(bin, opts)
  let app = compiled.get(r.hash)
  if (!app) {
    app = {
      hash: r.hash,
      module: await Wasm.compile(r.wasm),
      importSigs: new Map(r.checked.imports.map((i) => [`${i.module}.${i.name}`, i.sig])),
      memoryInitialBytes: r.checked.memoryInitialBytes,
      memoryMaxBytes: r.checked.memoryMaxBytes,
    }
    compiled.set(r.hash, app)
  }
  return {...app, instrument: r}
}

/** Compile an already instrumented binary (from the device's cache) without re-running the tools. */
export function loadInstrumented(hash: string, instrumented: Uint8Array, original: Uint8Array): LoadedApp {
  let app = compiled.get(hash)
  if (!app) {
    const checked = checkApp(original)
    app = {
      hash,
      module: new Wasm.Module(instrumented),
      importSigs: new Map(checked.imports.map((i) => [`${i.module}.${i.name}`, i.sig])),
      memoryInitialBytes: checked.memoryInitialBytes,
      memoryMaxBytes: checked.memoryMaxBytes,
    }
    compiled.set(hash, app)
  }
  return app
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
