/**
 * A cheaper frame for Ink: reuse the text of screen rows that did not change since the last frame.
 *
 * Measured (bench/tui-monitor.js, CPU profile at --interval 100 with 4 busy apps): about 80 % of a frame's CPU is
 * Ink's Output.get(), which rebuilds the whole screen every frame: a cell grid, ANSI tokenising of every line and
 * a string per row; React's reconciling is under 15 %. Between two frames of the monitor only a few rows change
 * (the process rows, the uptime, an LED line), so this wraps Output.get(): it groups the frame's writes by row
 * (after Ink's own per-line transformers, so colours are part of the key), reuses a row's string when the row was
 * written exactly as in the previous frame, and has Ink's own Output build the rows that changed. A frame with
 * clipping (overflow: hidden, which the monitor does not use) goes through Ink's code unchanged.
 */

interface WriteOp {
  type: 'write'
  x: number
  y: number
  text: string
  transformers: ((line: string, index: number) => string)[]
}
type Op = WriteOp | {type: 'clip'; clip: unknown} | {type: 'unclip'}

interface OutputLike {
  width: number
  height: number
  operations: Op[]
  write(x: number, y: number, text: string, options: {transformers: WriteOp['transformers']}): void
  get(): {output: string; height: number}
}
type OutputClass = new (o: {width: number; height: number}) => OutputLike & {caches: {styledChars: Map<string, unknown>}}

let installed = false

/** Wrap Ink's Output.get once per process (Ink must be loaded: pass its module URL). */
export async function installRowCache(inkIndexUrl: string): Promise<void> {
  if (installed) return
  installed = true
  const {default: Output} = (await import(new URL('./output.js', inkIndexUrl).href)) as {default: OutputClass}
  const original = Output.prototype.get
  let last: {width: number; height: number; keys: string[]; rows: string[]} | undefined
  let scratch: (OutputLike & {caches: {styledChars: Map<string, unknown>}}) | undefined

  Output.prototype.get = function (this: OutputLike) {
    if (this.operations.some((o) => o.type !== 'write')) {
      last = undefined
      return original.call(this)
    }
    const {width, height} = this
    const pieces: {x: number; s: string}[][] = Array.from({length: height}, () => [])
    for (const op of this.operations as WriteOp[]) {
      if (!op.text) continue
      op.text.split('\n').forEach((line, i) => {
        const y = op.y + i
        if (y < 0 || y >= height) return
        let s = line
        for (const t of op.transformers) s = t(s, i)
        pieces[y]!.push({x: op.x, s})
      })
    }
    const same = last !== undefined && last.width === width && last.height === height
    const keys: string[] = []
    const rows: string[] = []
    const changed: number[] = []
    for (let y = 0; y < height; y++) {
      const row = pieces[y]!
      const key = row.map((p) => `${p.x}\u0000${p.s}`).join('\u0001')
      keys.push(key)
      if (same && last!.keys[y] === key) rows.push(last!.rows[y]!)
      else {
        rows.push('')
        if (row.length > 0) changed.push(y)
      }
    }
    if (changed.length > 0) {
      // the changed rows, stacked, drawn by Ink's own code on one Output kept across frames (its caches of
      // tokenised lines and character widths then last too; emptied when they grow large)
      if (!scratch || scratch.caches.styledChars.size > 20_000) scratch = new Output({width, height: changed.length})
      scratch.width = width
      scratch.height = changed.length
      scratch.operations = []
      changed.forEach((y, i) => {
        for (const p of pieces[y]!) scratch!.write(p.x, i, p.s, {transformers: []})
      })
      const drawn = original.call(scratch).output.split('\n')
      changed.forEach((y, i) => (rows[y] = drawn[i] ?? ''))
    }
    last = {width, height, keys, rows}
    return {output: rows.join('\n'), height}
  }
}
