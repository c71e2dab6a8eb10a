/**
 * The trace of a run: what a device did that a test compares, with virtual timestamps. One entry per app log
 * line, LSM decision (audit record), pin change, peripheral change, process state change and app lifecycle
 * event, each stamped with the boot it happened in and the virtual time of that boot's clock (ns).
 *
 * Two runs of the same inputs give the same trace, line for line (record / replay, snapshot restore); a trace
 * is written as JSON Lines with a fixed key order so files can be compared with `cmp` or `diff`.
 */
import type {OsEvent, OsEventType} from '../kernel/events.js'

export type TraceEntry =
  | {boot: number; t: number; kind: 'log'; app: string; stream: string; text: string}
  | {boot: number; t: number; kind: 'audit'; subject: string; operation: string; object: string; allowed: boolean; reason: string; errno?: number}
  | {boot: number; t: number; kind: 'pin'; gpio: number; level: number; source: string}
  | {boot: number; t: number; kind: 'peripheral'; path: string; value: unknown; source: string}
  | {boot: number; t: number; kind: 'process'; app: string; pid: number; state: string; exitCode?: number; reason?: string}
  | {boot: number; t: number; kind: 'app'; app: string; action: string; detail?: string}

/** The event types a trace is made of. */
export type TraceKind = TraceEntry['kind']

/** The event types a trace keeps. */
export const TRACE_EVENTS: readonly OsEventType[] = ['log', 'audit', 'gpio', 'peripheral', 'process', 'app']

/** The trace entry of a kernel event (undefined for events a trace leaves out). */
export function traceEntry(e: OsEvent, boot: number): TraceEntry | undefined {
  switch (e.type) {
    case 'log':
      return {boot, t: e.t, kind: 'log', app: e.componentId, stream: e.stream, text: e.line}
    case 'audit': {
      const r = e.record
      return {
        boot,
        t: r.t,
        kind: 'audit',
        subject: r.subject,
        operation: r.operation,
        object: r.object,
        allowed: r.allowed,
        reason: r.reason,
        ...(r.errno !== undefined ? {errno: r.errno} : {}),
      }
    }
    case 'gpio':
      return {boot, t: e.t, kind: 'pin', gpio: e.gpio, level: e.level, source: e.source}
    case 'peripheral':
      return {boot, t: e.t, kind: 'peripheral', path: e.path, value: e.value, source: e.source}
    case 'process':
      return {
        boot,
        t: e.t,
        kind: 'process',
        app: e.componentId,
        pid: e.pid,
        state: e.state,
        ...(e.exitCode !== undefined ? {exitCode: e.exitCode} : {}),
        ...(e.reason !== undefined ? {reason: e.reason} : {}),
      }
    case 'app':
      return {boot, t: e.t, kind: 'app', app: e.componentId, action: e.action, ...(e.detail !== undefined ? {detail: e.detail} : {})}
    default:
      return undefined
  }
}

/** One line of a trace file. */
export function traceLine(e: TraceEntry): string {
  return JSON.stringify(e)
}

/** A whole trace file: one line per entry, newline-terminated. */
export function traceText(entries: readonly TraceEntry[]): string {
  return entries.map((e) => traceLine(e) + '\n').join('')
}

/** Parse a trace file (JSON Lines); throws naming the first bad line. */
export function parseTrace(text: string): TraceEntry[] {
  const out: TraceEntry[] = []
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch {
      throw new Error(`trace line ${i + 1} is not JSON`)
    }
    if (v === null || typeof v !== 'object' || typeof (v as {t?: unknown}).t !== 'number' || typeof (v as {kind?: unknown}).kind !== 'string')
      throw new Error(`trace line ${i + 1} is not a trace entry (needs t and kind)`)
    out.push(v as TraceEntry)
  })
  return out
}

export interface TraceDifference {
  /** 0-based index of the first entry that differs. */
  index: number
  expected?: TraceEntry
  actual?: TraceEntry
}

/** The first place two traces differ (undefined: identical). Entries compare as their trace lines. */
export function firstDifference(expected: readonly TraceEntry[], actual: readonly TraceEntry[]): TraceDifference | undefined {
  const n = Math.max(expected.length, actual.length)
  for (let i = 0; i < n; i++) {
    const a = expected[i]
    const b = actual[i]
    if (a === undefined || b === undefined || traceLine(a) !== traceLine(b)) return {index: i, expected: a, actual: b}
  }
  return undefined
}

/** Describe a difference in one line (for reports and errors). */
export function describeDifference(d: TraceDifference): string {
  const show = (e?: TraceEntry) => (e ? traceLine(e) : '(nothing)')
  return `the traces differ at entry ${d.index + 1}: expected ${show(d.expected)}, got ${show(d.actual)}`
}
