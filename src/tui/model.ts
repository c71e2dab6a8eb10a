/**
 * The monitor's state and the pure functions that change and describe it.
 *
 * Nothing here imports Ink or React: the state is folded from the device event stream by `applyEvent`,
 * and the formatting helpers (bars, bytes, uptime, capability names) are shared by the Ink panels, the
 * plain-text first frame and the `--once` snapshot.
 */
import type {
  SphereAppInfo,
  SphereAuditRecord,
  SphereCloudState,
  SphereDeviceInfo,
  SphereEvent,
  SphereLogEntry,
  SphereWorldState,
} from '../protocol/rest-api.js'
import {isActiveState} from '../protocol/app-state.js'
import {blinkHz, formatHz, type PinActivityFields} from '../protocol/pin-activity.js'

/** How the monitor's link to the device is doing. */
export type ConnectionState =
  | {status: 'connecting'; attempt: number}
  | {status: 'live'; since: number}
  | {status: 'reconnecting'; attempt: number; error: string; retryInMs: number}
  | {status: 'stopped'}

/** What each app has used and been denied, folded from LSM audit records. */
export interface AppUsage {
  /** Capabilities exercised by allowed operations, e.g. `Gpio:8`, `MutableStorage`. */
  used: string[]
  /** Denied operations, as `operation object` -> count. */
  denied: Record<string, number>
}

/** Everything the monitor shows, folded from the event stream. Replaced (never mutated) on change. */
export interface MonitorState {
  connection: ConnectionState
  device: SphereDeviceInfo | undefined
  /** Host time (ms) at which `device` was received; the header advances uptime from it. */
  deviceReceivedAt: number
  apps: SphereAppInfo[]
  world: SphereWorldState | undefined
  /** Host time (ms) at which `world` was received (the board panel advances the device clock from it). */
  worldReceivedAt: number
  /** Most recent audit records, oldest first, at most `AUDIT_KEEP`. */
  audit: SphereAuditRecord[]
  /** Log tail per component ID, oldest first, at most `LOG_KEEP` each. */
  logs: Record<string, SphereLogEntry[]>
  /** Capability use per component ID. */
  usage: Record<string, AppUsage>
  /** Number of events applied since the monitor started (all connections). */
  eventCount: number
}

export const AUDIT_KEEP = 200
export const LOG_KEEP = 200

/** The state before anything was received. */
export function initialState(): MonitorState {
  return {
    connection: {status: 'connecting', attempt: 0},
    device: undefined,
    deviceReceivedAt: 0,
    apps: [],
    world: undefined,
    worldReceivedAt: 0,
    audit: [],
    logs: {},
    usage: {},
    eventCount: 0,
  }
}

/**
 * Check that a line from the stream is a known event. Unknown types and malformed lines return undefined
 * (a newer device may send more types; the monitor ignores what it does not know).
 */
export function parseEvent(raw: unknown): SphereEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const e = raw as Record<string, unknown>
  const obj = (v: unknown): boolean => typeof v === 'object' && v !== null
  switch (e.type) {
    case 'snapshot':
      return obj(e.device) && Array.isArray(e.apps) ? (e as unknown as SphereEvent) : undefined
    case 'device':
      return obj(e.device) ? (e as unknown as SphereEvent) : undefined
    case 'apps':
      return Array.isArray(e.apps) ? (e as unknown as SphereEvent) : undefined
    case 'audit':
      return obj(e.record) ? (e as unknown as SphereEvent) : undefined
    case 'log':
      return typeof e.componentId === 'string' && obj(e.entry) ? (e as unknown as SphereEvent) : undefined
    case 'world':
      return obj(e.world) ? (e as unknown as SphereEvent) : undefined
    case 'heartbeat':
      return e as unknown as SphereEvent
    default:
      return undefined
  }
}

/** Fold one event into the state. A `snapshot` starts a fresh picture (the device may have rebooted). */
export function applyEvent(s: MonitorState, e: SphereEvent, now: number): MonitorState {
  const eventCount = s.eventCount + 1
  switch (e.type) {
    case 'snapshot':
      return {
        ...s,
        connection: {status: 'live', since: now},
        device: e.device,
        deviceReceivedAt: now,
        apps: e.apps,
        world: e.world,
        worldReceivedAt: now,
        audit: [],
        logs: {},
        usage: {},
        eventCount,
      }
    case 'device':
      return {...s, device: e.device, deviceReceivedAt: now, eventCount}
    case 'apps':
      return {...s, apps: e.apps, eventCount}
    case 'world':
      return {...s, world: e.world, worldReceivedAt: now, eventCount}
    case 'audit':
      return {...addAudit(s, [e.record]), eventCount}
    case 'log':
      return {...addLogs(s, e.componentId, [e.entry]), eventCount}
    case 'heartbeat':
      // Nothing to show: keep the same state object so no frame is drawn.
      return s
  }
}

/** Merge audit records (from the stream or a backfill), dropping ones already seen, keeping order by seq. */
export function addAudit(s: MonitorState, records: readonly SphereAuditRecord[]): MonitorState {
  const seen = new Set(s.audit.map((r) => r.seq))
  const fresh = records.filter((r) => !seen.has(r.seq))
  if (fresh.length === 0) return s
  let audit = [...s.audit, ...fresh]
  if (
    fresh.some((r, i) => i > 0 && r.seq < (fresh[i - 1] as SphereAuditRecord).seq) ||
    (s.audit.length > 0 && (fresh[0] as SphereAuditRecord).seq < (s.audit.at(-1) as SphereAuditRecord).seq)
  ) {
    audit.sort((a, b) => a.seq - b.seq)
  }
  if (audit.length > AUDIT_KEEP) audit = audit.slice(audit.length - AUDIT_KEEP)
  const usage = {...s.usage}
  for (const r of fresh) {
    const cid = auditComponentId(r)
    if (cid === undefined) continue
    const prev = usage[cid] ?? {used: [], denied: {}}
    if (r.allowed) {
      const cap = capabilityForAudit(r)
      if (cap !== undefined && !prev.used.includes(cap)) usage[cid] = {...prev, used: [...prev.used, cap].sort()}
    } else {
      const key = `${r.operation} ${r.object}`.trim()
      usage[cid] = {...prev, denied: {...prev.denied, [key]: (prev.denied[key] ?? 0) + 1}}
    }
  }
  return {...s, audit, usage}
}

/** Merge log entries for one app, dropping ones already seen (by seq). */
export function addLogs(s: MonitorState, componentId: string, entries: readonly SphereLogEntry[]): MonitorState {
  const cid = componentId.toLowerCase()
  const prev = s.logs[cid] ?? []
  const seen = new Set(prev.map((e) => e.seq))
  const fresh = entries.filter((e) => !seen.has(e.seq))
  if (fresh.length === 0 && s.logs[cid]) return s
  let next = [...prev, ...fresh]
  if (prev.length > 0 && fresh.length > 0 && (fresh[0] as SphereLogEntry).seq < (prev.at(-1) as SphereLogEntry).seq)
    next.sort((a, b) => a.seq - b.seq)
  if (next.length > LOG_KEEP) next = next.slice(next.length - LOG_KEEP)
  return {...s, logs: {...s.logs, [cid]: next}}
}

/** The component ID an audit record's subject names (`app:<componentId>`), if it is an app. */
export function auditComponentId(r: SphereAuditRecord): string | undefined {
  const m = /^app:([0-9a-fA-F-]{36})$/.exec(r.subject)
  return m ? (m[1] as string).toLowerCase() : undefined
}

/** `gpio=8 isu=ISU0` -> {gpio: '8', isu: 'ISU0'} */
function objectFields(object: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of object.split(/\s+/)) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1)
  }
  return out
}

/**
 * The manifest capability an allowed operation exercised, named as the LSM names it
 * (`Gpio:8`, `Uart:ISU0`, `AllowedConnections:example.com`, `MutableStorage`, `SystemTime`), or
 * undefined for operations that need no capability (reading the app's own package, signalling itself).
 */
export function capabilityForAudit(r: Pick<SphereAuditRecord, 'operation' | 'object'>): string | undefined {
  const f = objectFields(r.object)
  switch (r.operation) {
    case 'gpio.open':
      return `Gpio:${f.gpio ?? '?'}`
    case 'uart.open':
      return `Uart:${f.isu ?? '?'}`
    case 'i2c.open':
      return `I2cMaster:${f.isu ?? '?'}`
    case 'spi.open':
      return `SpiMaster:${f.isu ?? '?'}`
    case 'pwm.open':
      return `Pwm:${f.controller ?? '?'}`
    case 'adc.open':
      return `Adc:${f.controller ?? '?'}`
    case 'storage.open':
    case 'storage.delete':
      return 'MutableStorage'
    case 'net.connect':
      return `AllowedConnections:${(f.host ?? '?').toLowerCase()}`
    case 'net.listen':
      return f.protocol === 'udp' ? `AllowedUdpServerPorts:${f.port ?? '?'}` : `AllowedTcpServerPorts:${f.port ?? '?'}`
    case 'app.connect':
      return `AllowedApplicationConnections:${(f.componentId ?? '?').toLowerCase()}`
    case 'time.set':
      return 'SystemTime'
    case 'power.control':
      return `PowerControls:${f.action ?? '?'}`
    default:
      return undefined
  }
}

/** Normal form for comparing capability names: no spaces, lower case, `Gpio: 8` == `gpio:8`. */
function capKey(c: string): string {
  return c.replace(/\s+/g, '').toLowerCase()
}

/** One declared capability and whether the app has used it. */
export interface CapabilityRow {
  capability: string
  used: boolean
}

/**
 * Declared capabilities next to their use. A declared entry without a value (`Gpio`) counts as used when
 * any of its values was used; used capabilities that were not declared are listed too (flagged).
 */
export function capabilityRows(
  declared: readonly string[],
  usage: AppUsage | undefined,
): {rows: CapabilityRow[]; undeclaredUsed: string[]} {
  const used = usage?.used ?? []
  const usedKeys = new Set(used.map(capKey))
  const declaredKeys = new Set(declared.map(capKey))
  const rows = declared.map((c) => {
    const k = capKey(c)
    const hit = usedKeys.has(k) || (!k.includes(':') && [...usedKeys].some((u) => u.startsWith(k + ':')))
    return {capability: c, used: hit}
  })
  const undeclaredUsed = used.filter((u) => {
    const k = capKey(u)
    return !declaredKeys.has(k) && !declaredKeys.has(k.split(':')[0] as string)
  })
  return {rows, undeclaredUsed}
}

// ---- formatting ----

/** `1536` -> `1.5K`, `262144` -> `256K`, `4194304` -> `4.0M` (binary units, short). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?'
  if (n < 1024) return `${Math.round(n)}B`
  const k = n / 1024
  if (k < 10) return `${k.toFixed(1)}K`
  if (k < 1024) return `${Math.round(k)}K`
  const m = k / 1024
  return m < 10 ? `${m.toFixed(1)}M` : `${Math.round(m)}M`
}

/** A bar `width` cells wide for fraction `f` (0..1) with an optional peak marker. Plain characters only. */
export function bar(f: number, width: number, peak?: number): string {
  const w = Math.max(1, Math.floor(width))
  const clamp = (x: number): number => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0))
  const fill = Math.round(clamp(f) * w)
  const cells: string[] = Array.from({length: w}, (_, i) => (i < fill ? '█' : '░'))
  if (peak !== undefined && peak > 0) {
    const p = Math.min(w - 1, Math.max(0, Math.round(clamp(peak) * w) - 1))
    if (p >= fill) cells[p] = '▏'
  }
  return cells.join('')
}

/** Seconds -> `3d04h`, `1h02m`, `4m05s`, `12s`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const two = (x: number): string => String(x).padStart(2, '0')
  if (d > 0) return `${d}d${two(h)}h`
  if (h > 0) return `${h}h${two(m)}m`
  if (m > 0) return `${m}m${two(sec)}s`
  return `${sec}s`
}

/** The device's uptime now, advanced from when its info was received. */
export function currentUptime(
  s: Pick<MonitorState, 'device' | 'deviceReceivedAt' | 'connection'>,
  now: number,
): number {
  if (!s.device) return 0
  const live = s.connection.status === 'live'
  return s.device.uptime + (live ? Math.max(0, now - s.deviceReceivedAt) / 1000 : 0)
}

/** `0.4321` -> ` 43%`; cpuShare may be 0..1 or already a percentage (>1). */
export function formatPercent(share: number): string {
  const pct = share > 1 ? share : share * 100
  return `${Math.round(Number.isFinite(pct) ? pct : 0)}%`
}

/** Cut `s` to `width` columns, ending with `…` when cut. */
export function fit(s: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return ''
  if (s.length <= width) return s
  return width === 1 ? ellipsis : s.slice(0, width - 1) + ellipsis
}

/** Cut `s` to `width` columns in the middle (`3f2a9c1b~77e0d1aa`), keeping both ends of an ID. */
export function elideMiddle(s: string, width: number, mark = '~'): string {
  if (s.length <= width) return s
  if (width <= 2) return s.slice(0, Math.max(0, width))
  const head = Math.ceil((width - 1) / 2)
  return s.slice(0, head) + mark + s.slice(s.length - (width - 1 - head))
}

/** Pad or cut `s` to exactly `width` columns. */
export function cell(s: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  const f = fit(s, width, ellipsis)
  return align === 'left' ? f.padEnd(width) : f.padStart(width)
}

/** Apps matching a filter (case-insensitive substring of name, component ID or state). */
export function filterApps(apps: readonly SphereAppInfo[], filter: string): SphereAppInfo[] {
  const f = filter.trim().toLowerCase()
  if (f === '') return [...apps]
  return apps.filter(
    (a) =>
      a.name.toLowerCase().includes(f) || a.componentId.toLowerCase().includes(f) || a.state.toLowerCase().includes(f),
  )
}

/** True when the app is running in some form (so `s` stops it). */
export function isActive(state: SphereAppInfo['state']): boolean {
  return isActiveState(state)
}

/** One physical RGB LED of the board (three GPIO LEDs sharing a prefix), with the colour it shows. */
export interface LedGroup {
  name: string
  /** Lit channels, e.g. ['red', 'blue']. */
  lit: string[]
  /** The mixed colour name: off, red, green, blue, yellow, magenta, cyan, white. */
  color: string
  /** Channels blinking now, with their rate (Hz); empty when the LED is steady. */
  blinking: {color: string; hz: number}[]
  /** Level changes of its channels so far. */
  transitions: number
}

const MIX: Record<string, string> = {
  '': 'off',
  red: 'red',
  green: 'green',
  blue: 'blue',
  'green+red': 'yellow',
  'blue+red': 'magenta',
  'blue+green': 'cyan',
  'blue+green+red': 'white',
}

/**
 * Group the world's LEDs by prefix (`LED1_RED` ... -> `LED1`) and mix each group's colour. `nowMs` is the
 * device's virtual time now (default: the state's own `virtualTimeMs`): a channel that has not changed for a
 * while is steady again, even when no newer world state has arrived.
 */
export function ledGroups(world: SphereWorldState | undefined, nowMs?: number): LedGroup[] {
  const groups = new Map<string, LedGroup>()
  const now = nowMs ?? world?.virtualTimeMs ?? 0
  for (const led of world?.leds ?? []) {
    const m = /^(.*)_(RED|GREEN|BLUE)$/i.exec(led.name)
    const name = m ? (m[1] as string) : led.name
    let g = groups.get(name)
    if (!g) groups.set(name, (g = {name: name.replace(/_LED$/, ''), lit: [], color: 'off', blinking: [], transitions: 0}))
    const color = (led.color || (m?.[2] ?? '')).toLowerCase()
    if (led.on) g.lit.push(color)
    g.transitions += led.transitions ?? 0
    const hz = activityHz(led, now)
    if (hz !== null) g.blinking.push({color, hz})
  }
  return [...groups.values()].map((g) => {
    const key = [...new Set(g.lit)].sort().join('+')
    return {...g, color: MIX[key] ?? key}
  })
}

/** The blink rate of a pin or LED entry of the world state at `nowMs`, or null when steady (or unknown). */
export function activityHz(p: Partial<PinActivityFields>, nowMs: number): number | null {
  if (p.transitions === undefined) return null
  return blinkHz({transitions: p.transitions, lastChangeMs: p.lastChangeMs ?? null, periodMs: p.periodMs ?? null}, nowMs)
}

/** `LED1 red blinking 4.0 Hz`, `LED2 green steady on`, `LED3 steady off` (the mark is drawn apart). */
export function ledText(g: LedGroup): string {
  if (g.blinking.length > 0) {
    const hz = Math.max(...g.blinking.map((b) => b.hz))
    return `${g.name} ${[...new Set(g.blinking.map((b) => b.color))].join('+')} blinking ${formatHz(hz)}`
  }
  return g.color === 'off' ? `${g.name} steady off` : `${g.name} ${g.color} steady on`
}

/** The mark for an LED: ◐ blinking, ● steady on, ○ steady off. */
export function ledMark(g: LedGroup): string {
  return g.blinking.length > 0 ? '◐' : g.color === 'off' ? '○' : '●'
}

/** The board in short lines (shared by the Ink panel and the text snapshot). */
export interface BoardSummary {
  /** LEDs that are lit or blinking, one line each. */
  leds: {group: LedGroup; mark: string; text: string; toggles: string}[]
  /** Names of the LEDs steady off. */
  off: string[]
  /** `A up, 2 presses  B down, 1 press` */
  buttons: string
  /** `out 8 blinking 4.0 Hz, 9=1 | in 12=1` */
  pins: string
  /** `PWM-CONTROLLER-0.1 (GPIO 1) duty 25.0%`, empty when no PWM channel was applied */
  pwm: string
}

export function boardSummary(world: SphereWorldState | undefined, nowMs?: number): BoardSummary {
  const now = nowMs ?? world?.virtualTimeMs ?? 0
  const groups = ledGroups(world, now)
  const shown = groups.filter((g) => g.blinking.length > 0 || g.color !== 'off')
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`
  const buttons = (world?.buttons ?? [])
    .map((b) => `${b.name} ${b.pressed ? 'DOWN' : 'up'}${b.presses !== undefined ? `, ${b.presses} ${b.presses === 1 ? 'press' : 'presses'}` : ''}`)
    .join('  ')
  const pin = (g: SphereWorldState['gpios'][number]): string => {
    // an input (a button) is pressed, not blinked
    const hz = g.direction === 'out' ? activityHz(g, now) : null
    return hz !== null ? `${g.id} blinking ${formatHz(hz)}` : `${g.id}=${g.level}`
  }
  const used = (world?.gpios ?? []).filter((g) => g.direction !== 'unused')
  const outs = used.filter((g) => g.direction === 'out').map(pin)
  const ins = used.filter((g) => g.direction === 'in').map(pin)
  const pins = [outs.length ? `out ${outs.join(', ')}` : '', ins.length ? `in ${ins.join(', ')}` : ''].filter(Boolean).join(' | ')
  return {
    leds: shown.map((g) => ({group: g, mark: ledMark(g), text: ledText(g), toggles: plural(g.transitions, 'toggle')})),
    off: groups.filter((g) => !shown.includes(g)).map((g) => g.name),
    buttons,
    pins,
    pwm: pwmText(world),
  }
}

function pwmText(world: SphereWorldState | undefined): string {
  const chans = Array.isArray(world?.pwm)
    ? (world.pwm as {controller: string; channel: number; gpio?: number; enabled: boolean; dutyPercent: number}[])
    : []
  return chans
    .map((c) => `${c.controller}.${c.channel}${c.gpio !== undefined ? ` (GPIO ${c.gpio})` : ''} ${c.enabled ? `duty ${c.dutyPercent}%` : 'disabled'}`)
    .join(', ')
}

/** The device's virtual time now: the world state's clock, advanced by the host time since it was received. */
export function worldNow(s: Pick<MonitorState, 'world' | 'worldReceivedAt' | 'device'>, now: number): number {
  const base = s.world?.virtualTimeMs ?? 0
  const speed = s.device?.clock?.mode === 'realtime' ? (s.device.clock.speed ?? 1) : 1
  return base + Math.max(0, now - s.worldReceivedAt) * speed
}

/** The header facts as short strings (shared by the Ink header and the text snapshot). */
export function headerFacts(
  s: Pick<MonitorState, 'device' | 'deviceReceivedAt' | 'connection'>,
  now: number,
): {
  deviceId: string
  osVersion: string
  uptime: string
  capabilities: string
  manufacturingState: string
  clock: string
  /** The apps' Azure IoT connection in one phrase (absent: no app has an IoT client). */
  cloud: CloudSummary | undefined
} {
  const d = s.device
  if (!d)
    return {
      deviceId: '-',
      osVersion: '-',
      uptime: '-',
      capabilities: '-',
      manufacturingState: '-',
      clock: '-',
      cloud: undefined,
    }
  const speed = d.clock?.speed ?? 1
  const mode = d.clock?.mode === 'fast-forward' ? 'fast-fwd' : 'realtime'
  return {
    deviceId: d.deviceId,
    osVersion: d.osVersion,
    uptime: formatUptime(currentUptime(s, now)),
    capabilities: d.capabilities.length > 0 ? d.capabilities.join(',') : 'none',
    manufacturingState: d.manufacturingState,
    clock: `${mode} x${Number.isInteger(speed) ? speed : speed.toFixed(1)}`,
    cloud: cloudSummary(d.cloud ?? []),
  }
}

/** The header's cloud fact: the state of the app whose connection is worst, with its reason when not connected. */
export interface CloudSummary {
  state: SphereCloudState['state']
  text: string
}

const CLOUD_ORDER: readonly SphereCloudState['state'][] = ['retrying', 'connecting', 'disconnected', 'connected']

export function cloudSummary(states: readonly SphereCloudState[]): CloudSummary | undefined {
  if (states.length === 0) return undefined
  const worst = [...states].sort((a, b) => CLOUD_ORDER.indexOf(a.state) - CLOUD_ORDER.indexOf(b.state))[0]!
  const up = states.filter((c) => c.state === 'connected').length
  const reason = worst.state === 'connected' || worst.reason === 'OK' ? '' : ` ${worst.reason}`
  const count = states.length > 1 ? ` (${up}/${states.length} up)` : ''
  return {state: worst.state, text: `${worst.state}${reason} ${worst.host}${count}`}
}
