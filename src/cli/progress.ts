/** A minimal progress bar; draws on the given TTY stream, no-ops when none is given. */
export interface Progress {
  tick(n: number): void
  done(): void
}

export function createProgress(label: string, total: number, stream?: NodeJS.WriteStream): Progress {
  let current = 0
  let lastDraw = 0
  const draw = (force: boolean): void => {
    if (!stream) return
    const now = Date.now()
    if (!force && now - lastDraw < 50) return
    lastDraw = now
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20))
    const frac = total > 0 ? Math.min(1, current / total) : 1
    const filled = Math.round(frac * width)
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%`)
  }
  return {
    tick(n: number) {
      current += n
      draw(false)
    },
    done() {
      if (!stream) return
      current = total
      draw(true)
      stream.write('\n')
    },
  }
}
