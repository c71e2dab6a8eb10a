/**
 * Fast start for the full-screen monitor: `sphere device monitor [-d D] [--interval N]` on a terminal is
 * answered here without loading the command framework, so the first frame comes sooner (the framework costs
 * ~150 ms of a cold start). Anything else (--once, -o, --help, unknown flags, bad values) returns false and
 * the normal oclif command handles it, with its full parsing and messages.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {selectDevice} from '../device/select.js'
import {launchMonitor} from './launch.js'
import {isSphereError} from '../util/errors.js'
import {colorEnabled} from '../util/color.js'
import {sphereHome} from '../util/home.js'

export async function tryFastMonitor(argv: string[]): Promise<boolean> {
  // returns false (not handled) or exits the process when the monitor ends
  if (!process.stdout.isTTY || !process.stdin.isTTY) return false
  let rest: string[]
  if (argv[0] === 'monitor') rest = argv.slice(1)
  else if (argv[0] === 'device' && argv[1] === 'monitor') rest = argv.slice(2)
  else return false
  let device: string | undefined
  let interval = 1000
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string
    const next = rest[i + 1]
    if ((a === '--device' || a === '-d') && next !== undefined && !next.startsWith('-')) {
      device = next
      i++
    } else if (a === '--interval' && next !== undefined && /^\d+$/.test(next) && Number(next) >= 20 && Number(next) <= 10_000) {
      interval = Number(next)
      i++
    } else {
      return false
    }
  }
  const home = sphereHome()
  if (device === undefined) {
    try {
      const cfg = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as {defaults?: {device?: unknown}}
      if (typeof cfg.defaults?.device === 'string') device = cfg.defaults.device
    } catch {
      // no config: auto-detect
    }
  }
  try {
    const selected = await selectDevice(home, device)
    try {
      await launchMonitor({source: selected.client, label: selected.client.label, color: colorEnabled(process.stdout), intervalMs: interval})
    } finally {
      await selected.close()
    }
  } catch (e) {
    if (!isSphereError(e)) throw e
    process.stderr.write(`Error: ${e.message.split('\n')[0]}\n`)
    for (const s of e.suggestions) process.stderr.write(`  Try: ${s}\n`)
    process.exitCode = e.exit
  }
  // The user quit: leave now, even if a half-closed stream or the terminal's stdin still holds the event loop.
  process.exit(process.exitCode ?? 0)
}
