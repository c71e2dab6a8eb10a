/**
 * The monitor's screen without Ink: the normal view (view.ts `screenLines`) turned into terminal lines and drawn
 * with the line-diff writer, so a data frame costs string building and the changed rows' bytes, not a React
 * reconcile, a Yoga layout and Ink's cell grid. Ink keeps the screen for what it still draws (the help and IDs
 * overlays): both go through one writer, so it always knows what the terminal shows.
 *
 * bench/tui-monitor.js measures it against Ink drawing every frame (SPHERE_TUI_FAST=0), same run.
 */
import {createLineDiffWriter, type FrameWriter} from './line-diff.js'
import type {Line, Role} from './view.js'

const SGR_COLOR: Record<Role, number> = {
  accent: 36,
  ok: 32,
  warn: 33,
  bad: 31,
  muted: 90,
  red: 31,
  green: 32,
  blue: 34,
  yellow: 33,
  magenta: 35,
  cyan: 36,
  white: 37,
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]|[\u0000-\u001f\u007f-\u009f]/g

/**
 * One line as terminal text: each styled segment in its SGR codes, reset after it. Without colour, roles are
 * dropped; bold, dim and inverse stay (they mark headings and the selection). Control characters an app
 * printed are removed, so a log line cannot move the cursor.
 */
export function lineToAnsi(line: Line, color: boolean): string {
  let out = ''
  for (const g of line) {
    const text = CONTROL.test(g.text) ? g.text.replace(ESCAPES, '') : g.text
    let sgr = ''
    if (g.bold) sgr += ';1'
    if (g.dim) sgr += ';2'
    if (g.inverse) sgr += ';7'
    if (color && g.role) sgr += `;${SGR_COLOR[g.role]}`
    out += sgr === '' ? text : `\u001b[${sgr.slice(1)}m${text}\u001b[0m`
  }
  return out
}

/** Where the monitor draws: Ink's frames and frames drawn without Ink, on one line-diff writer. */
export interface MonitorScreen {
  /** The writer Ink is given (its frames are kept, and shown while no frame of our own is up). */
  ink: FrameWriter
  /** Show a frame of our own (one string per row), or give the screen back to Ink (undefined). */
  show(rows: readonly string[] | undefined): void
}

export function createMonitorScreen(stream: {write(s: string): unknown}): MonitorScreen {
  const w = createLineDiffWriter(stream)
  let own: string | undefined
  const ink = ((str: string): boolean => (own === undefined ? w(str) : false)) as FrameWriter
  ink.clear = () => {
    w.clear()
    if (own !== undefined) w(own)
  }
  ink.done = () => w.done()
  ink.sync = (str: string) => {
    if (own === undefined) w.sync(str)
  }
  ink.setCursorPosition = (p) => w.setCursorPosition(p)
  ink.isCursorDirty = () => w.isCursorDirty()
  ink.willRender = (str: string) => own === undefined && w.willRender(str)
  return {
    ink,
    show(rows) {
      if (rows === undefined) {
        // Ink's next frame (it changes when the view goes back to Ink) takes the screen
        own = undefined
        return
      }
      own = rows.join('\n')
      w(own)
    },
  }
}
