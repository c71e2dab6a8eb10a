/**
 * app_manifest.json: the type, validation with key-path errors, strict parsing (duplicate keys,
 * size limit) and the SDK's packaged form (minified, canonical key order).
 */
import {fail, isGuid, printable} from './binary.js'
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
const MAX_ARRAY = 1024
const MAX_STRING = 4096

type Check = (v: unknown, path: string) => unknown

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
const bool: Check = (v, p) => (typeof v === 'boolean' ? v : err(p, `expected true or false, found ${typeOf(v)}`))
const intIn =
  (lo: number, hi: number, what = 'an integer'): Check =>
  (v, p) =>
    Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi
      ? v
      : err(p, `expected ${what} from ${lo} to ${hi}, found ${typeOf(v)}`)
const str =
  (max = MAX_STRING): Check =>
  (v, p) => {
    if (typeof v !== 'string') return err(p, `expected a string, found ${typeOf(v)}`)
    if (v.length === 0) return err(p, 'expected a non-empty string')
    if (v.length > max) return err(p, `string longer than ${max} characters`)
    return v
  }
const guid: Check = (v, p) =>
  isGuid(v) ? v : err(p, `expected a GUID like "01234567-89ab-cdef-0123-456789abcdef", found ${typeOf(v)}`)
const named =
  (re: RegExp, example: string): Check =>
  (v, p) =>
    (typeof v === 'string' && re.test(v)) || isRef(v)
      ? v
      : err(p, `expected ${example} or a "$NAME" peripheral reference, found ${typeOf(v)}`)
const gpio: Check = (v, p) =>
  (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1023) || isRef(v)
    ? v
    : err(p, `expected an integer or a "$NAME" peripheral reference, found ${typeOf(v)}`)
const oneOf =
  (values: readonly string[]): Check =>
  (v, p) =>
    typeof v === 'string' && values.includes(v)
      ? v
      : err(p, `expected one of ${values.map((x) => `"${x}"`).join(', ')}, found ${typeOf(v)}`)
const arrayOf =
  (item: Check, unique = true): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return err(p, `expected an array, found ${typeOf(v)}`)
    if (v.length > MAX_ARRAY) return err(p, `more than ${MAX_ARRAY} entries`)
    const seen = new Set<string>()
    return v.map((x, i) => {
      const out = item(x, `${p}[${i}]`)
      const key = JSON.stringify(out)
      if (unique && seen.has(key)) err(`${p}[${i}]`, `duplicate entry ${printable(key)}`)
      seen.add(key)
      return out
    })
  }
const objectOf =
  (fields: Record<string, Check>, required: readonly string[] = []): Check =>
  (v, p) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return err(p, `expected an object, found ${typeOf(v)}`)
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v)) {
      if (!Object.prototype.hasOwnProperty.call(fields, k))
        err(`${p}.${printable(k)}`, `unknown key; expected one of ${Object.keys(fields).join(', ')}`)
    }
    for (const k of required)
      if (!Object.prototype.hasOwnProperty.call(v, k)) err(`${p}.${k}`, 'required key is missing')
    for (const [k, check] of Object.entries(fields)) {
      if (Object.prototype.hasOwnProperty.call(v, k)) out[k] = check((v as Record<string, unknown>)[k], `${p}.${k}`)
    }
    return out
  }

const ISU = named(/^ISU[0-9]+$/, 'an ISU name such as "ISU0"')
export const CAPABILITY_CHECKS: Record<keyof AppCapabilities, Check> = {
  Gpio: arrayOf(gpio),
  Uart: arrayOf(ISU),
  I2cMaster: arrayOf(ISU),
  SpiMaster: arrayOf(ISU),
  Adc: arrayOf(named(/^ADC-CONTROLLER-[0-9]+$/, 'an ADC controller such as "ADC-CONTROLLER-0"')),
  Pwm: arrayOf(named(/^PWM-CONTROLLER-[0-9]+$/, 'a PWM controller such as "PWM-CONTROLLER-0"')),
  I2sSubordinate: arrayOf(named(/^I2S[0-9]+$/, 'an I2S interface such as "I2S0"')),
  ExternalInterrupt: arrayOf((v, p) =>
    Number.isInteger(v) || (typeof v === 'string' && v.length > 0 && v.length < 64)
      ? v
      : err(p, `expected an interrupt name or number, found ${typeOf(v)}`),
  ),
  AllowedConnections: arrayOf(str(255)),
  AllowedTcpServerPorts: arrayOf(intIn(1, 65535, 'a port number')),
  AllowedUdpServerPorts: arrayOf(intIn(1, 65535, 'a port number')),
  AllowedApplicationConnections: arrayOf((v, p) => (guid(v, p) as string).toLowerCase()),
  MutableStorage: objectOf({SizeKB: intIn(1, 64, 'a size in KiB')}, ['SizeKB']),
  DeviceAuthentication: guid,
  PowerControls: arrayOf(oneOf(['ForceReboot', 'ForcePowerDown', 'SetPowerProfile'])),
  WifiConfig: bool,
  EnterpriseWifiConfig: bool,
  NetworkConfig: bool,
  SystemTime: bool,
  TimeSyncConfig: bool,
  CertStore: bool,
  SoftwareUpdateDeferral: bool,
  SystemEventNotifications: bool,
  HardwareAddressConfig: bool,
  DhcpService: bool,
  SntpService: bool,
  ReadNetworkProxyConfig: bool,
  HeapMemStats: bool,
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

const entryPoint: Check = (v, p) => {
  const s = str(MAX_STRING)(v, p) as string
  if (!s.startsWith('/')) err(p, `expected an absolute path inside the package such as "/bin/app", found ${typeOf(v)}`)
  try {
    splitPackagePath(s)
  } catch (e) {
    err(p, (e as Error).message)
  }
  return s
}

const TOP: Record<string, Check> = {
  $schema: str(MAX_STRING),
  SchemaVersion: (v, p) => (v === 1 ? v : err(p, `expected 1 (the only schema version), found ${typeOf(v)}`)),
  Name: str(1024),
  ComponentId: (v, p) => (guid(v, p) as string).toLowerCase(),
  EntryPoint: entryPoint,
  CmdArgs: arrayOf(str(MAX_STRING), false),
  Capabilities: objectOf(CAPABILITY_CHECKS as Record<string, Check>),
  ApplicationType: oneOf(['Default', 'RealTimeCapable', 'Debugger']),
  TargetApplicationRuntimeVersion: intIn(1, 65535),
  TargetBetaApis: bool,
  MallocVersion: intIn(1, 65535),
}
/** ApplicationType may be left out (early manifests did): it then means "Default". */
const REQUIRED = ['SchemaVersion', 'Name', 'ComponentId', 'EntryPoint']
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
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      err('(root)', `expected a JSON object, found ${typeOf(json)}`)
    const o = json as Record<string, unknown>
    for (const k of Object.keys(o))
      if (!Object.prototype.hasOwnProperty.call(TOP, k))
        err(printable(k), `unknown key; expected one of ${Object.keys(TOP).join(', ')}`)
    for (const k of REQUIRED) if (!Object.prototype.hasOwnProperty.call(o, k)) err(k, 'required key is missing')
    const out: Record<string, unknown> = {}
    for (const k of MANIFEST_KEY_ORDER) {
      if (Object.prototype.hasOwnProperty.call(o, k)) out[k] = (TOP[k] as Check)(o[k], k)
      else if (k === 'Capabilities') out[k] = {}
      else if (k === 'ApplicationType') out[k] = 'Default'
    }
    const m = out as unknown as AppManifest
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
