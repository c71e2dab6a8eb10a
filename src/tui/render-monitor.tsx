/**
 * Mount the Ink monitor on a terminal. This is the only module that imports Ink at load time, and it is
 * itself imported lazily (by `launchMonitor`), so no other command pays Ink's import cost.
 */
import {render} from 'ink'
import {Monitor} from './components/Monitor.js'
import type {MonitorStore} from './store.js'
import {installRowCache} from './ink-row-cache.js'
import {installLineDiff} from './line-diff.js'
import {createMonitorScreen, type MonitorScreen} from './screen.js'

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
  // SPHERE_TUI_ROW_CACHE=0 draws every row with Ink's own code (bench/tui-monitor.js compares the two)
  if (process.env.SPHERE_TUI_ROW_CACHE !== '0') await installRowCache(import.meta.resolve('ink'))
  // SPHERE_TUI_LINE_DIFF=0 has Ink's own writer redraw the whole frame each time, and Ink draw every view;
  // SPHERE_TUI_FAST=0 has Ink draw every view through the line-diff writer (the bench compares the three)
  let screen: MonitorScreen | undefined
  if (process.env.SPHERE_TUI_LINE_DIFF !== '0') {
    if (process.env.SPHERE_TUI_FAST !== '0') screen = createMonitorScreen(opts.stdout)
    await installLineDiff(import.meta.resolve('ink'), opts.stdout, screen?.ink)
  }
  const instance = render(
    <Monitor
      store={store}
      label={opts.label}
      color={opts.color}
      intervalMs={opts.intervalMs}
      onQuit={() => store.stop()}
      screen={screen}
    />,
    {
      stdout: opts.stdout,
      stdin: opts.stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 30,
      // Ink 6.8's incremental renderer lost track of the cursor with full-width lines (rows were drawn one
      // line too low under tmux); the line-diff writer (line-diff.ts) addresses rows absolutely instead.
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
