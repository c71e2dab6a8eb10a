/**
 * The parts of CMakePresets.json `sphere app build` needs: which configure preset to use and where its
 * binary directory is (macros ${sourceDir}, ${presetName}, ${sourceDirName}, $env{X}, $penv{X} expanded,
 * `inherits` followed).
 */
import {readFileSync} from 'node:fs'
import {basename, isAbsolute, join, resolve} from 'node:path'
import {SphereError, usageError} from '../util/errors.js'

export interface ConfigurePreset {
  name: string
  hidden?: boolean
  inherits?: string | string[]
  binaryDir?: string
  generator?: string
  cacheVariables?: Record<string, unknown>
}

export interface ResolvedPreset {
  name: string
  binaryDir: string
  generator?: string
  cacheVariables: Record<string, string>
}

const MAX_INHERIT_DEPTH = 16

/** Reads CMakePresets.json (and CMakeUserPresets.json) of a project; undefined when it has none. */
export function readPresets(dir: string): ConfigurePreset[] | undefined {
  const out: ConfigurePreset[] = []
  let any = false
  for (const file of ['CMakePresets.json', 'CMakeUserPresets.json']) {
    let text: string
    try {
      text = readFileSync(join(dir, file), 'utf8')
    } catch {
      continue
    }
    any = true
    let json: {configurePresets?: ConfigurePreset[]}
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, '')) as {configurePresets?: ConfigurePreset[]}
    } catch (e) {
      throw new SphereError('APP_BAD_PRESETS', `${file} is not valid JSON: ${(e as Error).message}`)
    }
    for (const p of json.configurePresets ?? []) if (p && typeof p.name === 'string') out.push(p)
  }
  return any ? out : undefined
}

function expand(value: string, sourceDir: string, presetName: string, env: NodeJS.ProcessEnv): string {
  return value
    .replace(/\$\{sourceDir\}/g, sourceDir)
    .replace(/\$\{sourceParentDir\}/g, resolve(sourceDir, '..'))
    .replace(/\$\{sourceDirName\}/g, basename(sourceDir))
    .replace(/\$\{presetName\}/g, presetName)
    .replace(/\$\{dollar\}/g, '$')
    .replace(/\$p?env\{([^}]*)\}/g, (_m, name: string) => env[name] ?? '')
}

/** Picks a configure preset (the named one, else ARM-Debug, else the first visible one) and resolves it. */
export function resolvePreset(dir: string, presets: ConfigurePreset[], name: string | undefined, env: NodeJS.ProcessEnv): ResolvedPreset {
  const byName = new Map(presets.map((p) => [p.name, p]))
  const visible = presets.filter((p) => !p.hidden)
  const chosen = name !== undefined ? byName.get(name) : (byName.get('ARM-Debug') ?? visible[0])
  if (!chosen || (name !== undefined && chosen.hidden)) {
    throw usageError('APP_UNKNOWN_PRESET', name !== undefined ? `No configure preset named ${JSON.stringify(name)}` : 'CMakePresets.json has no configure preset', [
      `Available presets: ${visible.map((p) => p.name).join(', ') || '(none)'}`,
    ])
  }
  const merged: ConfigurePreset = {name: chosen.name}
  const cache: Record<string, unknown> = {}
  const visit = (p: ConfigurePreset, depth: number): void => {
    if (depth > MAX_INHERIT_DEPTH) throw new SphereError('APP_BAD_PRESETS', `preset ${p.name}: inherits too deeply (a cycle?)`)
    const parents = p.inherits === undefined ? [] : Array.isArray(p.inherits) ? p.inherits : [p.inherits]
    // Later parents have lower priority; the preset's own fields win.
    for (const parentName of [...parents].reverse()) {
      const parent = byName.get(parentName)
      if (!parent) throw new SphereError('APP_BAD_PRESETS', `preset ${p.name} inherits unknown preset ${parentName}`)
      visit(parent, depth + 1)
    }
    if (p.binaryDir !== undefined) merged.binaryDir = p.binaryDir
    if (p.generator !== undefined) merged.generator = p.generator
    Object.assign(cache, p.cacheVariables ?? {})
  }
  visit(chosen, 0)
  const sourceDir = resolve(dir)
  const binaryDir = merged.binaryDir !== undefined ? expand(merged.binaryDir, sourceDir, chosen.name, env) : join(sourceDir, 'out', chosen.name)
  const cacheVariables: Record<string, string> = {}
  for (const [k, v] of Object.entries(cache)) {
    const raw = typeof v === 'object' && v !== null && 'value' in v ? String((v as {value: unknown}).value) : String(v)
    cacheVariables[k] = expand(raw, sourceDir, chosen.name, env)
  }
  const out: ResolvedPreset = {name: chosen.name, binaryDir: isAbsolute(binaryDir) ? binaryDir : resolve(sourceDir, binaryDir), cacheVariables}
  if (merged.generator !== undefined) out.generator = merged.generator
  return out
}
