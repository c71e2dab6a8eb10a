/**
 * `sphere app build` for AssemblyScript projects (asconfig.json + assembly/index.ts): compile in-process with
 * the assemblyscript compiler (npm, loaded lazily: ~100 MB with its own binaryen), check the module against
 * the app ABI, and pack it with the project's app_manifest.json into out/<Name>.imagepackage. No clang/CMake.
 *
 * What the build adds to every app (sdk/ABI.md "Host-side contract"): the SDK library `applibs`
 * (sdk/assemblyscript/lib), the entry sdk/assemblyscript/start.ts (exports sphere_unwind_area/size), `_start`
 * as the exported start function, the compiler's abort routed into the library, memory capped at 256 KiB, and
 * generated `hw/<definition>` modules: the hardware definition's names as i32 constants.
 */
import {existsSync, readFileSync, rmSync, statSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {
  loadHardwareDefinition,
  loadOrCreateDevKey,
  manifestReferences,
  packApplication,
  parseImagePackage,
  parseManifest,
  resolveManifestReferences,
  resolvePeripheral,
  sdkHardwareDefinitionsDir,
  type AppManifest,
  type HardwareDefinition,
} from '../image/index.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import type {BuildOptions, BuildResult} from './types.js'
import {SphereError, usageError} from '../util/errors.js'

/** An AssemblyScript build takes the same options and gives the same result shape as a C build. */
export type AsBuildOptions = BuildOptions
export type AsBuildResult = BuildResult

/** The library directory given to asc with --lib (`import ... from "applibs"`). */
export function assemblyScriptLibDir(): string {
  return fileURLToPath(new URL('../../sdk/assemblyscript/lib', import.meta.url))
}

/** The extra entry file compiled with every app (exports the unwind area). */
export function assemblyScriptStartFile(): string {
  return fileURLToPath(new URL('../../sdk/assemblyscript/start.ts', import.meta.url))
}

/** The standard library's host calls (env.abort / env.trace / env.seed, outside the ABI), routed into the SDK library. */
export const AS_HOST_ALIASES: Readonly<Record<string, string>> = {
  abort: '~lib/applibs/runtime/sphereAbort',
  trace: '~lib/applibs/runtime/sphereTrace',
  seed: '~lib/applibs/runtime/sphereSeed',
}
/** 256 KiB: the most a high-level app may use (sdk/ABI.md). */
export const AS_MAX_MEMORY_PAGES = 4
/**
 * The name the SDK's start.ts is compiled under (served from the SDK, never written to the project): function
 * names in debug builds then do not depend on where sphere-sdk is installed.
 */
const AS_START_ENTRY = '__sphere__/start.ts'
const ABI_MODULES = new Set(['wasi_snapshot_preview1', 'sphere', 'applibs'])
const DEFAULT_ENTRY = 'assembly/index.ts'
const MAX_REPORTED_ERRORS = 20

/** The `sphere` section of asconfig.json (asc itself ignores it). */
export interface AsSphereConfig {
  /** Directory (relative to the project) holding the target hardware definition. */
  targetHardware?: string
  /** File name of the target hardware definition (in targetHardware, else the SDK's HardwareDefinitions). */
  targetDefinition?: string
  /** Target API set for the package (default: the SDK's). */
  targetApiSet?: string
  /** Extra files (relative to the project) to put in the image package at the same relative path. */
  resources?: string[]
}

interface AsConfig {
  entries?: string[]
  targets?: Record<string, unknown>
  sphere?: AsSphereConfig
}

/** True for an AssemblyScript app project: asconfig.json or assembly/index.ts, and no CMakeLists.txt. */
export function isAssemblyScriptProject(dir: string): boolean {
  const d = resolve(dir)
  if (existsSync(join(d, 'CMakeLists.txt'))) return false
  return existsSync(join(d, 'asconfig.json')) || existsSync(join(d, DEFAULT_ENTRY))
}

function readAsConfig(dir: string): AsConfig {
  const p = join(dir, 'asconfig.json')
  if (!existsSync(p)) return {}
  let json: unknown
  try {
    json = JSON.parse(readFileSync(p, 'utf8'))
  } catch (e) {
    throw new SphereError('APP_BAD_CONFIG', `asconfig.json: ${(e as Error).message.split('\n')[0]}`)
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SphereError('APP_BAD_CONFIG', 'asconfig.json: expected a JSON object')
  }
  const c = json as AsConfig
  if (c.entries !== undefined && (!Array.isArray(c.entries) || !c.entries.every((e) => typeof e === 'string'))) {
    throw new SphereError('APP_BAD_CONFIG', 'asconfig.json: "entries" must be an array of file names')
  }
  const s = c.sphere
  if (s !== undefined) {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new SphereError('APP_BAD_CONFIG', 'asconfig.json: "sphere" must be an object')
    for (const k of ['targetHardware', 'targetDefinition', 'targetApiSet'] as const) {
      if (s[k] !== undefined && typeof s[k] !== 'string') throw new SphereError('APP_BAD_CONFIG', `asconfig.json: "sphere.${k}" must be a string`)
    }
    if (s.resources !== undefined && (!Array.isArray(s.resources) || !s.resources.every((r) => typeof r === 'string'))) {
      throw new SphereError('APP_BAD_CONFIG', 'asconfig.json: "sphere.resources" must be an array of file names')
    }
  }
  return c
}

/** Resolves `p` inside `dir`, refusing paths that leave it. */
function inside(dir: string, p: string, what: string): string {
  const abs = resolve(dir, p)
  const rel = relative(dir, abs)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new SphereError('APP_BAD_CONFIG', `asconfig.json: ${what} ${JSON.stringify(p)} is outside the project`)
  }
  return abs
}

/**
 * The AssemblyScript module for a hardware definition: every name it defines or imports, as an exported i32
 * constant (the value its Mapping chain ends at), like the C header `hw/<name>.h` the SDK generates.
 */
export function assemblyScriptHardwareModule(def: HardwareDefinition): string {
  const lines = [`// Generated by sphere app build from ${basename(def.path)}. Do not edit.`]
  for (const name of def.scope.keys()) {
    const r = resolvePeripheral(def, name)
    const m = /^\((-?[0-9]+)\)$/.exec(r.headerValue)
    if (!m) continue
    if (r.comment !== undefined) lines.push(`// ${r.comment.replace(/[\r\n]+/g, ' ')}`)
    lines.push(`export const ${name}: i32 = ${m[1]}`)
  }
  return lines.join('\n') + '\n'
}

interface Diagnostic {
  file?: string
  line?: number
  column?: number
  code: number
  message: string
}

/** One line, as compilers print it: `file:line:col: error TS2304: message`. */
export function formatAsDiagnostic(d: Diagnostic): string {
  const where = d.file === undefined ? '' : d.line === undefined ? `${d.file}: ` : `${d.file}:${d.line}:${d.column ?? 1}: `
  return `${where}error ${d.code < 1000 ? 'AS' : 'TS'}${d.code}: ${d.message.replace(/[\r\n]+/g, ' ')}`
}

function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: end - lineStart + 1}
}

/** What the AS standard library imports from `env` for some features, and how to avoid it. */
const ENV_IMPORT_HINTS: Record<string, string> = {
  'Date.now': 'Date.now() needs env.Date.now: use Clock.nowNs(Clock.REALTIME) from "applibs"',
  'console.log': 'console.log needs env.console.log: use Log.debug from "applibs"',
  'performance.now': 'performance.now() needs env.performance.now: use Clock.nowNs() from "applibs"',
  memory: 'importMemory is not allowed: the app defines its own memory',
}
// The engine's WebAssembly API (the project's TypeScript lib has no DOM types): only what the check uses.
interface WasmModuleApi {
  new (bytes: Uint8Array): object
  imports(m: object): {module: string; name: string; kind: string}[]
  exports(m: object): {name: string; kind: string}[]
}
const WasmModule = (globalThis as unknown as {WebAssembly: {Module: WasmModuleApi}}).WebAssembly.Module

/** Refuses a module the OS would refuse for its imports or missing exports (the runtime checks the rest). */
function checkModule(wasm: Uint8Array, file: string): void {
  let mod: object
  try {
    mod = new WasmModule(wasm)
  } catch (e) {
    throw new SphereError('APP_BUILD_FAILED', `${file}: the compiler produced an invalid module (${String(e)})`)
  }
  for (const imp of WasmModule.imports(mod)) {
    if (imp.kind !== 'function' || !ABI_MODULES.has(imp.module)) {
      const hint = imp.module === 'env' ? ENV_IMPORT_HINTS[imp.name] : undefined
      throw new SphereError(
        'APP_BAD_IMPORT',
        `${file} imports ${imp.module}.${imp.name} (${imp.kind}), which is outside the app ABI (wasi_snapshot_preview1, sphere, applibs functions)`,
        {suggestions: [hint ?? 'Declare imports with @external("applibs" | "sphere" | "wasi_snapshot_preview1", name); see sdk/ABI.md']},
      )
    }
  }
  const exports = new Set(WasmModule.exports(mod).map((e) => `${e.kind}:${e.name}`))
  for (const want of ['function:_start', 'memory:memory', 'function:sphere_unwind_area', 'function:sphere_unwind_size']) {
    if (!exports.has(want)) throw new SphereError('APP_BUILD_FAILED', `${file} does not export ${want.split(':')[1]} (required by the OS, see sdk/ABI.md)`)
  }
}

// The assemblyscript compiler API, loaded on first use (it pulls in its own binaryen build).
type Asc = typeof import('assemblyscript/asc').default
let ascPromise: Promise<Asc> | undefined
function loadAsc(): Promise<Asc> {
  ascPromise ??= import('assemblyscript/asc').then(
    (m) => m.default,
    (e: unknown) => {
      ascPromise = undefined
      throw new SphereError('APP_NO_ASSEMBLYSCRIPT', `The AssemblyScript compiler could not be loaded: ${String(e).split('\n')[0]}`, {
        suggestions: ['Reinstall sphere-sdk: the assemblyscript npm package is one of its dependencies'],
      })
    },
  )
  return ascPromise
}

/** Compiles, checks and packs an AssemblyScript app project into <dir>/out/<Name>.imagepackage. */
export async function buildAssemblyScriptApp(opts: AsBuildOptions): Promise<AsBuildResult> {
  const started = Date.now()
  const dir = resolve(opts.dir)
  if (!isAssemblyScriptProject(dir)) {
    throw usageError('APP_NOT_A_PROJECT', `No asconfig.json or ${DEFAULT_ENTRY} in ${dir}`, [
      'Create one with `sphere app create --template as-blink NAME`',
    ])
  }
  const config = readAsConfig(dir)
  const sphere = config.sphere ?? {}
  const manifestPath = join(dir, 'app_manifest.json')
  if (!existsSync(manifestPath)) throw new SphereError('MANIFEST_NOT_FOUND', `No app_manifest.json in ${dir}`)
  const rawManifest = parseManifest(readFileSync(manifestPath), {what: 'app_manifest.json'})

  // asconfig "targets" play the part of CMake presets: --preset names one, else the build type's (debug/release).
  const targets = Object.keys(config.targets ?? {})
  let target: string | undefined
  if (opts.preset !== undefined) {
    if (!targets.includes(opts.preset)) {
      throw usageError('APP_UNKNOWN_PRESET', `asconfig.json has no target ${JSON.stringify(opts.preset)}`, [
        targets.length ? `Targets: ${targets.join(', ')}` : 'Add one under "targets" in asconfig.json',
      ])
    }
    target = opts.preset
  } else {
    const bt = (opts.buildType ?? 'Debug').toLowerCase()
    if (targets.includes(bt)) target = bt
  }

  // Hardware definitions: the target one resolves $NAMEs in the manifest; hw/<name> imports see any of them.
  const hwDir = sphere.targetHardware !== undefined ? inside(dir, sphere.targetHardware, 'sphere.targetHardware') : undefined
  const searchDirs = [...(hwDir ? [hwDir] : []), sdkHardwareDefinitionsDir()]
  const definitions = new Map<string, HardwareDefinition | null>()
  const findDefinition = (file: string): HardwareDefinition | undefined => {
    if (!definitions.has(file)) {
      let found: HardwareDefinition | null = null
      for (const d of searchDirs) {
        const p = join(d, file)
        if (existsSync(p) && statSync(p).isFile()) {
          found = loadHardwareDefinition(p, {searchDirs: hwDir ? [hwDir] : []})
          break
        }
      }
      definitions.set(file, found)
    }
    return definitions.get(file) ?? undefined
  }
  let manifest: AppManifest = rawManifest
  const refs = manifestReferences(rawManifest)
  if (sphere.targetDefinition !== undefined) {
    const def = findDefinition(sphere.targetDefinition)
    if (!def) {
      throw new SphereError('HWDEF_NOT_FOUND', `asconfig.json: target hardware definition ${sphere.targetDefinition} not found in ${searchDirs.join(' or ')}`)
    }
    manifest = resolveManifestReferences(rawManifest, def)
  } else if (refs.length > 0) {
    throw new SphereError('MANIFEST_UNRESOLVED', `app_manifest.json refers to $${refs[0]!.name} but asconfig.json names no hardware definition`, {
      suggestions: ['Add "sphere": {"targetHardware": "HardwareDefinitions/mt3620_rdb", "targetDefinition": "template_appliance.json"} to asconfig.json'],
    })
  }
  const name = manifest.Name

  const outDir = join(dir, 'out')
  if (opts.clean) rmSync(outDir, {recursive: true, force: true})
  const logFile = join(outDir, 'sphere-build.log')
  const wasmRel = `out/${name}.wasm`
  const entries = config.entries && config.entries.length > 0 ? [] : [DEFAULT_ENTRY]
  if (entries.length > 0 && !existsSync(join(dir, DEFAULT_ENTRY))) {
    throw new SphereError('APP_NOT_A_PROJECT', `No ${DEFAULT_ENTRY} in ${dir} and asconfig.json lists no "entries"`)
  }

  // Compile in memory: asc reads through these hooks and hands its outputs to writeFile.
  const libDir = assemblyScriptLibDir()
  const hwLib = join(outDir, '.sphere-hw') // virtual: served below, never written
  const sources = new Map<string, string>()
  const outputs = new Map<string, Uint8Array | string>()
  const readFileHook = (file: string, base: string): string | null => {
    let text: string | null = null
    let key: string
    if (resolve(base) === hwLib) {
      key = `~lib/${file}`
      const m = /^hw\/([A-Za-z0-9_.-]+)\.ts$/.exec(file)
      const def = m ? findDefinition(`${m[1]}.json`) : undefined
      if (def) text = assemblyScriptHardwareModule(def)
    } else if (resolve(base) === dir && file === AS_START_ENTRY) {
      key = file
      text = readFileSync(assemblyScriptStartFile(), 'utf8')
    } else {
      const abs = resolve(base, file)
      key = resolve(base) === libDir ? `~lib/${file}` : relative(dir, abs).split(sep).join('/')
      try {
        text = readFileSync(abs, 'utf8')
      } catch {
        text = null
      }
    }
    if (text !== null) sources.set(key, text)
    return text
  }
  const diagnostics: Diagnostic[] = []
  const asc = await loadAsc()
  opts.onStep?.(`Compiling ${entries.concat(config.entries ?? []).join(', ')} (AssemblyScript${target ? `, target ${target}` : ''})`)
  const argv = [
    ...entries,
    AS_START_ENTRY,
    '--baseDir',
    dir,
    ...(target !== undefined ? ['--target', target] : []),
    '--outFile',
    wasmRel,
    '--lib',
    libDir,
    '--lib',
    hwLib,
    '--exportStart',
    '_start',
    ...Object.entries(AS_HOST_ALIASES).flatMap(([name, fn]) => ['--use', `${name}=${fn}`]),
    '--maximumMemory',
    String(AS_MAX_MEMORY_PAGES),
    '--noColors',
  ]
  const result = await asc.main(argv, {
    readFile: readFileHook,
    writeFile: (file: string, contents: Uint8Array | string) => {
      outputs.set(file, contents)
    },
    listFiles: (d: string, base: string) => (resolve(base, d) === hwLib || resolve(base, d) === libDir ? [] : null),
    reportDiagnostic: (d) => {
      if (d.category !== 3) return // errors only (0 pedantic, 1 info, 2 warning)
      const diag: Diagnostic = {code: d.code, message: d.message}
      if (d.range) {
        diag.file = d.range.source.normalizedPath
        const text = sources.get(diag.file)
        if (text !== undefined) Object.assign(diag, lineAndColumn(text, d.range.start))
      }
      if (diagnostics.length < MAX_REPORTED_ERRORS) diagnostics.push(diag)
    },
  })
  const log = [`$ asc ${argv.join(' ')}`, result.stderr.toString(), result.stdout.toString()].join('\n')
  writeFileAtomic(logFile, log)
  if (result.error) {
    const first = diagnostics[0]
    const line = first ? formatAsDiagnostic(first) : result.error.message.split('\n')[0]!
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : ''
    throw new SphereError('APP_BUILD_FAILED', `Build failed: ${line}${more}`, {suggestions: [`Full log: ${logFile}`]})
  }
  const out = outputs.get(wasmRel)
  if (!(out instanceof Uint8Array)) throw new SphereError('APP_BUILD_FAILED', `The AssemblyScript compiler wrote no ${wasmRel}`, {suggestions: [`Full log: ${logFile}`]})
  const wasm = new Uint8Array(out)
  checkModule(wasm, wasmRel)

  opts.onStep?.(`Packing ${name}.imagepackage`)
  const files = new Map<string, Uint8Array>([['bin/app', wasm]])
  for (const r of sphere.resources ?? []) {
    const abs = inside(dir, r, 'resource')
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new SphereError('APP_BAD_CONFIG', `asconfig.json: resource ${JSON.stringify(r)} is not a file`)
    files.set(relative(dir, abs).split(sep).join('/'), new Uint8Array(readFileSync(abs)))
  }
  const key = opts.key ?? (opts.sphereHome !== undefined ? loadOrCreateDevKey(opts.sphereHome) : undefined)
  const envDate = Number((opts.env ?? process.env).SOURCE_DATE_EPOCH)
  const buildDate = opts.buildDate ?? (Number.isFinite(envDate) && envDate > 0 ? envDate : undefined)
  const packed = packApplication({
    manifest,
    files,
    ...(key ? {key} : {}),
    ...(buildDate !== undefined ? {buildDate} : {}),
    ...(sphere.targetApiSet !== undefined ? {targetApiSet: sphere.targetApiSet} : {}),
  })
  const wasmPath = join(dir, wasmRel)
  const imagePackage = join(outDir, `${name}.imagepackage`)
  writeFileAtomic(wasmPath, wasm)
  writeFileAtomic(imagePackage, packed)
  const pkg = parseImagePackage(packed)
  const app: AsBuildResult['apps'][number] = {
    target: name,
    wasm: wasmPath,
    app: wasmPath,
    appBytes: wasm.length,
    imagePackage,
    packageBytes: packed.length,
    componentId: pkg.identity.componentId,
    name,
  }
  const built: AsBuildResult = {projectDir: dir, binaryDir: dirname(imagePackage), logFile, apps: [app], durationMs: Date.now() - started}
  if (target !== undefined) built.preset = target
  return built
}
