/**
 * app_manifest.json: the type, validation with key-path errors, strict parsing (duplicate keys,
 * size limit) and the SDK's packaged form (minified, canonical key order).
 */
import type {Ajv as AjvClass, ErrorObject, ValidateFunction} from 'ajv'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fail, printable} from './binary.js'
import {parseStrictJson, parseStrictJsonBytes} from './json.js'
import {splitPackagePath} from './asxipfs.js'

/** A value a hardware definition maps a peripheral name to (GPIO number or controller/ISU name). */
export type AppManifestValue = number | string

export type PowerControl = 'ForceReboot' | 'ForcePowerDown' | 'SetPowerProfile'
export type ApplicationType = 'Default' | 'RealTimeCapable' | 'Debugger'

export interface AppCapabilities {
  Gpio?: AppManifestValue[]
  Uart?: string[]
  I2cMaster?: string[]
  SpiMaster?: string[]
  Adc?: string[]
  Pwm?: string[]
  I2sSubordinate?: string[]
  ExternalInterrupt?: AppManifestValue[]
  AllowedConnections?: string[]
  AllowedTcpServerPorts?: number[]
  AllowedUdpServerPorts?: number[]
  AllowedApplicationConnections?: string[]
  MutableStorage?: {SizeKB: number}
  DeviceAuthentication?: string
  PowerControls?: PowerControl[]
  WifiConfig?: boolean
  EnterpriseWifiConfig?: boolean
  NetworkConfig?: boolean
  SystemTime?: boolean
  TimeSyncConfig?: boolean
  CertStore?: boolean
  SoftwareUpdateDeferral?: boolean
  SystemEventNotifications?: boolean
  HardwareAddressConfig?: boolean
  DhcpService?: boolean
  SntpService?: boolean
  ReadNetworkProxyConfig?: boolean
  HeapMemStats?: boolean
}

export interface AppManifest {
  SchemaVersion: number
  Name: string
  ComponentId: string
  EntryPoint: string
  CmdArgs?: string[]
  Capabilities: AppCapabilities
  ApplicationType: ApplicationType
  TargetApplicationRuntimeVersion?: number
  TargetBetaApis?: boolean
  MallocVersion?: number
}

/** Largest app_manifest.json accepted (real ones are under 2 KB). */
export const MAX_MANIFEST_BYTES = 64 * 1024

/** Every capability key, spelled once for the type checker; a test holds it equal to the schema's. */
const CAPABILITY_KEY_SET: Record<keyof AppCapabilities, true> = {
  Gpio: true,
  Uart: true,
  I2cMaster: true,
  SpiMaster: true,
  Adc: true,
  Pwm: true,
  I2sSubordinate: true,
  ExternalInterrupt: true,
  AllowedConnections: true,
  AllowedTcpServerPorts: true,
  AllowedUdpServerPorts: true,
  AllowedApplicationConnections: true,
  MutableStorage: true,
  DeviceAuthentication: true,
  PowerControls: true,
  WifiConfig: true,
  EnterpriseWifiConfig: true,
  NetworkConfig: true,
  SystemTime: true,
  TimeSyncConfig: true,
  CertStore: true,
  SoftwareUpdateDeferral: true,
  SystemEventNotifications: true,
  HardwareAddressConfig: true,
  DhcpService: true,
  SntpService: true,
  ReadNetworkProxyConfig: true,
  HeapMemStats: true,
}
export const CAPABILITY_KEYS = Object.keys(CAPABILITY_KEY_SET) as (keyof AppCapabilities)[]

// ---------------------------------------------------------------------------------------------------
// Validation: sdk/schemas/app-manifest.schema.json decides what is valid (ajv, draft-07, every error);
// the one-line message names the first failure in document order, in the words of the schema's
// "x-expected" annotations. Rules a schema cannot state (package path syntax, GUIDs unique regardless
// of case) are checked after it.

/** The parts of a JSON Schema node the messages read. */
interface SchemaNode {
  type?: string
  'x-expected'?: string
  properties?: Record<string, SchemaNode>
  required?: string[]
  items?: SchemaNode
  anyOf?: SchemaNode[]
  enum?: unknown[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  maxItems?: number
}

export const MANIFEST_SCHEMA_URL = new URL('../../sdk/schemas/app-manifest.schema.json', import.meta.url)
let compiled: {schema: SchemaNode; validate: ValidateFunction} | undefined
function manifestSchema(): {schema: SchemaNode; validate: ValidateFunction} {
  if (!compiled) {
    const text = readFileSync(MANIFEST_SCHEMA_URL, 'utf8')
    const schema = JSON.parse(text) as SchemaNode
    compiled = {schema, validate: precompiledValidator(text) ?? createManifestAjv().compile(schema)}
  }
  return compiled
}

/**
 * The ajv instance the manifest schema is compiled with: here (when no current precompiled validator exists) and by
 * scripts/gen-manifest-validator.mjs at build time. Loaded on first use: ajv takes 0.1-0.2 s to load and more to
 * compile the schema. String lengths count Unicode code points, as JSON Schema defines them.
 */
export function createManifestAjv(extra: Record<string, unknown> = {}): AjvClass {
  const {Ajv} = createRequire(import.meta.url)('ajv') as {Ajv: typeof AjvClass}
  const ajv = new Ajv({allErrors: true, strict: true, strictTypes: false, ...extra})
  ajv.addKeyword({keyword: 'x-expected', schemaType: 'string'})
  return ajv
}

/** The schema's SHA-256, which the build-time validator records so a stale one is never used. */
export function manifestSchemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The validator generated from this exact schema at build time (`manifest-validator.cjs` beside this module), if any. */
function precompiledValidator(schemaText: string): ValidateFunction | undefined {
  try {
    const m = createRequire(import.meta.url)('./manifest-validator.cjs') as ValidateFunction & {schemaSha256?: string}
    return m.schemaSha256 === manifestSchemaHash(schemaText) ? m : undefined
  } catch {
    return undefined // not built (tests run the sources): compile the schema
  }
}

const err = (path: string, msg: string): never => fail('MANIFEST_INVALID', `${path}: ${msg}`)
const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${printable(JSON.stringify(v) ?? '')}`

const isRef = (v: unknown): v is string => typeof v === 'string' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v)
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  array: 'an array',
  object: 'an object',
}
/** What a schema node wants, in words: its x-expected, else its alternatives, values or type; integer ranges appended. */
function expected(s: SchemaNode, withRange = true): string {
  const range =
    withRange && s.minimum !== undefined && s.maximum !== undefined ? ` from ${s.minimum} to ${s.maximum}` : ''
  if (s['x-expected']) return s['x-expected'] + range
  if (s.anyOf) return s.anyOf.map((b) => expected(b, false)).join(' or ')
  if (s.enum) return `one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`
  return (TYPE_WORDS[s.type ?? ''] ?? 'a valid value') + range
}

const STRUCTURAL = new Set(['additionalProperties', 'required', 'uniqueItems', 'maxItems'])
const LEAF_ORDER = ['type', 'minLength', 'maxLength']
const rank = (e: ErrorObject) => (LEAF_ORDER.includes(e.keyword) ? LEAF_ORDER.indexOf(e.keyword) : LEAF_ORDER.length)
const keyPath = (path: string, k: string) => (path ? `${path}.${printable(k)}` : printable(k))
const pointer = (ptr: string, k: string | number) => `${ptr}/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`

/**
 * The first schema failure in document order: at each node its own type / value, then (objects) unknown
 * keys, missing keys and each property in schema order, (arrays) the length, then each entry and whether
 * it repeats an earlier one.
 */
function firstFailure(
  v: unknown,
  s: SchemaNode,
  path: string,
  ptr: string,
  errors: Map<string, ErrorObject[]>,
): string | undefined {
  const here = errors.get(ptr) ?? []
  const own_ = here.filter((e) => !STRUCTURAL.has(e.keyword)).sort((a, b) => rank(a) - rank(b))[0]
  const where = path || '(root)'
  if (own_) {
    if (own_.keyword === 'minLength')
      return `${where}: ${s.minLength === 1 ? 'expected a non-empty string' : `string shorter than ${s.minLength} characters`}`
    if (own_.keyword === 'maxLength') return `${where}: string longer than ${s.maxLength} characters`
    return `${where}: expected ${expected(s)}, found ${typeOf(v)}`
  }
  if (isObject(v) && s.properties) {
    for (const k of Object.keys(v))
      if (here.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === k))
        return `${keyPath(path, k)}: unknown key; expected one of ${Object.keys(s.properties).join(', ')}`
    for (const k of s.required ?? [])
      if (here.some((e) => e.keyword === 'required' && e.params.missingProperty === k))
        return `${keyPath(path, k)}: required key is missing`
    for (const [k, child] of Object.entries(s.properties))
      if (own(v, k)) {
        const f = firstFailure(v[k], child, keyPath(path, k), pointer(ptr, k), errors)
        if (f) return f
      }
  }
  if (Array.isArray(v)) {
    if (here.some((e) => e.keyword === 'maxItems')) return `${where}: more than ${s.maxItems} entries`
    const duplicates = here.some((e) => e.keyword === 'uniqueItems')
    const seen = new Set<string>()
    for (let i = 0; i < v.length; i++) {
      if (s.items) {
        const f = firstFailure(v[i], s.items, `${where}[${i}]`, pointer(ptr, i), errors)
        if (f) return f
      }
      const key = JSON.stringify(v[i])
      if (duplicates && seen.has(key)) return `${where}[${i}]: duplicate entry ${printable(key)}`
      seen.add(key)
    }
  }
  return undefined
}

/** The schema's verdict on `json`: nothing, or the one-line message of its first failure. */
function schemaFailure(json: unknown): string | undefined {
  const {schema, validate} = manifestSchema()
  if (validate(json)) return undefined
  const errors = new Map<string, ErrorObject[]>()
  // Failures inside one alternative of an anyOf are summed up by the anyOf's own error.
  for (const e of validate.errors ?? []) {
    if (e.schemaPath.includes('/anyOf/')) continue
    errors.set(e.instancePath, [...(errors.get(e.instancePath) ?? []), e])
  }
  return (
    firstFailure(json, schema, '', '', errors) ?? `(root): ${printable(JSON.stringify(validate.errors?.[0] ?? {}))}`
  )
}

/** Checks the schema cannot state: the entry point is a valid package path; peer component IDs are unique whatever their case. */
function semanticChecks(m: AppManifest): void {
  try {
    splitPackagePath(m.EntryPoint)
  } catch (e) {
    err('EntryPoint', (e as Error).message)
  }
  const seen = new Set<string>()
  ;(m.Capabilities.AllowedApplicationConnections ?? []).forEach((id, i) => {
    const key = JSON.stringify(id)
    if (seen.has(key)) err(`Capabilities.AllowedApplicationConnections[${i}]`, `duplicate entry ${printable(key)}`)
    seen.add(key)
  })
}

/** Capability keys whose entries may be "$NAME" hardware-definition references, with the peripheral Type each takes. */
export const PERIPHERAL_CAPABILITIES: Record<string, string> = {
  Gpio: 'Gpio',
  Uart: 'Uart',
  I2cMaster: 'I2cMaster',
  SpiMaster: 'SpiMaster',
  Adc: 'Adc',
  Pwm: 'Pwm',
  I2sSubordinate: 'I2sSubordinate',
}

/** Key order of the SDK's packaged (minified) manifest. */
export const MANIFEST_KEY_ORDER = [
  'SchemaVersion',
  'Name',
  'ComponentId',
  'EntryPoint',
  'CmdArgs',
  'Capabilities',
  'ApplicationType',
  'TargetApplicationRuntimeVersion',
  'TargetBetaApis',
  'MallocVersion',
] as const

/**
 * Checks a parsed app_manifest.json and returns a clean copy (canonical key order, GUIDs lower-case,
 * `$schema` dropped, Capabilities defaulting to {}). Errors are one line: `<key path>: <what was expected>`.
 */
export function validateManifest(json: unknown, opts: {what?: string} = {}): AppManifest {
  try {
    const failure = schemaFailure(json)
    if (failure) fail('MANIFEST_INVALID', failure)
    const o = json as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const k of MANIFEST_KEY_ORDER) {
      if (own(o, k)) out[k] = structuredClone(o[k])
      else if (k === 'Capabilities') out[k] = {}
      else if (k === 'ApplicationType') out[k] = 'Default'
    }
    const m = out as unknown as AppManifest
    const caps = m.Capabilities as Record<string, unknown>
    m.Capabilities = Object.fromEntries(CAPABILITY_KEYS.filter((k) => own(caps, k)).map((k) => [k, caps[k]]))
    m.ComponentId = m.ComponentId.toLowerCase()
    const peers = m.Capabilities.AllowedApplicationConnections
    if (peers) m.Capabilities.AllowedApplicationConnections = peers.map((id) => id.toLowerCase())
    semanticChecks(m)
    return m
  } catch (e) {
    if (opts.what && e instanceof Error && 'code' in e) fail('MANIFEST_INVALID', `${opts.what}: ${e.message}`)
    throw e
  }
}

/** Parses app_manifest.json text or bytes strictly (duplicate keys, size) and validates it. */
export function parseManifest(input: string | Uint8Array, opts: {what?: string} = {}): AppManifest {
  const what = opts.what ?? 'app_manifest.json'
  const jopts = {what, code: 'MANIFEST_INVALID', maxLength: MAX_MANIFEST_BYTES, maxDepth: 16}
  const json = typeof input === 'string' ? parseStrictJson(input, jopts) : parseStrictJsonBytes(input, jopts)
  return validateManifest(json, {what})
}

/** The packaged form: minified JSON, canonical key order, no trailing newline. */
export function serializeManifest(m: AppManifest): string {
  const out: Record<string, unknown> = {}
  for (const k of MANIFEST_KEY_ORDER)
    if ((m as unknown as Record<string, unknown>)[k] !== undefined)
      out[k] = (m as unknown as Record<string, unknown>)[k]
  return JSON.stringify(out)
}

/** The "$NAME" references a manifest makes, as [capability key, index, name]. */
export function manifestReferences(m: AppManifest): {key: string; index: number; name: string}[] {
  const out: {key: string; index: number; name: string}[] = []
  for (const key of Object.keys(PERIPHERAL_CAPABILITIES)) {
    const list = (m.Capabilities as Record<string, unknown>)[key]
    if (Array.isArray(list)) list.forEach((v, index) => isRef(v) && out.push({key, index, name: v.slice(1)}))
  }
  return out
}
