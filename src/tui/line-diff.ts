/**
 * A line-diff terminal writer for Ink: only the screen rows that changed since the last frame are written.
 *
 * Ink's standard writer erases the whole previous frame and writes the new one (about 3 KB for a 100x30 monitor,
 * ten times a second at --interval 100), and its incremental writer moves the cursor relative to where it
 * believes it is, which goes wrong with lines as wide as the terminal (the pending-wrap column). This one owns a
 * full-screen frame on the alternate screen (the monitor's launch clears it first): each changed row is addressed
 * absolutely (`CSI row;1H`), erased whole (`CSI 2K`: erase first, so a full-width row leaves no pending-wrap
 * state to go wrong) and written; rows the new frame no longer has are erased. It knows nothing of the monitor's
 * model: any frame string works. bench/tui-monitor.js measures it against Ink's own writer (same run).
 */

/** The writer shape Ink's renderer drives (ink/build/log-update.js). */
export interface FrameWriter {
  (str: string): boolean
  clear(): void
  done(): void
  sync(str: string): void
  setCursorPosition(position: {x: number; y: number} | undefined): void
  isCursorDirty(): boolean
  willRender(str: string): boolean
}

const HIDE_CURSOR = '\u001b[?25l'
const SHOW_CURSOR = '\u001b[?25h'

const frameLines = (str: string): string[] => {
  const lines = str.split('\n')
  if (str.endsWith('\n')) lines.pop()
  return lines
}

/** What to write to turn the screen showing `prev` into `next` (rows from the top; '' when nothing changed). */
export function lineDiff(prev: readonly string[], next: readonly string[]): string {
  let out = ''
  const n = Math.max(prev.length, next.length)
  for (let y = 0; y < n; y++) {
    const line = next[y]
    if (line === prev[y]) continue
    out += `\u001b[${y + 1};1H\u001b[2K${line ?? ''}`
  }
  return out
}

/** A line-diff writer on `stream` (a frame drawn from the top-left of a cleared screen). */
export function createLineDiffWriter(stream: {write(s: string): unknown}): FrameWriter {
  let prev: string[] = []
  let prevStr: string | undefined
  let hidden = false
  const render = ((str: string): boolean => {
    if (!hidden) {
      stream.write(HIDE_CURSOR)
      hidden = true
    }
    if (str === prevStr) return false
    const next = frameLines(str)
    const out = lineDiff(prev, next)
    // the cursor rests below the frame, where Ink's own writer leaves it
    if (out !== '') stream.write(`${out}\u001b[${next.length + 1};1H`)
    prev = next
    prevStr = str
    return true
  }) as FrameWriter
  render.clear = () => {
    stream.write('\u001b[H\u001b[2J')
    prev = []
    prevStr = undefined
  }
  render.done = () => {
    prev = []
    prevStr = undefined
    if (hidden) stream.write(SHOW_CURSOR)
    hidden = false
  }
  render.sync = (str: string) => {
    prev = frameLines(str)
    prevStr = str
  }
  // the monitor shows no cursor (it has no text field with a caret)
  render.setCursorPosition = () => undefined
  render.isCursorDirty = () => false
  render.willRender = (str: string) => str !== prevStr
  return render
}

let installedFor: WeakMap<object, FrameWriter | undefined> | undefined

/**
 * Have Ink draw frames on `stream` with the line-diff writer, or with `writer` when given (other streams keep
 * Ink's own). Ink must be loaded: pass its module URL. Call before Ink's render().
 */
export async function installLineDiff(inkIndexUrl: string, stream: object, writer?: FrameWriter): Promise<void> {
  if (!installedFor) {
    installedFor = new WeakMap()
    const {default: logUpdate} = (await import(new URL('./log-update.js', inkIndexUrl).href)) as {
      default: {create: (s: NodeJS.WriteStream, o?: object) => unknown}
    }
    const original = logUpdate.create
    const mine = installedFor
    logUpdate.create = (s, o) => (mine.has(s) ? (mine.get(s) ?? createLineDiffWriter(s)) : original(s, o))
  }
  installedFor.set(stream, writer)
}
