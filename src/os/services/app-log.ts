import type {EventBus} from '../kernel/events.js'
import type {StateStore} from '../storage/state-store.js'

const RING_BYTES = 64 * 1024
const MAX_LINE = 1024
/** At most this many log events per app per virtual second reach the event bus (a flood is summarised). */
const EVENTS_PER_SECOND = 200

interface AppLogState {
  /** Lines (with their newline) from index `head` on; `bytes` counts their length. */
  lines: string[]
  head: number
  bytes: number
  partial: string
  dirty: boolean
  windowStart: number
  windowCount: number
  dropped: number
  pid: number
}

/**
 * Each app's stdout, stderr and Log_Debug output: a ring buffer (last 64 KiB) in memory, flushed atomically
 * to logs/<cid>.log, and one `log` event per line on the bus (rate-limited so a flood cannot swamp it).
 */
export class AppLogs {
  private readonly logs = new Map<string, AppLogState>()

  constructor(
    private readonly store: StateStore,
    private readonly bus: EventBus,
    private readonly now: () => number,
  ) {}

  private state(cid: string): AppLogState {
    let s = this.logs.get(cid)
    if (!s) {
      const old = this.store.readLog(cid)
      s = {
        lines: old ? [old] : [],
        head: 0,
        bytes: old.length,
        partial: '',
        dirty: false,
        windowStart: 0,
        windowCount: 0,
        dropped: 0,
        pid: 0,
      }
      this.logs.set(cid, s)
    }
    return s
  }

  append(cid: string, pid: number, data: Uint8Array): void {
    const s = this.state(cid)
    s.pid = pid
    const chunk = s.partial + new TextDecoder().decode(data)
    const lines = chunk.split('\n')
    s.partial = lines.pop() ?? ''
    if (s.partial.length > MAX_LINE) {
      lines.push(s.partial)
      s.partial = ''
    }
    for (const raw of lines) this.line(cid, s, raw.slice(0, MAX_LINE))
  }

  /** Add a line written by the OS about the app (start, crash, restart). */
  system(cid: string, line: string): void {
    this.line(cid, this.state(cid), `[os] ${line}`)
  }

  private line(cid: string, s: AppLogState, line: string): void {
    const l = `${line}\n`
    s.lines.push(l)
    s.bytes += l.length
    while (s.bytes > RING_BYTES && s.head < s.lines.length - 1) s.bytes -= s.lines[s.head++]!.length
    if (s.head > 4096) {
      s.lines = s.lines.slice(s.head)
      s.head = 0
    }
    s.dirty = true
    const now = this.now()
    if (now - s.windowStart >= 1_000_000_000) {
      if (s.dropped > 0) this.bus.emit({type: 'log-dropped', componentId: cid, pid: s.pid, dropped: s.dropped})
      s.windowStart = now
      s.windowCount = 0
      s.dropped = 0
    }
    if (++s.windowCount <= EVENTS_PER_SECOND) this.bus.emit({type: 'log', componentId: cid, pid: s.pid, line})
    else s.dropped++
  }

  /** The app's log text (most recent 64 KiB). */
  read(cid: string): string {
    const s = this.state(cid)
    return this.text(s) + s.partial
  }

  private text(s: AppLogState): string {
    const t = s.lines.slice(s.head).join('')
    return t.length > RING_BYTES ? t.slice(t.length - RING_BYTES) : t
  }

  clear(cid: string): void {
    this.logs.delete(cid)
  }

  /** Write dirty logs to disk (atomic per file). */
  flush(): void {
    for (const [cid, s] of this.logs) {
      if (!s.dirty) continue
      s.dirty = false
      this.store.writeLog(cid, this.text(s))
    }
  }
}
