import type {EventBus, LogStream} from '../kernel/events.js'
import type {StateStore} from '../storage/state-store.js'
import {escapeControl} from '../../util/escape.js'

const RING_BYTES = 64 * 1024
const MAX_LINE = 1024
/** Bytes that can hold MAX_LINE UTF-16 units of UTF-8 text (4 bytes at most per code point). */
const MAX_LINE_BYTES = MAX_LINE * 4
const UTF8 = new TextDecoder()
/** At most this many log events per app per virtual second reach the event bus (a flood is summarised). */
const EVENTS_PER_SECOND = 200
/** First line of a log file that records each line's origin (older files are plain text). */
const FILE_HEADER = '#sphere-log 2'
/** Origin tags of the log file format: one letter and a space before each line's text. */
const TAGS: Record<LogStream, string> = {stdout: 'o', stderr: 'e', system: 's'}
const STREAMS: Record<string, LogStream> = {o: 'stdout', e: 'stderr', s: 'system'}
/** How a line the OS wrote is shown in the plain text view. */
export const SYSTEM_PREFIX = '[os] '

/** One line of an app's log and who wrote it: the app (stdout / stderr) or the OS. */
export interface LogLine {
  stream: LogStream
  text: string
}

interface AppLogState {
  /** Lines from index `head` on; `bytes` counts their text length plus a newline each. */
  lines: LogLine[]
  head: number
  bytes: number
  partial: Record<'stdout' | 'stderr', string>
  dirty: boolean
  windowStart: number
  windowCount: number
  dropped: number
  pid: number
}

/**
 * Each app's stdout, stderr and Log_Debug output and the OS's own lines about it: a ring buffer (last 64 KiB)
 * in memory, flushed atomically to logs/<cid>.log, and one `log` event per line on the bus (rate-limited so a
 * flood cannot swamp it). Every line carries its origin out of band (`stream`): an app printing "[os] ..."
 * is still stdout, never the OS's voice.
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
      const lines = parseLogFile(this.store.readLog(cid))
      s = {
        lines,
        head: 0,
        bytes: lines.reduce((n, l) => n + l.text.length + 1, 0),
        partial: {stdout: '', stderr: ''},
        dirty: false,
        windowStart: 0,
        windowCount: 0,
        dropped: 0,
        pid: 0,
      }
      this.trim(s)
      this.logs.set(cid, s)
    }
    return s
  }

  /** Output of the app itself (Log_Debug and stdout are 'stdout'). */
  append(cid: string, pid: number, data: Uint8Array, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const s = this.state(cid)
    s.pid = pid
    // Line by line on the bytes, decoding at most what a kept line can hold: a line is cut at MAX_LINE, and a
    // kept line must never be a slice of (and so keep alive) a decoded 192 KiB write.
    for (let start = 0; ; ) {
      const nl = data.indexOf(10, start)
      const end = nl < 0 ? data.length : nl
      const text = s.partial[stream] + UTF8.decode(data.subarray(start, Math.min(end, start + MAX_LINE_BYTES)))
      if (nl < 0) {
        if (text.length > MAX_LINE) {
          this.line(cid, s, {stream, text: text.slice(0, MAX_LINE)})
          s.partial[stream] = ''
        } else s.partial[stream] = text
        return
      }
      s.partial[stream] = ''
      this.line(cid, s, {stream, text: text.slice(0, MAX_LINE)})
      start = nl + 1
    }
  }

  /** Add a line written by the OS about the app (start, crash, restart); control characters are escaped. */
  system(cid: string, line: string): void {
    this.line(cid, this.state(cid), {stream: 'system', text: escapeControl(line).slice(0, MAX_LINE)})
  }

  private line(cid: string, s: AppLogState, l: LogLine): void {
    s.lines.push(l)
    s.bytes += l.text.length + 1
    this.trim(s)
    s.dirty = true
    const now = this.now()
    if (now - s.windowStart >= 1_000_000_000) {
      if (s.dropped > 0) this.bus.emit({type: 'log-dropped', componentId: cid, pid: s.pid, dropped: s.dropped})
      s.windowStart = now
      s.windowCount = 0
      s.dropped = 0
    }
    if (++s.windowCount <= EVENTS_PER_SECOND)
      this.bus.emit({type: 'log', componentId: cid, pid: s.pid, line: display(l), stream: l.stream})
    else s.dropped++
  }

  private trim(s: AppLogState): void {
    while (s.bytes > RING_BYTES && s.head < s.lines.length - 1) {
      const l = s.lines[s.head++]!
      s.bytes -= l.text.length + 1
    }
    // drop trimmed lines once they are as many as the kept ones, so the array holds at most twice the ring
    if (s.head > 64 && s.head * 2 > s.lines.length) {
      s.lines = s.lines.slice(s.head)
      s.head = 0
    }
  }

  /** The app's log as text for people (most recent 64 KiB): the OS's lines shown with "[os] ". */
  read(cid: string): string {
    const s = this.state(cid)
    const t = s.lines
      .slice(s.head)
      .map((l) => `${display(l)}\n`)
      .join('')
    return (t.length > RING_BYTES ? t.slice(t.length - RING_BYTES) : t) + s.partial.stdout + s.partial.stderr
  }

  /** The app's log lines with their origin (most recent 64 KiB). */
  /** Bytes the app's log holds in RAM (kept lines plus unfinished ones) and the ring's bound. */
  usage(cid: string): {used: number; limit: number} {
    const s = this.logs.get(cid)
    return {used: s ? s.bytes + s.partial.stdout.length + s.partial.stderr.length : 0, limit: RING_BYTES}
  }

  entries(cid: string): LogLine[] {
    const s = this.state(cid)
    return s.lines.slice(s.head)
  }

  clear(cid: string): void {
    this.logs.delete(cid)
  }

  /** Write dirty logs to disk (atomic per file). */
  flush(): void {
    for (const [cid, s] of this.logs) {
      if (!s.dirty) continue
      s.dirty = false
      const body = s.lines
        .slice(s.head)
        .map((l) => `${TAGS[l.stream]} ${l.text}\n`)
        .join('')
      this.store.writeLog(cid, `${FILE_HEADER}\n${body}`)
    }
  }
}

/** A line as the text view and the event stream show it. */
function display(l: LogLine): string {
  return l.stream === 'system' ? `${SYSTEM_PREFIX}${l.text}` : l.text
}

/**
 * Read a log file: the tagged format, or a plain-text file of an older build, whose lines are all taken as
 * the app's (the older format kept no origin, and text is never trusted to say who wrote it).
 */
function parseLogFile(text: string): LogLine[] {
  if (!text) return []
  const raw = text.split('\n')
  if (raw.at(-1) === '') raw.pop()
  if (raw[0] !== FILE_HEADER) return raw.map((t) => ({stream: 'stdout', text: t}))
  const out: LogLine[] = []
  for (const r of raw.slice(1)) {
    const stream = STREAMS[r[0] ?? '']
    if (stream && r[1] === ' ') out.push({stream, text: r.slice(2)})
  }
  return out
}
