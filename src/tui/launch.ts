/**
 * Run the full-screen monitor on a terminal: alternate screen, then Ink (the event stream is opened while Ink
 * loads, so the first frame already has the device). The terminal is restored (main screen, cursor) however
 * the monitor ends, and one line says whether the simulator keeps running and how to stop it.
 */
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

let inkModule: Promise<typeof import('./render-monitor.js')> | undefined

/**
 * Start loading Ink (most of a second) so it overlaps other work, e.g. the demo's sideload; launchMonitor
 * waits for the same load. Only for a real terminal.
 */
export function preloadInk(): Promise<typeof import('./render-monitor.js')> {
  if (inkModule) return inkModule
  // React's development build costs about a third more CPU per frame.
  process.env.NODE_ENV ??= 'production'
  // Ink decides once, when it is first imported, whether it runs "in CI" (env CI / CONTINUOUS_INTEGRATION),
  // and then draws only the final frame. The monitor only gets here on a real terminal, so hide those
  // variables while Ink loads: a developer's shell (or a CI job driving tmux) still gets a live view.
  const ciVars = ['CI', 'CONTINUOUS_INTEGRATION'] as const
  const saved = ciVars.map((k) => [k, process.env[k]] as const)
  for (const k of ciVars) delete process.env[k]
  const restore = (): void => {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v
  }
  inkModule = import('./render-monitor.js').finally(restore)
  return inkModule
}

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

  // No plain-text frame while Ink loads: it would flash a different picture before the full-screen view.
  let firstFrame = false
  const off = store.subscribe((s) => {
    if (firstFrame || !s.device || s.connection.status !== 'live') return
    firstFrame = true
    opts.onFirstFrame?.('ink')
  })
  let stop: () => void = () => undefined
  const stopSignal = new Promise<void>((resolve) => (stop = resolve))
  const onSignal = (): void => stop()
  process.once('SIGTERM', onSignal)
  process.once('SIGHUP', onSignal)
  store.start()
  try {
    const {renderMonitor} = await preloadInk()
    stdout.write(HOME_CLEAR)
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
    const line = quitLine(opts.label)
    if (line) stdout.write(line + '\n')
  }
}

/** The one line printed on quit when the device is a simulator: it keeps running, and how to end it. */
export function quitLine(label: string): string | undefined {
  const m = /^simulator '(.+)'$/.exec(label)
  if (!m) return undefined
  const name = m[1] as string
  return `The simulator '${name}' keeps running in the background; \`sphere sim stop${name === 'default' ? '' : ` -n ${name}`}\` ends it.`
}
