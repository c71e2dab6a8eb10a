/**
 * `sphere app build`: configure an Azure Sphere CMake project with the SDK toolchain (through the project's own
 * CMakePresets.json when it has one), build it with ninja, and pack each app's staged approot into an
 * .imagepackage in-process. CMake/compiler output goes to a log file; failures are summarised in one line.
 */
import {spawn} from 'node:child_process'
import {createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, type WriteStream} from 'node:fs'
import {join, resolve} from 'node:path'
import {packDirectory, loadOrCreateDevKey} from '../image/index.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import {SphereError, usageError} from '../util/errors.js'
import {buildAssemblyScriptApp, isAssemblyScriptProject} from './assemblyscript.js'
import {cliScript, sdkDir, toolchainFile} from './paths.js'
import {readPresets, resolvePreset} from './presets.js'
import {requireToolchain} from './toolchain.js'
import type {BuildOptions, BuildResult, BuiltApp} from './types.js'

export type {BuildOptions, BuildResult, BuiltApp} from './types.js'


interface PackDescriptor {
  packageDirectory: string
  destination: string
  applicationManifest: string
  executables: string[]
  hardwareDefinitions: string[]
  targetDefinitionFilename: string
  targetApiSet: string
  app: string
}

const MAX_TAIL_LINES = 400

/** Runs a command, appending its combined output to the log; resolves with exit code and the output tail. */
function run(cmd: string, args: string[], opts: {cwd: string; env: NodeJS.ProcessEnv; log: WriteStream}): Promise<{code: number; lines: string[]}> {
  return new Promise((resolvePromise, reject) => {
    opts.log.write(`$ ${[cmd, ...args].join(' ')}\n`)
    const child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe']})
    const lines: string[] = []
    let partial = ''
    const onData = (chunk: Buffer): void => {
      opts.log.write(chunk)
      const text = partial + chunk.toString('utf8')
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      for (const l of parts) {
        lines.push(l)
        if (lines.length > MAX_TAIL_LINES) lines.shift()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', reject)
    child.on('close', (code) => {
      if (partial !== '') lines.push(partial)
      opts.log.write(`[exit ${code ?? -1}]\n`)
      resolvePromise({code: code ?? -1, lines})
    })
  })
}

/** The most useful single line of a failed cmake/ninja/clang run. */
export function summarizeBuildOutput(lines: string[]): string {
  const compilerError = lines.find((l) => /(^|\s)(fatal )?error: /.test(l) && !/^FAILED:/.test(l))
  if (compilerError) return compilerError.trim().replace(/^.*?\/([^/]+:\d+:\d+: )/, '$1')
  const cmakeIdx = lines.findIndex((l) => /^CMake Error/.test(l))
  if (cmakeIdx >= 0) {
    const where = lines[cmakeIdx]!.replace(/^CMake Error( at )?/, '').replace(/:$/, '').trim()
    const detail = lines.slice(cmakeIdx + 1).find((l) => l.trim() !== '')?.trim() ?? ''
    return where ? `${detail} (${where})` : detail
  }
  const sdk = lines.find((l) => /sphere-sdk:/.test(l))
  if (sdk) return sdk.trim()
  const failed = lines.find((l) => /^FAILED:|error/i.test(l))
  return (failed ?? lines.filter((l) => l.trim() !== '').pop() ?? 'no output').trim()
}

function clip(s: string, n = 300): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s
}

function cachedToolchain(binaryDir: string): string | undefined {
  try {
    const m = /^CMAKE_TOOLCHAIN_FILE:[A-Z]+=(.*)$/m.exec(readFileSync(join(binaryDir, 'CMakeCache.txt'), 'utf8'))
    return m?.[1]
  } catch {
    return undefined
  }
}

/** Configures, builds and packs an Azure Sphere CMake project (or compiles an AssemblyScript one: see assemblyscript.ts). */
export async function buildApp(opts: BuildOptions): Promise<BuildResult> {
  const started = Date.now()
  const dir = resolve(opts.dir)
  if (isAssemblyScriptProject(dir)) return buildAssemblyScriptApp(opts)
  if (!existsSync(join(dir, 'CMakeLists.txt'))) {
    throw usageError('APP_NOT_A_PROJECT', `No CMakeLists.txt in ${dir} (nor asconfig.json for AssemblyScript)`, [
      'Run it in an app directory, or create one with `sphere app create`',
    ])
  }
  const toolchain = requireToolchain(opts.env ?? process.env)
  const sdk = sdkDir()
  const env: NodeJS.ProcessEnv = {...(opts.env ?? process.env), AzureSphereDefaultSDKDir: sdk, SPHERE_PACKAGER: 'none'}
  const cli = cliScript()
  if (cli && env.SPHERE_CLI === undefined) env.SPHERE_CLI = cli

  const presets = readPresets(dir)
  let binaryDir: string
  let configureArgs: string[]
  let presetName: string | undefined
  if (presets) {
    const preset = resolvePreset(dir, presets, opts.preset, env)
    presetName = preset.name
    binaryDir = preset.binaryDir
    configureArgs = ['--preset', preset.name]
    const tc = preset.cacheVariables.CMAKE_TOOLCHAIN_FILE
    if (tc !== undefined && resolve(dir, tc) !== toolchainFile()) {
      // A preset that names another toolchain: point it at ours.
      configureArgs.push(`-DCMAKE_TOOLCHAIN_FILE=${toolchainFile()}`)
    }
  } else {
    if (opts.preset !== undefined) throw usageError('APP_UNKNOWN_PRESET', `${dir} has no CMakePresets.json, so --preset cannot be used`)
    const buildType = opts.buildType ?? 'Debug'
    binaryDir = join(dir, 'out', `sphere-${buildType}`)
    configureArgs = ['-S', dir, '-B', binaryDir, '-G', 'Ninja', `-DCMAKE_TOOLCHAIN_FILE=${toolchainFile()}`, `-DCMAKE_BUILD_TYPE=${buildType}`]
  }
  if (opts.clean) rmSync(binaryDir, {recursive: true, force: true})
  const previous = cachedToolchain(binaryDir)
  if (previous !== undefined && resolve(previous) !== toolchainFile()) {
    throw new SphereError('APP_BUILD_DIR_FOREIGN', `${binaryDir} was configured with another toolchain (${previous})`, {
      suggestions: ['Rebuild from scratch: sphere app build --clean'],
    })
  }
  mkdirSync(binaryDir, {recursive: true})
  const logFile = join(binaryDir, 'sphere-build.log')
  const log = createWriteStream(logFile, {flags: 'w'})
  try {
    opts.onStep?.(`Configuring ${presetName ? `(preset ${presetName})` : ''}`.trim())
    const configured = await run(toolchain.cmake, configureArgs, {cwd: dir, env, log})
    if (configured.code !== 0) {
      throw new SphereError('APP_CONFIGURE_FAILED', `CMake configure failed: ${clip(summarizeBuildOutput(configured.lines))}`, {
        suggestions: [`Full log: ${logFile}`],
      })
    }
    opts.onStep?.('Building')
    const built = await run(toolchain.cmake, ['--build', binaryDir], {cwd: dir, env, log})
    if (built.code !== 0) {
      throw new SphereError('APP_BUILD_FAILED', `Build failed: ${clip(summarizeBuildOutput(built.lines))}`, {suggestions: [`Full log: ${logFile}`]})
    }
  } finally {
    await new Promise<void>((r) => log.end(r))
  }

  const descriptors = readdirSync(binaryDir)
    .filter((n) => n.endsWith('.imagepackage.json'))
    .sort()
  if (descriptors.length === 0) {
    throw new SphereError('APP_NO_PACKAGE', 'The project built, but no target calls azsphere_target_add_image_package', {
      suggestions: ['Add azsphere_target_add_image_package(${PROJECT_NAME}) to CMakeLists.txt'],
    })
  }
  const key = opts.key ?? (opts.sphereHome !== undefined ? loadOrCreateDevKey(opts.sphereHome) : undefined)
  const envDate = Number((opts.env ?? process.env).SOURCE_DATE_EPOCH)
  const buildDate = opts.buildDate ?? (Number.isFinite(envDate) && envDate > 0 ? envDate : undefined)
  const apps: BuiltApp[] = []
  for (const name of descriptors) {
    const d = JSON.parse(readFileSync(join(binaryDir, name), 'utf8')) as PackDescriptor
    opts.onStep?.(`Packing ${d.destination}`)
    const packed = packDirectory({
      packageDirectory: d.packageDirectory,
      applicationManifest: d.applicationManifest,
      executables: d.executables,
      hardwareDefinitions: d.hardwareDefinitions,
      ...(d.targetDefinitionFilename ? {targetDefinitionFilename: d.targetDefinitionFilename} : {}),
      targetApiSet: d.targetApiSet,
      ...(key ? {key} : {}),
      ...(buildDate !== undefined ? {buildDate} : {}),
    })
    writeFileAtomic(d.destination, packed.bytes)
    const target = name.replace(/\.imagepackage\.json$/, '')
    const app = join(d.packageDirectory, 'bin', 'app')
    apps.push({
      target,
      wasm: d.app,
      app,
      appBytes: statSync(app).size,
      imagePackage: d.destination,
      packageBytes: packed.bytes.length,
      componentId: String(packed.manifest.ComponentId ?? ''),
      name: String(packed.manifest.Name ?? target),
    })
  }
  const result: BuildResult = {projectDir: dir, binaryDir, logFile, apps, durationMs: Date.now() - started}
  if (presetName !== undefined) result.preset = presetName
  return result
}
