/**
 * Scenario files for `sphere test` (docs/scenarios.md): YAML or JSON, validated with ajv against
 * sdk/schemas/scenario.schema.json (the one description of the format, also used for editor completion), then
 * turned into typed steps here. Bad input becomes one line naming the file, the step and the problem.
 */
import type {Ajv as AjvClass, ErrorObject, ValidateFunction} from 'ajv'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, dirname, extname, resolve} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {SphereError} from '../util/errors.js'

export const NS_PER_MS = 1_000_000

/** Every step action, in the order docs/scenarios.md lists them. */
export const ACTIONS = [
  'deploy',
  'start',
  'stop',
  'wait-log',
  'wait-log-regex',
  'expect-log',
  'expect-log-regex',
  'expect-no-log',
  'fail-log',
  'press',
  'release',
  'set',
  'expect-led',
  'expect-pin',
  'expect-denied',
  'expect-allowed',
  'expect-state',
  'expect-exit',
  'advance',
  'http',
  'tcp',
  'udp',
  'restart-device',
  'power-loss',
] as const
export type Action = (typeof ACTIONS)[number]

export interface AppSource {
  name: string
  /** An app project folder to build (absolute). */
  project?: string
  preset?: string
  /** An image package (absolute). */
  package?: string
}

export type LedExpectation =
  | {kind: 'lit'; lit: boolean}
  /** A full on/off cycle takes `periodNs`; each measured period must be within `tolerance` (a fraction). */
  | {kind: 'blinking'; periodNs: number; tolerance: number; text: string}

export type Step = {
  /** Index in the file (0-based) and how the step reads in reports (`wait-log: "Hello"`). */
  index: number
  label: string
  app?: string
  /** Virtual ns a wait may take. */
  timeoutNs: number
} & (
  | {action: 'deploy'; apps: string[]; start: boolean}
  | {action: 'start' | 'stop'}
  | {action: 'wait-log' | 'expect-log' | 'expect-no-log' | 'fail-log'; text: string}
  | {action: 'wait-log-regex' | 'expect-log-regex'; regex: RegExp}
  | {action: 'press'; button: string; forNs?: number}
  | {action: 'release'; button: string}
  | {action: 'set'; values: [string, unknown][]}
  | {action: 'expect-led'; led: string; expect: LedExpectation; forNs?: number}
  | {action: 'expect-pin'; pin: string; level: 0 | 1; forNs?: number}
  | {action: 'expect-denied' | 'expect-allowed'; operation: string; object: [string, string][]}
  | {action: 'expect-state'; state: 'running' | 'stopped' | 'crashed' | 'debugging' | 'notPresent'}
  | {action: 'expect-exit'; code?: number}
  | {action: 'advance'; ns: number}
  | {
      action: 'http'
      method: string
      port: number
      path: string
      body?: string
      headers: Record<string, string>
      expectStatus?: number
      expectBody?: string
    }
  | {action: 'udp' | 'tcp'; port: number; send: string; expectReply?: string}
  | {action: 'restart-device'}
  | {action: 'power-loss'; offNs: number}
)

export interface Scenario {
  /** Absolute path of the file (undefined: parsed from text). */
  file?: string
  name: string
  description?: string
  /** Wall-clock ms for the whole run. */
  timeoutMs: number
  /** Default virtual ns of each wait. */
  waitTimeoutNs: number
  device: {
    hardware?: string
    world?: string | Record<string, unknown>
    /** Where `world` (a path) was read from, for messages. */
    worldFile?: string
    capabilities?: ('appDevelopment' | 'fieldServicing' | 'enableRfTestMode')[]
    id?: string
  }
  apps: AppSource[]
  steps: Step[]
}

export const DEFAULT_RUN_TIMEOUT_MS = 5 * 60_000
export const DEFAULT_WAIT_TIMEOUT_NS = 30_000 * NS_PER_MS

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  ms: NS_PER_MS,
  s: 1_000 * NS_PER_MS,
  m: 60_000 * NS_PER_MS,
  min: 60_000 * NS_PER_MS,
  h: 3_600_000 * NS_PER_MS,
  d: 86_400_000 * NS_PER_MS,
}

/** `500ms`, `10s`, `10m`, `1.5h` (a bare number is milliseconds) -> ns; undefined when it is not a duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * NS_PER_MS) : undefined
  if (typeof v !== 'string') return undefined
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s|m|min|h|d)\s*$/.exec(v)
  if (!m) return undefined
  return Math.round(Number(m[1]) * UNITS[m[2]!]!)
}

/** ns -> `1h 0m 2.500s`-style text for reports. */
export function formatNs(ns: number): string {
  const ms = ns / NS_PER_MS
  if (ms < 1000) return `${+ms.toFixed(3)}ms`
  const s = ms / 1000
  if (s < 60) return `${+s.toFixed(3)}s`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = +(s % 60).toFixed(3)
  return h > 0 ? `${h}h${m}m${rest}s` : `${m}m${rest}s`
}

/** `2Hz`, `2Hz±10%`, `500ms +- 5%`, `4 Hz ± 0.2Hz` -> a blinking expectation (period of a full cycle). */
export function parseBlinkRate(text: string): {periodNs: number; tolerance: number} | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(hz|ns|us|µs|ms|s)\s*(?:(?:±|\+-|\+\/-)\s*([0-9]+(?:\.[0-9]+)?)\s*(%|hz|ns|us|µs|ms|s))?\s*$/i.exec(
    text,
  )
  if (!m) return undefined
  const value = Number(m[1])
  const unit = m[2]!.toLowerCase()
  if (value <= 0) return undefined
  const periodNs = unit === 'hz' ? 1e9 / value : value * UNITS[unit]!
  let tolerance = 0.1
  if (m[3] !== undefined) {
    const tv = Number(m[3])
    const tu = m[4]!.toLowerCase()
    if (tu === '%') tolerance = tv / 100
    else if (tu === 'hz') tolerance = unit === 'hz' ? tv / value : NaN
    else tolerance = unit === 'hz' ? NaN : (tv * UNITS[tu]!) / periodNs
    if (!Number.isFinite(tolerance)) return undefined
  }
  return {periodNs: Math.round(periodNs), tolerance}
}

// ---- validation -------------------------------------------------------------------------------------------

export const SCENARIO_SCHEMA_URL = new URL('../../sdk/schemas/scenario.schema.json', import.meta.url)
let validator: ValidateFunction | undefined
function validate(doc: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_URL, 'utf8')) as object
    const {Ajv} = createRequire(import.meta.url)('ajv') as {Ajv: typeof AjvClass}
    // strictRequired off: an app's oneOf names `project` / `package`, which its parent's properties define
    const ajv = new Ajv({allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false})
    ajv.addKeyword({keyword: 'x-expected', schemaType: 'string'})
    validator = ajv.compile(schema)
  }
  return validator(doc) ? [] : [...(validator.errors ?? [])]
}

/** `/steps/3/wait-log` -> `steps[3].wait-log`. */
function where(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .reduce((s, part) => (/^[0-9]+$/.test(part) ? `${s}[${part}]` : s ? `${s}.${part}` : part), '')
}

function schemaMessage(e: ErrorObject): string {
  const at = where(e.instancePath) || '(top level)'
  const expected = (e.parentSchema as {'x-expected'?: string} | undefined)?.['x-expected']
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as {additionalProperty: string}).additionalProperty
      const known = Object.keys((e.parentSchema as {properties?: object}).properties ?? {})
      const close = known.filter((k) => k.startsWith(key.slice(0, 3)) || key.startsWith(k.slice(0, 3)))
      return `${at}: unknown key '${key}'${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}`
    }
    case 'required':
      return `${at}: '${(e.params as {missingProperty: string}).missingProperty}' is missing`
    case 'enum':
      return `${at}: must be one of ${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')}`
    case 'pattern':
    case 'anyOf':
    case 'oneOf':
    case 'type':
      return `${at}: expected ${expected ?? e.message ?? 'another value'}`
    default:
      return `${at}: ${e.message ?? 'invalid'}`
  }
}

const bad = (file: string, msg: string): SphereError => new SphereError('SCENARIO_INVALID', `${file}: ${msg}`, {exit: 2})

/** Read and check a scenario file. Throws SCENARIO_INVALID (exit 2) with one line naming the problem. */
export function loadScenario(path: string): Scenario {
  const file = resolve(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new SphereError('SCENARIO_NOT_FOUND', `cannot read scenario ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      exit: 2,
    })
  }
  return parseScenario(text, file)
}

/** Parse scenario text; `file` (absolute) resolves relative paths and names the scenario by default. */
export function parseScenario(text: string, file?: string): Scenario {
  const label = file ? basename(file) : 'scenario'
  let doc: unknown
  try {
    doc = file && extname(file) === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    throw bad(label, `not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`)
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad(label, 'a scenario is a map with a steps list')
  const d = doc as Record<string, unknown>
  // one action per step, checked before the schema so the message names the step's own problem
  if (Array.isArray(d.steps)) {
    d.steps.forEach((s, i) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) throw bad(label, `steps[${i}]: a step is a map such as {wait-log: "text"}`)
      const acts = actionsOf(s as Record<string, unknown>)
      if (acts.length === 0) {
        const keys = Object.keys(s)
        throw bad(label, `steps[${i}]: no action (${keys.length ? `found ${keys.join(', ')}; ` : ''}use one of ${ACTIONS.join(', ')})`)
      }
      if (acts.length > 1) throw bad(label, `steps[${i}]: one action per step, found ${acts.join(' and ')}`)
    })
  }
  const errors = validate(doc)
  if (errors.length > 0) {
    // the deepest error says the most (an unknown key inside a step rather than "steps[2] is invalid")
    // and, at one place, the alternatives' summary (anyOf: its x-expected) over one alternative's complaint
    const rank = (e: ErrorObject): number => (e.keyword === 'anyOf' || e.keyword === 'oneOf' ? 0 : 1)
    errors.sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length || rank(a) - rank(b))
    throw bad(label, schemaMessage(errors[0]!))
  }
  const base = file ? dirname(file) : process.cwd()
  const apps: AppSource[] = Object.entries((d.apps as Record<string, {project?: string; package?: string; preset?: string}>) ?? {}).map(
    ([name, a]) => ({
      name,
      ...(a.project !== undefined ? {project: resolve(base, a.project)} : {}),
      ...(a.package !== undefined ? {package: resolve(base, a.package)} : {}),
      ...(a.preset !== undefined ? {preset: a.preset} : {}),
    }),
  )
  const dev = (d.device as Scenario['device'] | undefined) ?? {}
  const waitTimeoutNs = d['wait-timeout'] !== undefined ? parseDuration(d['wait-timeout'])! : DEFAULT_WAIT_TIMEOUT_NS
  const scenario: Scenario = {
    ...(file ? {file} : {}),
    name: typeof d.name === 'string' ? d.name : file ? basename(file).replace(/\.(ya?ml|json)$/, '') : 'scenario',
    ...(typeof d.description === 'string' ? {description: d.description} : {}),
    timeoutMs: d.timeout !== undefined ? parseDuration(d.timeout)! / NS_PER_MS : DEFAULT_RUN_TIMEOUT_MS,
    waitTimeoutNs,
    device: {
      ...dev,
      ...(typeof dev.hardware === 'string' ? {hardware: dev.hardware} : {}),
      ...(typeof dev.world === 'string' ? {world: resolve(base, dev.world), worldFile: dev.world} : {}),
    },
    apps,
    steps: [],
  }
  const appNames = new Set(apps.map((a) => a.name))
  ;(d.steps as Record<string, unknown>[]).forEach((raw, i) => {
    scenario.steps.push(toStep(raw, i, label, scenario, appNames))
  })
  return scenario
}

function actionsOf(s: Record<string, unknown>): Action[] {
  const acts = ACTIONS.filter((a) => a in s)
  // `start` is also deploy's option
  return 'deploy' in s ? acts.filter((a) => a !== 'start') : acts
}

function quote(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === null || v === undefined ? '' : JSON.stringify(v)
}

function toStep(raw: Record<string, unknown>, index: number, file: string, sc: Scenario, appNames: Set<string>): Step {
  const action = actionsOf(raw)[0]!
  const v = raw[action]
  const at = `steps[${index}] (${action})`
  const label = typeof raw.name === 'string' ? raw.name : `${action}${v === null || v === undefined ? '' : `: ${quote(v)}`}`
  const checkApp = (name: string): string => {
    if (!appNames.has(name)) throw bad(file, `${at}: no app '${name}' in apps (${[...appNames].join(', ') || 'none'})`)
    return name
  }
  const app = typeof raw.app === 'string' ? checkApp(raw.app) : undefined
  const timeoutNs = raw.timeout !== undefined ? parseDuration(raw.timeout)! : sc.waitTimeoutNs
  const forNs = raw.for !== undefined ? parseDuration(raw.for)! : undefined
  const base = {index, label, timeoutNs, ...(app ? {app} : {})}
  // steps about one app: the named one, else the only one
  const oneApp = (named: unknown): string => {
    if (typeof named === 'string') return checkApp(named)
    if (app) return app
    if (appNames.size === 1) return [...appNames][0]!
    throw bad(file, `${at}: name the app (the scenario has ${appNames.size === 0 ? 'no apps' : `${appNames.size} apps`})`)
  }
  switch (action) {
    case 'deploy': {
      const apps = Array.isArray(v) ? (v as string[]).map(checkApp) : [oneApp(v)]
      return {...base, action, apps, start: raw.start !== false}
    }
    case 'start':
    case 'stop':
    case 'expect-exit':
    case 'expect-state': {
      const target = action === 'start' || action === 'stop' ? oneApp(v) : oneApp(raw.app)
      const b = {...base, app: target}
      if (action === 'expect-exit') return {...b, action, ...(typeof v === 'number' ? {code: v} : {})}
      if (action === 'expect-state') return {...b, action, state: v as 'running'}
      return {...b, action}
    }
    case 'wait-log':
    case 'expect-log':
    case 'expect-no-log':
    case 'fail-log':
      return {...base, action, text: v as string}
    case 'wait-log-regex':
    case 'expect-log-regex':
      try {
        return {...base, action, regex: new RegExp(v as string)}
      } catch (e) {
        throw bad(file, `${at}: not a regular expression: ${(e as Error).message}`)
      }
    case 'press':
      return {...base, action, button: v as string, ...(forNs !== undefined ? {forNs} : {})}
    case 'release':
      return {...base, action, button: v as string}
    case 'set': {
      const values: [string, unknown][] =
        typeof v === 'string' ? [[v.slice(0, v.indexOf('=')).trim(), worldValue(v.slice(v.indexOf('=') + 1).trim())]] : Object.entries(v as object)
      return {...base, action, values}
    }
    case 'expect-led': {
      const m = /^\s*(\S+)\s+(on|off|lit|dark|blinking)\s*(.*)$/.exec(v as string)!
      const word = m[2]!
      if (word !== 'blinking') {
        if (m[3]) throw bad(file, `${at}: '${m[3]}' after ${word} (write "LED on", "LED off" or "LED blinking 2Hz±10%")`)
        return {...base, action, led: m[1]!, expect: {kind: 'lit', lit: word === 'on' || word === 'lit'}, ...(forNs !== undefined ? {forNs} : {})}
      }
      const rate = parseBlinkRate(m[3]!)
      if (!rate) throw bad(file, `${at}: '${m[3]}' is not a blink rate (write 2Hz, 2Hz±10% or a period such as 500ms±5%)`)
      return {...base, action, led: m[1]!, expect: {kind: 'blinking', ...rate, text: m[3]!.trim()}, ...(forNs !== undefined ? {forNs} : {})}
    }
    case 'expect-pin': {
      const m = /^\s*(\S+)\s+(high|low|0|1)\s*$/.exec(v as string)!
      return {...base, action, pin: m[1]!, level: m[2] === 'high' || m[2] === '1' ? 1 : 0, ...(forNs !== undefined ? {forNs} : {})}
    }
    case 'expect-denied':
    case 'expect-allowed': {
      const [operation, ...pairs] = (v as string).trim().split(/\s+/)
      const object = pairs.map((p): [string, string] => {
        const eq = p.indexOf('=')
        if (eq <= 0) throw bad(file, `${at}: '${p}' is not key=value (e.g. gpio.open gpio=9)`)
        return [p.slice(0, eq), p.slice(eq + 1)]
      })
      return {...base, action, operation: operation!, object}
    }
    case 'advance':
      return {...base, action, ns: parseDuration(v)!}
    case 'http': {
      const h = v as {method?: string; port: number; path?: string; body?: string; headers?: Record<string, string>; 'expect-status'?: number; 'expect-body'?: string}
      return {
        ...base,
        action,
        method: h.method ?? (h.body !== undefined ? 'POST' : 'GET'),
        port: h.port,
        path: h.path ?? '/',
        headers: h.headers ?? {},
        ...(h.body !== undefined ? {body: h.body} : {}),
        ...(h['expect-status'] !== undefined ? {expectStatus: h['expect-status']} : {}),
        ...(h['expect-body'] !== undefined ? {expectBody: h['expect-body']} : {}),
      }
    }
    case 'udp':
    case 'tcp': {
      const u = v as {port: number; send: string; 'expect-reply'?: string}
      return {...base, action, port: u.port, send: u.send, ...(u['expect-reply'] !== undefined ? {expectReply: u['expect-reply']} : {})}
    }
    case 'restart-device':
      return {...base, action}
    case 'power-loss':
      return {...base, action, offNs: forNs ?? 0}
  }
}

/** A world value written as text (`set: "adc.0.0=1.65"`): a number, true/false, else the text. */
function worldValue(s: string): unknown {
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(s)) return Number(s)
  if (s === 'true' || s === 'false') return s === 'true'
  return s
}
