/**
 * The monitor's link to one device: follows the event stream, reconnects, and holds the folded state.
 *
 * The store never polls: it keeps one GET /sphere/events open, folds each line with `applyEvent`, and
 * only asks for history (the audit log, an app's log) once per connection to fill the panels. When the
 * stream ends, fails, or goes silent past the heartbeat timeout, it shows `reconnecting` and retries with
 * backoff until the device answers again (a restarted simulator daemon comes back on the same socket).
 */
import type {SphereAuditRecord, SphereLogEntry} from '../protocol/rest-api.js'
import {addAudit, addLogs, applyEvent, initialState, parseEvent, type MonitorState} from './model.js'

/**
 * What the monitor needs from a device: the event stream plus the few actions its keys trigger.
 * `DeviceClient` (src/device) satisfies it as is; tests pass a fake.
 */
export interface MonitorSource {
  /** Stream events (NDJSON lines, parsed) until the stream ends or `signal` aborts. Rejects on link errors. */
  events(onEvent: (e: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void>
  setAppState(componentId: string, trigger: 'start' | 'stop'): Promise<unknown>
  deleteApp(componentId: string): Promise<unknown>
  press(button: string): Promise<unknown>
  appLog(componentId: string, since?: number): Promise<SphereLogEntry[]>
  audit(since?: number): Promise<SphereAuditRecord[]>
}

export interface MonitorStoreOptions {
  /** Host clock (ms). */
  now?: () => number
  /** First retry delay after the link drops (doubles up to `retryMaxMs`). */
  retryMinMs?: number
  retryMaxMs?: number
  /** Reconnect when no line (not even a heartbeat) arrived for this long. The device beats every 5 s. */
  heartbeatTimeoutMs?: number
}

/** Holds the state of one monitored device and keeps it current. */
export class MonitorStore {
  private state: MonitorState = initialState()
  private readonly listeners = new Set<(s: MonitorState) => void>()
  private running = false
  private abort: AbortController | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private wakeRetry: (() => void) | undefined
  private readonly logsRequested = new Set<string>()
  private generation = 0
  private readonly now: () => number
  private readonly retryMinMs: number
  private readonly retryMaxMs: number
  private readonly heartbeatTimeoutMs: number

  constructor(
    readonly source: MonitorSource,
    opts: MonitorStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now
    this.retryMinMs = opts.retryMinMs ?? 250
    this.retryMaxMs = opts.retryMaxMs ?? 2000
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 12_000
  }

  getState(): MonitorState {
    return this.state
  }

  /** Be told of every state change. Returns the unsubscribe function. */
  subscribe(fn: (s: MonitorState) => void): () => void {
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
  }

  /** Start following the device (idempotent). */
  start(): void {
    if (this.running) return
    this.running = true
    void this.loop()
  }

  /** Stop following and close the stream. */
  stop(): void {
    this.running = false
    this.abort?.abort()
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.wakeRetry?.()
    this.set({...this.state, connection: {status: 'stopped'}})
  }

  /** Resolves with the state once the first snapshot arrived, or rejects after `timeoutMs`. */
  whenLive(timeoutMs: number): Promise<MonitorState> {
    if (this.state.device && this.state.connection.status === 'live') return Promise.resolve(this.state)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        const c = this.state.connection
        reject(new Error(c.status === 'reconnecting' ? c.error : 'no snapshot from the device'))
      }, timeoutMs)
      const off = this.subscribe((s) => {
        if (s.device && s.connection.status === 'live') {
          clearTimeout(timer)
          off()
          resolve(s)
        }
      })
    })
  }

  /** Make sure the log tail of an app is filled from its history (once per connection). */
  ensureLog(componentId: string): void {
    const cid = componentId.toLowerCase()
    if (this.state.connection.status !== 'live' || this.logsRequested.has(cid)) return
    this.logsRequested.add(cid)
    const gen = this.generation
    this.source.appLog(cid, 0).then(
      (entries) => {
        if (gen === this.generation) this.set(addLogs(this.state, cid, entries))
      },
      () => this.logsRequested.delete(cid),
    )
  }

  private set(next: MonitorState): void {
    if (next === this.state) return
    this.state = next
    for (const fn of [...this.listeners]) fn(next)
  }

  private async loop(): Promise<void> {
    let attempt = 0
    while (this.running) {
      const ac = new AbortController()
      this.abort = ac
      let watchdog: NodeJS.Timeout | undefined
      const arm = (): void => {
        if (watchdog) clearTimeout(watchdog)
        watchdog = setTimeout(() => ac.abort(), this.heartbeatTimeoutMs)
      }
      let gotSnapshot = false
      let error = 'the device closed the event stream'
      arm()
      try {
        await this.source.events((raw) => {
          if (ac.signal.aborted) return
          arm()
          const e = parseEvent(raw)
          if (!e) return
          if (e.type === 'snapshot') {
            gotSnapshot = true
            attempt = 0
            this.generation++
            this.logsRequested.clear()
            this.set(applyEvent(this.state, e, this.now()))
            this.backfillAudit()
          } else if (gotSnapshot) {
            this.set(applyEvent(this.state, e, this.now()))
          }
        }, ac.signal)
        if (ac.signal.aborted && this.running) error = 'no heartbeat from the device'
      } catch (e) {
        error = e instanceof Error ? e.message : String(e)
      } finally {
        if (watchdog) clearTimeout(watchdog)
      }
      if (!this.running) break
      attempt++
      const retryInMs = Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(10, attempt - 1))
      this.set({...this.state, connection: {status: 'reconnecting', attempt, error, retryInMs}})
      await new Promise<void>((resolve) => {
        this.wakeRetry = resolve
        this.retryTimer = setTimeout(resolve, retryInMs)
      })
      this.wakeRetry = undefined
    }
  }

  private backfillAudit(): void {
    const gen = this.generation
    this.source.audit(0).then(
      (records) => {
        if (gen === this.generation && Array.isArray(records)) this.set(addAudit(this.state, records))
      },
      () => undefined,
    )
  }
}
