/**
 * Mount the Ink monitor on a terminal. This is the only module that imports Ink at load time, and it is
 * itself imported lazily (by `launchMonitor`), so no other command pays Ink's import cost.
 */
import {render} from 'ink'
import {Monitor} from './components/Monitor.js'
import type {MonitorStore} from './store.js'

export interface RenderMonitorOptions {
  label: string
  stdout: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
  color: boolean
  intervalMs: number
  /** Resolves when the user asks to quit from outside the UI (SIGTERM, SIGHUP). */
  stopSignal?: Promise<void>
}

/** Render until the user quits; resolves after Ink has unmounted. */
export async function renderMonitor(store: MonitorStore, opts: RenderMonitorOptions): Promise<void> {
  const instance = render(
    <Monitor
      store={store}
      label={opts.label}
      color={opts.color}
      intervalMs={opts.intervalMs}
      onQuit={() => store.stop()}
    />,
    {
      stdout: opts.stdout,
      stdin: opts.stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 30,
      // Ink 6.8's incremental renderer lost track of the cursor with full-width lines (rows were drawn one
      // line too low under tmux); the standard renderer redraws the frame and stays correct.
      incrementalRendering: false,
    },
  )
  // Take the exit promise before anything can unmount (see toolchain notes: it can hang otherwise).
  const exited = instance.waitUntilExit()
  void opts.stopSignal?.then(() => {
    store.stop()
    instance.unmount()
  })
  await exited
}
