/** The kernel event bus: typed events the monitor, the REST server and tests consume. */

export type ProcessState = 'running' | 'blocked' | 'stopped' | 'crashed' | 'debugging'

/** Who wrote a log line: the app (stdout, stderr, Log_Debug as stdout) or the OS about the app. */
export type LogStream = 'stdout' | 'stderr' | 'system'

export interface AuditRecord {
  seq: number
  /** Monotonic virtual time (ns since boot). */
  t: number
  /** Who asked: `app:<componentId>` (with pid) or `host:<name>`. */
  subject: string
  pid?: number
  operation: string
  object: string
  allowed: boolean
  reason: string
  errno?: number
  /** Identical denials folded into this record (absent: 1); `lastT` is the time of the latest. */
  count?: number
  lastT?: number
  /** On the first denial of its kind (operation and errno) by its subject: every denial of that kind since. */
  kindTotal?: number
  /** Restored from the persisted tail: recorded in an earlier boot (`t` is that boot's clock). */
  previousBoot?: true
}

export type OsEventBody =
  | {type: 'process'; pid: number; componentId: string; state: ProcessState; exitCode?: number; reason?: string}
  | {type: 'memory'; pid: number; componentId: string; bytes: number; peakBytes: number; totalBytes: number}
  | {type: 'audit'; record: AuditRecord}
  | {type: 'gpio'; gpio: number; level: 0 | 1; source: 'app' | 'external'}
  /** A peripheral-side value changed (world path such as `pwm.2.1`, `adc.0.0`, `uarts.ISU0.settings`). */
  | {type: 'peripheral'; path: string; value: unknown; source: 'app' | 'external'}
  /** A line of an app's log; `stream` says who wrote it (the app, or the OS: 'system'), never the text. */
  | {type: 'log'; componentId: string; pid: number; line: string; stream: LogStream}
  | {type: 'log-dropped'; componentId: string; pid: number; dropped: number}
  | {
      type: 'app'
      componentId: string
      action: 'installed' | 'uninstalled' | 'started' | 'stopped' | 'restart-scheduled'
      detail?: string
    }

export type OsEvent = OsEventBody & {seq: number; t: number}
export type OsEventType = OsEvent['type']

export class EventBus {
  private seq = 0
  private readonly listeners = new Set<(e: OsEvent) => void>()
  /** Subscribers to every type, and per type the subscribers that asked for it: what `hasListeners` reads. */
  private everyType = 0
  private readonly perType = new Map<OsEventType, number>()
  private readonly now: () => number

  constructor(now: () => number) {
    this.now = now
  }

  /**
   * Whether any subscriber takes events of `type`. An emitter on a hot path (a GPIO change) checks it before
   * it builds the event's body, and calls `skip()` instead of `emit` when nobody does.
   */
  hasListeners(type: OsEventType): boolean {
    return this.everyType > 0 || this.perType.has(type)
  }

  /** An event nobody takes: it still uses its sequence number, so `seq` counts every event as before. */
  skip(): void {
    this.seq++
  }

  emit(body: OsEventBody): void {
    const seq = ++this.seq
    if (!this.hasListeners(body.type)) return
    const e = {...body, seq, t: this.now()} as OsEvent
    for (const fn of this.listeners) {
      try {
        fn(e)
      } catch {
        // a faulty subscriber never harms the kernel
      }
    }
  }

  /** Subscribe to every event (optionally only some types). Returns the unsubscribe function. */
  subscribe(fn: (e: OsEvent) => void, types?: readonly OsEventType[]): () => void {
    const filter = types ? new Set<OsEventType>(types) : undefined
    const l = filter ? (e: OsEvent) => (filter.has(e.type) ? fn(e) : undefined) : fn
    this.listeners.add(l)
    this.count(filter, 1)
    return () => {
      if (this.listeners.delete(l)) this.count(filter, -1)
    }
  }

  private count(filter: Set<OsEventType> | undefined, by: 1 | -1): void {
    if (!filter) {
      this.everyType += by
      return
    }
    for (const t of filter) {
      const n = (this.perType.get(t) ?? 0) + by
      if (n > 0) this.perType.set(t, n)
      else this.perType.delete(t)
    }
  }
}
