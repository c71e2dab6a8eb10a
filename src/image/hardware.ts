/**
 * Hardware definitions: the JSON files that name a board's peripherals (Metadata, Description,
 * Imports, Peripherals with Name/Type/Mapping or MainCoreHeaderValue/AppManifestValue/Comment),
 * Imports and Mapping chains resolved down to the chip definition (mt3620.json), "$NAME" manifest
 * references mapped to values, and the C header `hardware-definition generate-header` writes.
 */
import {readFileSync, statSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {fail, printable} from './binary.js'
import {parseStrictJsonBytes} from './json.js'
import {PERIPHERAL_CAPABILITIES, validateManifest, type AppManifest, type AppManifestValue} from './manifest.js'

export const HWDEF_TYPE = 'Azure Sphere Hardware Definition'
export const PERIPHERAL_TYPES = [
  'Gpio',
  'Pwm',
  'Adc',
  'I2cMaster',
  'SpiMaster',
  'Uart',
  'I2sSubordinate',
  'int',
] as const
export type PeripheralType = (typeof PERIPHERAL_TYPES)[number]
export const MAX_HWDEF_BYTES = 4 * 1024 * 1024
const MAX_PERIPHERALS = 20000
const MAX_IMPORT_DEPTH = 16
const MAX_FILES = 256

/** The SDK's own hardware definitions (sdk/HardwareDefinitions, next to src/ and dist/). */
export function sdkHardwareDefinitionsDir(): string {
  return fileURLToPath(new URL('../../sdk/HardwareDefinitions', import.meta.url))
}

export interface Peripheral {
  Name: string
  Type: PeripheralType
  /** Alias form: the name of a peripheral in this file or an imported one. */
  Mapping?: string
  /** Base form: the C constant, e.g. "(8)". */
  MainCoreHeaderValue?: string
  /** Base form: what goes in app_manifest.json (absent for `int`). */
  AppManifestValue?: AppManifestValue
  Comment?: string
}

export interface HardwareDefinition {
  /** Absolute path of the JSON file. */
  path: string
  metadata: {Type: string; Version: number}
  description: {Name?: string; MainCoreHeaderFileTopContent?: string[]}
  /** Description.Name, or the file's base name. */
  name: string
  imports: {
    Path: string
    definition: HardwareDefinition
    /** found in the importing file's own directory */ local: boolean
  }[]
  /** This file's own peripherals, in file order. */
  peripherals: Peripheral[]
  /** Every name visible here (own + imported, transitively) and the file that defines it. */
  scope: Map<string, {peripheral: Peripheral; definition: HardwareDefinition}>
}

export interface ResolvedPeripheral {
  name: string
  type: PeripheralType
  /** Names from the one asked for down to the base entry. */
  chain: string[]
  /** The base entry's MainCoreHeaderValue, e.g. "(8)". */
  headerValue: string
  /** The base entry's AppManifestValue (undefined for `int`). */
  appManifestValue?: AppManifestValue
  comment?: string
  /** Path of the file defining the base entry. */
  basePath: string
}

export interface LoadOptions {
  /** Extra directories searched for Imports after the importing file's own directory. */
  searchDirs?: string[]
  /** Directory searched last (default: the SDK's HardwareDefinitions). */
  sdkDir?: string
  /** Reads a file; returns undefined if it does not exist (default: node:fs). */
  readFile?: (absPath: string) => Uint8Array | undefined
}

function defaultReadFile(p: string): Uint8Array | undefined {
  try {
    const st = statSync(p)
    if (!st.isFile()) return undefined
    if (st.size > MAX_HWDEF_BYTES)
      fail('HWDEF_TOO_LARGE', `${p}: ${st.size} bytes exceeds the ${MAX_HWDEF_BYTES}-byte limit`)
  } catch (e) {
    if ((e as {code?: string}).code === 'HWDEF_TOO_LARGE') throw e
    return undefined
  }
  return readFileSync(p)
}

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/
const HEADER_VALUE = /^\(-?[0-9]+\)$/

function bad(file: string, path: string, msg: string): never {
  return fail('HWDEF_INVALID', `${file}: ${path}: ${msg}`)
}
const kind = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${printable(JSON.stringify(v) ?? '')}`

/** Checks the shape of one parsed hardware-definition file (no import resolution). */
export function checkHardwareDefinitionJson(
  json: unknown,
  file: string,
): {
  metadata: HardwareDefinition['metadata']
  description: HardwareDefinition['description']
  imports: string[]
  peripherals: Peripheral[]
} {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    bad(file, '(root)', `expected a JSON object, found ${kind(json)}`)
  const o = json as Record<string, unknown>
  const allowed = ['$schema', 'Metadata', 'Description', 'Imports', 'Peripherals']
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) bad(file, printable(k), `unknown key; expected one of ${allowed.join(', ')}`)
  const md = o.Metadata as Record<string, unknown> | undefined
  if (md === undefined) bad(file, 'Metadata', 'required key is missing')
  if (md === null || typeof md !== 'object' || Array.isArray(md))
    bad(file, 'Metadata', `expected an object, found ${kind(md)}`)
  if (md.Type !== HWDEF_TYPE) bad(file, 'Metadata.Type', `expected "${HWDEF_TYPE}", found ${kind(md.Type)}`)
  if (md.Version !== 1) bad(file, 'Metadata.Version', `expected 1, found ${kind(md.Version)}`)
  const description: HardwareDefinition['description'] = {}
  if (o.Description !== undefined) {
    const d = o.Description as Record<string, unknown>
    if (d === null || typeof d !== 'object' || Array.isArray(d))
      bad(file, 'Description', `expected an object, found ${kind(d)}`)
    for (const k of Object.keys(d))
      if (k !== 'Name' && k !== 'MainCoreHeaderFileTopContent')
        bad(file, `Description.${printable(k)}`, 'unknown key; expected Name or MainCoreHeaderFileTopContent')
    if (d.Name !== undefined) {
      if (typeof d.Name !== 'string') bad(file, 'Description.Name', `expected a string, found ${kind(d.Name)}`)
      description.Name = d.Name
    }
    if (d.MainCoreHeaderFileTopContent !== undefined) {
      const t = d.MainCoreHeaderFileTopContent
      if (!Array.isArray(t))
        bad(file, 'Description.MainCoreHeaderFileTopContent', `expected an array of strings, found ${kind(t)}`)
      t.forEach((line, i) => {
        if (typeof line !== 'string')
          bad(file, `Description.MainCoreHeaderFileTopContent[${i}]`, `expected a string, found ${kind(line)}`)
        if (/[\r\n]/.test(line))
          bad(file, `Description.MainCoreHeaderFileTopContent[${i}]`, 'a line may not contain a line break')
      })
      description.MainCoreHeaderFileTopContent = [...(t as string[])]
    }
  }
  const imports: string[] = []
  if (o.Imports !== undefined) {
    if (!Array.isArray(o.Imports)) bad(file, 'Imports', `expected an array, found ${kind(o.Imports)}`)
    o.Imports.forEach((imp: unknown, i: number) => {
      const p = `Imports[${i}]`
      if (imp === null || typeof imp !== 'object' || Array.isArray(imp))
        bad(file, p, `expected an object like {"Path": "mt3620.json"}, found ${kind(imp)}`)
      for (const k of Object.keys(imp))
        if (k !== 'Path') bad(file, `${p}.${printable(k)}`, 'unknown key; expected Path')
      const path = (imp as Record<string, unknown>).Path
      if (typeof path !== 'string' || path.length === 0 || path.length > 1024 || path.includes('\0'))
        bad(file, `${p}.Path`, `expected a relative path to a .json file, found ${kind(path)}`)
      if (isAbsolute(path)) bad(file, `${p}.Path`, 'expected a relative path, found an absolute one')
      imports.push(path)
    })
  }
  if (o.Peripherals === undefined) bad(file, 'Peripherals', 'required key is missing')
  if (!Array.isArray(o.Peripherals)) bad(file, 'Peripherals', `expected an array, found ${kind(o.Peripherals)}`)
  if (o.Peripherals.length > MAX_PERIPHERALS) bad(file, 'Peripherals', `more than ${MAX_PERIPHERALS} entries`)
  const names = new Set<string>()
  const peripherals = o.Peripherals.map((raw: unknown, i: number): Peripheral => {
    const p = `Peripherals[${i}]`
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      bad(file, p, `expected an object, found ${kind(raw)}`)
    const e = raw as Record<string, unknown>
    const keys = ['Name', 'Type', 'Mapping', 'MainCoreHeaderValue', 'AppManifestValue', 'Comment']
    for (const k of Object.keys(e))
      if (!keys.includes(k)) bad(file, `${p}.${printable(k)}`, `unknown key; expected one of ${keys.join(', ')}`)
    if (typeof e.Name !== 'string' || !C_IDENT.test(e.Name) || e.Name.length > 255)
      bad(file, `${p}.Name`, `expected a C identifier, found ${kind(e.Name)}`)
    const at = `${p} (${e.Name})`
    if (names.has(e.Name)) bad(file, `${at}.Name`, 'duplicate peripheral name')
    names.add(e.Name)
    if (typeof e.Type !== 'string' || !(PERIPHERAL_TYPES as readonly string[]).includes(e.Type))
      bad(file, `${at}.Type`, `expected one of ${PERIPHERAL_TYPES.join(', ')}, found ${kind(e.Type)}`)
    const out: Peripheral = {Name: e.Name, Type: e.Type as PeripheralType}
    if (e.Comment !== undefined) {
      if (typeof e.Comment !== 'string' || /[\r\n]/.test(e.Comment))
        bad(file, `${at}.Comment`, `expected a one-line string, found ${kind(e.Comment)}`)
      out.Comment = e.Comment
    }
    if (e.Mapping !== undefined) {
      if (e.MainCoreHeaderValue !== undefined || e.AppManifestValue !== undefined)
        bad(file, at, 'has both Mapping and a base value (MainCoreHeaderValue/AppManifestValue); use one form')
      if (typeof e.Mapping !== 'string' || !C_IDENT.test(e.Mapping))
        bad(file, `${at}.Mapping`, `expected the name of another peripheral, found ${kind(e.Mapping)}`)
      out.Mapping = e.Mapping
    } else {
      if (typeof e.MainCoreHeaderValue !== 'string' || !HEADER_VALUE.test(e.MainCoreHeaderValue))
        bad(
          file,
          `${at}.MainCoreHeaderValue`,
          `expected a Mapping, or a value like "(8)", found ${kind(e.MainCoreHeaderValue)}`,
        )
      out.MainCoreHeaderValue = e.MainCoreHeaderValue
      if (e.Type === 'int') {
        if (e.AppManifestValue !== undefined)
          bad(file, `${at}.AppManifestValue`, 'an int constant has no AppManifestValue')
      } else {
        const v = e.AppManifestValue
        const ok =
          (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff) ||
          (typeof v === 'string' && v.length > 0 && v.length <= 64 && !v.startsWith('$'))
        if (!ok) bad(file, `${at}.AppManifestValue`, `expected an integer or a name like "ISU0", found ${kind(v)}`)
        out.AppManifestValue = v as AppManifestValue
      }
    }
    return out
  })
  return {metadata: {Type: md.Type as string, Version: md.Version as number}, description, imports, peripherals}
}

/**
 * Loads a hardware definition and everything it imports. Imports are looked up in the importing
 * file's directory, then in `searchDirs`, then in the SDK's HardwareDefinitions. Checks: schema,
 * unique names across all imported files, every Mapping chain ends at a base entry of the same Type,
 * no import or Mapping cycles.
 */
export function loadHardwareDefinition(path: string, opts: LoadOptions = {}): HardwareDefinition {
  const read = opts.readFile ?? defaultReadFile
  const sdkDir = opts.sdkDir ?? sdkHardwareDefinitionsDir()
  const searchDirs = (opts.searchDirs ?? []).map((d) => resolve(d))
  const cache = new Map<string, HardwareDefinition>()
  const loading: string[] = []

  const load = (abs: string, shown: string): HardwareDefinition => {
    const hit = cache.get(abs)
    if (hit) return hit
    if (loading.includes(abs))
      fail(
        'HWDEF_CYCLE',
        `${shown}: import cycle ${[...loading.slice(loading.indexOf(abs)), abs].map((p) => basename(p)).join(' -> ')}`,
      )
    if (loading.length >= MAX_IMPORT_DEPTH)
      fail('HWDEF_INVALID', `${shown}: imports nested deeper than ${MAX_IMPORT_DEPTH}`)
    if (cache.size >= MAX_FILES) fail('HWDEF_INVALID', `${shown}: more than ${MAX_FILES} imported files`)
    const bytes = read(abs)
    if (bytes === undefined) fail('HWDEF_NOT_FOUND', `hardware definition not found: ${shown}`)
    const json = parseStrictJsonBytes(bytes, {
      what: shown,
      code: 'HWDEF_INVALID',
      maxLength: MAX_HWDEF_BYTES,
      maxDepth: 16,
    })
    const shape = checkHardwareDefinitionJson(json, shown)
    loading.push(abs)
    const def: HardwareDefinition = {
      path: abs,
      metadata: shape.metadata,
      description: shape.description,
      name: shape.description.Name ?? basename(abs, '.json'),
      imports: [],
      peripherals: shape.peripherals,
      scope: new Map(),
    }
    for (const imp of shape.imports) {
      const local = resolve(dirname(abs), imp)
      const candidates = [local, ...searchDirs.map((d) => resolve(d, imp)), resolve(sdkDir, imp)]
      let found: string | undefined
      for (const c of candidates) {
        if (read(c) !== undefined) {
          found = c
          break
        }
      }
      if (!found) {
        fail(
          'HWDEF_NOT_FOUND',
          `${shown}: import "${printable(imp)}" not found next to the file, in ${searchDirs.length ? 'the --hardware-definitions directories or ' : ''}the SDK's HardwareDefinitions`,
          ['Pass the directory holding it with --hardware-definitions'],
        )
      }
      const child = load(found, found === local ? join(dirname(shown), imp) : found)
      def.imports.push({Path: imp, definition: child, local: found === local})
      for (const [n, entry] of child.scope) {
        const prev = def.scope.get(n)
        if (prev && prev.definition !== entry.definition)
          fail(
            'HWDEF_DUPLICATE',
            `${shown}: peripheral ${n} is defined in both ${basename(prev.definition.path)} and ${basename(entry.definition.path)}`,
          )
        def.scope.set(n, entry)
      }
    }
    for (const p of def.peripherals) {
      const prev = def.scope.get(p.Name)
      if (prev)
        fail(
          'HWDEF_DUPLICATE',
          `${shown}: peripheral ${p.Name} is already defined in ${basename(prev.definition.path)}`,
        )
      def.scope.set(p.Name, {peripheral: p, definition: def})
    }
    loading.pop()
    for (const p of def.peripherals) resolvePeripheral(def, p.Name) // every chain must end at a base entry
    cache.set(abs, def)
    return def
  }
  return load(resolve(path), path)
}

/** Parses one definition from bytes with in-memory imports (used by tests and fuzzing). */
export function parseHardwareDefinition(
  bytes: Uint8Array,
  files: Record<string, Uint8Array> = {},
  name = 'definition.json',
): HardwareDefinition {
  const root = resolve('/hwdef-memory')
  const all = new Map<string, Uint8Array>(Object.entries(files).map(([k, v]) => [resolve(root, k), v]))
  all.set(resolve(root, name), bytes)
  return loadHardwareDefinition(resolve(root, name), {sdkDir: join(root, 'sdk'), readFile: (p) => all.get(p)})
}

/** Follows a name (with or without '$') down to its base entry. */
export function resolvePeripheral(def: HardwareDefinition, name: string): ResolvedPeripheral {
  const want = name.startsWith('$') ? name.slice(1) : name
  const chain: string[] = []
  let cur = want
  let comment: string | undefined
  let type: PeripheralType | undefined
  for (;;) {
    const e = def.scope.get(cur)
    if (!e) {
      if (chain.length === 0) {
        const close = suggest(want, [...def.scope.keys()])
        fail(
          'HWDEF_UNKNOWN_PERIPHERAL',
          `peripheral ${printable(want)} is not defined in ${basename(def.path)} or its imports`,
          close.length ? [`Did you mean ${close.join(', ')}?`] : [],
        )
      }
      fail(
        'HWDEF_UNKNOWN_PERIPHERAL',
        `${basename(def.path)}: ${chain[chain.length - 1]} maps to ${cur}, which is not defined`,
      )
    }
    if (chain.includes(cur)) fail('HWDEF_CYCLE', `${basename(def.path)}: mapping cycle ${[...chain, cur].join(' -> ')}`)
    chain.push(cur)
    if (chain.length > 64) fail('HWDEF_CYCLE', `${basename(def.path)}: mapping chain of ${want} is longer than 64`)
    const p = e.peripheral
    if (comment === undefined) comment = p.Comment
    if (type === undefined) type = p.Type
    else if (p.Type !== type)
      fail(
        'HWDEF_INVALID',
        `${basename(def.path)}: ${chain[chain.length - 2]} has Type ${type} but maps to ${cur} of Type ${p.Type}`,
      )
    if (p.Mapping === undefined) {
      const r: ResolvedPeripheral = {
        name: want,
        type,
        chain,
        headerValue: p.MainCoreHeaderValue as string,
        basePath: e.definition.path,
      }
      if (p.AppManifestValue !== undefined) r.appManifestValue = p.AppManifestValue
      if (comment !== undefined) r.comment = comment
      return r
    }
    cur = p.Mapping
  }
}

function suggest(name: string, all: string[]): string[] {
  const dist = (a: string, b: string): number => {
    const m = a.length
    const n = b.length
    if (Math.abs(m - n) > 3) return 99
    let prev = Array.from({length: n + 1}, (_, j) => j)
    for (let i = 1; i <= m; i++) {
      const cur = [i]
      for (let j = 1; j <= n; j++)
        cur[j] = Math.min(
          (prev[j] as number) + 1,
          (cur[j - 1] as number) + 1,
          (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        )
      prev = cur
    }
    return prev[n] as number
  }
  return all
    .map((n) => ({n, d: dist(name, n)}))
    .filter((x) => x.d <= 3)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.n)
}

/**
 * Replaces every "$NAME" in the peripheral capabilities (Gpio, Uart, I2cMaster, SpiMaster, Adc, Pwm,
 * I2sSubordinate) with the AppManifestValue its Mapping chain ends at. The peripheral's Type must match
 * the capability; `int` constants are refused. Entries that resolve to the same value are kept once.
 */
export function resolveManifestReferences(manifest: AppManifest, def: HardwareDefinition): AppManifest {
  const caps: Record<string, unknown> = {...manifest.Capabilities}
  for (const [key, type] of Object.entries(PERIPHERAL_CAPABILITIES)) {
    const list = caps[key]
    if (!Array.isArray(list)) continue
    const out: AppManifestValue[] = []
    list.forEach((v: AppManifestValue, i: number) => {
      let value = v
      if (typeof v === 'string' && v.startsWith('$')) {
        let r: ResolvedPeripheral
        try {
          r = resolvePeripheral(def, v)
        } catch (e) {
          fail(
            'MANIFEST_INVALID',
            `Capabilities.${key}[${i}]: ${(e as Error).message}`,
            (e as {suggestions?: string[]}).suggestions,
          )
        }
        if (r.type === 'int')
          fail(
            'MANIFEST_INVALID',
            `Capabilities.${key}[${i}]: ${v} is an int constant, not a peripheral; request its controller instead`,
          )
        if (r.type !== type)
          fail('MANIFEST_INVALID', `Capabilities.${key}[${i}]: ${v} is a ${r.type} peripheral, expected ${type}`)
        value = r.appManifestValue as AppManifestValue
      }
      if (!out.includes(value)) out.push(value)
    })
    caps[key] = out
  }
  return validateManifest({...manifest, Capabilities: caps})
}

/** Where generate-header writes: <dir of the json>/inc/hw/<basename>.h */
export function headerPathFor(jsonPath: string): string {
  return join(dirname(jsonPath), 'inc', 'hw', `${basename(jsonPath).replace(/\.json$/i, '')}.h`)
}

/**
 * The C header for a definition, in the SDK's format: top-content lines, a blank line, the
 * "autogenerated" line, a blank line, `#pragma once`, one #include per import (then a blank line),
 * and for each peripheral in file order `// comment`, `#define NAME value`, a blank line. Base entries
 * define their MainCoreHeaderValue, aliases the name they map to.
 */
export function generateHeader(def: HardwareDefinition): string {
  const lines: string[] = []
  const top = def.description.MainCoreHeaderFileTopContent
  if (top && top.length > 0) lines.push(...top, '')
  const jsonName = basename(def.path)
  lines.push(`// This file is autogenerated from ../../${jsonName}.  Do not edit it directly.`, '', '#pragma once')
  const here = dirname(headerPathFor(def.path))
  for (const imp of def.imports) {
    const target = headerPathFor(imp.definition.path)
    const inc = imp.local ? relative(here, target).split(sep).join('/') : basename(target)
    lines.push(`#include "${inc}"`)
  }
  if (def.imports.length > 0) lines.push('')
  for (const p of def.peripherals) {
    if (p.Comment !== undefined) lines.push(`// ${p.Comment}`)
    lines.push(`#define ${p.Name} ${p.Mapping ?? p.MainCoreHeaderValue}`, '')
  }
  return lines.join('\n') + '\n'
}

/** Names a header #defines (for comparing generated headers with reference ones). */
export function headerDefines(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/^\s*#define\s+([A-Za-z_][A-Za-z0-9_]*)/gm)) out.push(m[1] as string)
  return out
}
