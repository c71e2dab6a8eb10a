import {Config} from '@oclif/core'
import {describeError} from './base-command.js'

/** Edit distance, for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  const dp = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return dp[b.length] as number
}

/** The closest command ids to an unknown one (space separated, as users type them). */
export function suggestCommands(unknown: string, ids: string[], max = 3): string[] {
  const want = unknown.replace(/:/g, ' ')
  return ids
    .map((id) => id.replace(/:/g, ' '))
    .map((id) => ({id, d: Math.min(levenshtein(want, id), want.length > 2 && id.startsWith(want) ? 1 : Infinity)}))
    .filter((x) => x.d <= Math.max(2, Math.floor(want.length / 3)))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, max)
    .map((x) => x.id)
}

/**
 * Top-level error handler for errors raised outside a command (unknown command or topic, load failures):
 * one line on stderr, suggestions, exit 2 for usage errors. Stack only with --debug.
 */
export async function handleTopLevelError(err: unknown, root: string, argv: string[]): Promise<number> {
  const e = err as Error & {oclif?: {exit?: number}; code?: string}
  if (e?.code === 'EEXIT' || e?.oclif?.exit === 0) return e.oclif?.exit ?? 0
  const debug = argv.includes('--debug')
  const m = /command (\S+) not found/.exec(e?.message ?? '')
  if (m) {
    const unknown = m[1] as string
    let ids: string[] = []
    try {
      const config = await Config.load(root)
      ids = config.commands.filter((c) => !c.hidden).map((c) => c.id)
    } catch {
      // suggestions are best effort
    }
    const sugg = suggestCommands(unknown, ids)
    process.stderr.write(`Error: '${unknown.replace(/:/g, ' ')}' is not a sphere command.\n`)
    for (const s of sugg) process.stderr.write(`  Did you mean: sphere ${s}\n`)
    process.stderr.write(`  Try: sphere --help\n`)
    return 2
  }
  const d = describeError(err)
  process.stderr.write(`Error: ${d.message}\n`)
  for (const s of d.suggestions) process.stderr.write(`  Try: ${s}\n`)
  if (debug && e?.stack) process.stderr.write(`${e.stack}\n`)
  return d.exit
}
