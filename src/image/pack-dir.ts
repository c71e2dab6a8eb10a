/**
 * `image-package pack-application` as a function: read a package directory, rewrite its
 * app_manifest.json the way the SDK does ("$NAME" references resolved through a hardware definition,
 * TargetApplicationRuntimeVersion added, minified) and pack + sign it. Writes nothing.
 */
import {lstatSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative, resolve, sep} from 'node:path'
import {fail, printable} from './binary.js'
import {
  loadHardwareDefinition,
  sdkHardwareDefinitionsDir,
  resolveManifestReferences,
  type HardwareDefinition,
} from './hardware.js'
import {MAX_MANIFEST_BYTES, manifestReferences, parseManifest, type AppManifest} from './manifest.js'
import {packApplication, parseImagePackage} from './package.js'
import type {SigningKey} from './keys.js'

export const MAX_PACKAGE_FILES = 4096
export const MAX_PACKAGE_INPUT_BYTES = 64 * 1024 * 1024

export interface PackDirectoryOptions {
  packageDirectory: string
  /** app_manifest.json to use instead of the one in the package directory (a file or a directory holding one). */
  applicationManifest?: string
  /** Paths inside the package to mark executable (the EntryPoint always is). */
  executables?: string[]
  /** Directories searched for the target hardware definition and its imports. */
  hardwareDefinitions?: string[]
  /** File name of the target hardware definition (searched in hardwareDefinitions, then the SDK's). */
  targetDefinitionFilename?: string
  targetApiSet?: string
  key?: SigningKey
  imageId?: string
  buildDate?: number
}

export interface PackDirectoryResult {
  bytes: Uint8Array
  /** The manifest as packaged (references resolved). */
  manifest: AppManifest
  files: {path: string; size: number}[]
  hardwareDefinition?: string
}

function readTree(root: string): Map<string, Uint8Array> {
  let st
  try {
    st = statSync(root)
  } catch {
    return fail('PACKAGE_DIR_NOT_FOUND', `package directory not found: ${root}`)
  }
  if (!st.isDirectory()) fail('PACKAGE_DIR_NOT_FOUND', `not a directory: ${root}`)
  const files = new Map<string, Uint8Array>()
  let total = 0
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name)
      const rel = relative(root, abs).split(sep).join('/')
      const ls = lstatSync(abs)
      if (ls.isSymbolicLink()) fail('IMAGE_BAD_INPUT', `${rel}: symbolic links cannot be packaged`)
      if (ls.isDirectory()) walk(abs)
      else if (ls.isFile()) {
        if (files.size >= MAX_PACKAGE_FILES) fail('IMAGE_TOO_LARGE', `more than ${MAX_PACKAGE_FILES} files in ${root}`)
        total += ls.size
        if (total > MAX_PACKAGE_INPUT_BYTES)
          fail('IMAGE_TOO_LARGE', `package directory holds more than ${MAX_PACKAGE_INPUT_BYTES} bytes`)
        files.set(rel, readFileSync(abs))
      } else fail('IMAGE_BAD_INPUT', `${rel}: only regular files and directories can be packaged`)
    }
  }
  walk(root)
  return files
}

function readManifestFile(path: string): {manifest: AppManifest; shown: string} {
  let p = path
  try {
    if (statSync(p).isDirectory()) p = join(p, 'app_manifest.json')
  } catch {
    fail('MANIFEST_NOT_FOUND', `application manifest not found: ${path}`)
  }
  let st
  try {
    st = statSync(p)
  } catch {
    return fail('MANIFEST_NOT_FOUND', `application manifest not found: ${p}`)
  }
  if (st.size > MAX_MANIFEST_BYTES)
    fail('MANIFEST_TOO_LARGE', `${p}: ${st.size} bytes exceeds the ${MAX_MANIFEST_BYTES}-byte limit`)
  return {manifest: parseManifest(readFileSync(p), {what: p}), shown: p}
}

/** Finds the definition that resolves the manifest's references. */
function findDefinition(manifest: AppManifest, opts: PackDirectoryOptions): HardwareDefinition | undefined {
  const refs = manifestReferences(manifest)
  const dirs = (opts.hardwareDefinitions ?? []).map((d) => resolve(d))
  const loadOpts = {searchDirs: dirs}
  if (opts.targetDefinitionFilename) {
    const name = opts.targetDefinitionFilename
    for (const d of [...dirs, sdkHardwareDefinitionsDir()]) {
      const p = resolve(d, name)
      try {
        if (statSync(p).isFile()) return loadHardwareDefinition(p, loadOpts)
      } catch (e) {
        if ((e as {code?: string}).code?.startsWith('HWDEF')) throw e
      }
    }
    fail(
      'HWDEF_NOT_FOUND',
      `target hardware definition ${printable(name)} not found in ${dirs.length ? dirs.join(', ') + ' or ' : ''}the SDK's HardwareDefinitions`,
    )
  }
  if (refs.length === 0) return undefined
  if (dirs.length === 0) {
    fail('MANIFEST_UNRESOLVED', `app_manifest.json refers to $${refs[0]?.name} but no hardware definition was given`, [
      'Pass --hardware-definitions DIR and --target-definition-filename FILE.json',
    ])
  }
  let lastError: unknown
  for (const d of dirs) {
    let names: string[] = []
    try {
      names = readdirSync(d)
        .filter((n) => n.toLowerCase().endsWith('.json'))
        .sort()
    } catch {
      fail('HWDEF_NOT_FOUND', `hardware definitions directory not found: ${d}`)
    }
    for (const n of names) {
      try {
        const def = loadHardwareDefinition(join(d, n), loadOpts)
        if (refs.every((r) => def.scope.has(r.name))) return def
      } catch (e) {
        lastError = e
      }
    }
  }
  if (lastError) throw lastError
  return fail(
    'MANIFEST_UNRESOLVED',
    `no hardware definition in ${dirs.join(', ')} defines ${refs.map((r) => '$' + r.name).join(', ')}`,
    ['Name the file with --target-definition-filename'],
  )
}

export function packDirectory(opts: PackDirectoryOptions): PackDirectoryResult {
  const root = resolve(opts.packageDirectory)
  const files = readTree(root)
  const source = opts.applicationManifest ?? join(root, 'app_manifest.json')
  const {manifest: raw} = readManifestFile(source)
  const def = findDefinition(raw, opts)
  const manifest = def ? resolveManifestReferences(raw, def) : raw
  files.delete('app_manifest.json')
  const packOpts: Parameters<typeof packApplication>[0] = {manifest, files}
  if (opts.key) packOpts.key = opts.key
  if (opts.executables) packOpts.executables = opts.executables
  if (opts.targetApiSet !== undefined) packOpts.targetApiSet = opts.targetApiSet
  if (opts.imageId !== undefined) packOpts.imageId = opts.imageId
  if (opts.buildDate !== undefined) packOpts.buildDate = opts.buildDate
  const bytes = packApplication(packOpts)
  const pkg = parseImagePackage(bytes)
  const result: PackDirectoryResult = {
    bytes,
    manifest: pkg.manifest as AppManifest,
    files: [...pkg.files.entries()].map(([path, b]) => ({path, size: b.length})),
  }
  if (def) result.hardwareDefinition = def.path
  return result
}
