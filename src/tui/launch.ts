/**
 * Run the full-screen monitor on a terminal: alternate screen, a plain first frame, then Ink.
 *
 * Importing Ink takes most of a second, so the first picture of the device is drawn as plain text from
 * the first snapshot while Ink loads in parallel; Ink then takes over the same screen. The terminal is
 * restored (main screen, cursor) however the monitor ends.
 */
import {formatSnapshotText} from './snapshot.js'
import {MonitorStore, type MonitorSource, type MonitorStoreOptions} from './store.js'

export interface LaunchMonitorOptions {
  source: MonitorSource
  /** Where the device is, e.g. "simulator 'default'". */
  label: string
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  /** Use colour (the caller decides from NO_COLOR / TTY). */
  color: boolean
  /** Minimum ms between data-driven frames. */
  intervalMs?: number
  /** Switch to the alternate screen (default true). */
  alternateScreen?: boolean
  store?: MonitorStoreOptions
  /** Called once, when the first frame with device data is on screen (bench hook). */
  onFirstFrame?: (kind: 'text' | 'ink') => void
}

const ENTER_ALT = '\u001b[?1049h\u001b[H\u001b[2J\u001b[?25l'
const LEAVE_ALT = '\u001b[?25h\u001b[?1049l'
const HOME_CLEAR = '\u001b[H\u001b[2J'

/** Show the monitor until the user quits. */
export async function launchMonitor(opts: LaunchMonitorOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout
  const stdin = opts.stdin ?? process.stdin
  const store = new MonitorStore(opts.source, opts.store)
  const alt = opts.alternateScreen ?? true
  let restored = false
  const restore = (): void => {
    if (restored || !alt) return
    restored = true
    stdout.write(LEAVE_ALT)
  }
  process.once('exit', restore)
  if (alt) stdout.write(ENTER_ALT)

  let inkMounted = false
  let firstFrame = false
  const off = store.subscribe((s) => {
    if (inkMounted || firstFrame || !s.device || s.connection.status !== 'live') return
    firstFrame = true
    const text = formatSnapshotText(s, {
      width: stdout.columns || 80,
      now: Date.now(),
      maxApps: Math.max(1, (stdout.rows || 24) - 10),
    })
    stdout.write(HOME_CLEAR + text.replace(/\n/g, '\r\n') + '\r\n\r\n  loading the interactive view…')
    opts.onFirstFrame?.('text')
  })
  let stop: () => void = () => undefined
  const stopSignal = new Promise<void>((resolve) => (stop = resolve))
  const onSignal = (): void => stop()
  process.once('SIGTERM', onSignal)
  process.once('SIGHUP', onSignal)
  store.start()
  // React's development build costs about a third more CPU per frame.
  process.env.NODE_ENV ??= 'production'
  try {
    // Ink decides once, when it is first imported, whether it runs "in CI" (env CI / CONTINUOUS_INTEGRATION),
    // and then draws only the final frame. The monitor only gets here on a real terminal, so hide those
    // variables while Ink loads: a developer's shell (or a CI job driving tmux) still gets a live view.
    const ciVars = ['CI', 'CONTINUOUS_INTEGRATION'] as const
    const saved = ciVars.map((k) => [k, process.env[k]] as const)
    for (const k of ciVars) delete process.env[k]
    let renderMonitor: typeof import('./render-monitor.js').renderMonitor
    try {
      ;({renderMonitor} = await import('./render-monitor.js'))
    } finally {
      for (const [k, v] of saved) if (v !== undefined) process.env[k] = v
    }
    off()
    inkMounted = true
    stdout.write(HOME_CLEAR)
    if (!firstFrame && store.getState().device) opts.onFirstFrame?.('ink')
    await renderMonitor(store, {
      label: opts.label,
      stdout,
      stdin,
      color: opts.color,
      intervalMs: opts.intervalMs ?? 1000,
      stopSignal,
    })
  } finally {
    off()
    store.stop()
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onSignal)
    restore()
    process.off('exit', restore)
  }
}
