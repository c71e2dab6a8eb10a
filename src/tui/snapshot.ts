/**
 * One picture of a device without Ink: `--once` output, non-TTY output, and the first frame.
 *
 * `readSnapshot` takes the first `snapshot` line of the event stream and closes it; `formatSnapshotText`
 * draws the header, the process table and the board as plain lines (no colour, no escape codes).
 */
import type {SphereAppInfo, SphereDeviceInfo, SphereWorldState} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'
import {fit, headerFacts, ledGroups, type MonitorState} from './model.js'
import type {MonitorSource} from './store.js'
import {appCells, headerCells, joinCells, tableLayout} from './table.js'

/** The `--once -o json` result: what the device reported in its snapshot. */
export interface MonitorSnapshot {
  device: SphereDeviceInfo
  apps: SphereAppInfo[]
  world: SphereWorldState
}

/** Open the event stream, take its first `snapshot`, close it. */
export async function readSnapshot(
  source: Pick<MonitorSource, 'events'>,
  timeoutMs = 10_000,
): Promise<MonitorSnapshot> {
  const ac = new AbortController()
  let snap: MonitorSnapshot | undefined
  const timer = setTimeout(() => ac.abort(), timeoutMs)
  try {
    await source.events((e) => {
      if (snap || e.type !== 'snapshot') return
      const s = e as unknown as MonitorSnapshot & {type: 'snapshot'}
      snap = {device: s.device, apps: s.apps, world: s.world}
      ac.abort()
    }, ac.signal)
  } finally {
    clearTimeout(timer)
  }
  if (!snap) {
    throw new SphereError(
      'MONITOR_NO_SNAPSHOT',
      `The device sent no snapshot on its event stream within ${timeoutMs} ms.`,
      {
        suggestions: ['Check that the device runs a simulator or OS that serves /sphere/events.'],
      },
    )
  }
  return snap
}

/** The board as one or two short lines: LED colours, buttons, then pins in use. */
export function boardLines(world: SphereWorldState | undefined, width: number): string[] {
  if (!world) return []
  const leds = ledGroups(world)
    .map((g) => `${g.name}:${g.color}`)
    .join(' ')
  const buttons = (world.buttons ?? []).map((b) => `${b.name}:${b.pressed ? 'down' : 'up'}`).join(' ')
  const pins = (world.gpios ?? [])
    .filter((g) => g.direction !== 'unused')
    .map((g) => `${g.id}${g.direction === 'out' ? '>' : '<'}${g.level}`)
    .join(' ')
  return [fit(`LEDs ${leds || '-'}`, width), fit(`Buttons ${buttons || '-'}  Pins ${pins || '-'}`, width)]
}

/** Plain-text picture of the state: header, process table, board. */
export function formatSnapshotText(s: MonitorState, opts: {width: number; now: number; maxApps?: number}): string {
  const width = Math.max(40, opts.width)
  const h = headerFacts(s, opts.now)
  const lines = [
    fit(`Device ${h.deviceId}`, width),
    fit(`OS ${h.osVersion}  up ${h.uptime}  ${h.clock}  ${h.manufacturingState}  caps ${h.capabilities}`, width),
    '',
  ]
  const layout = tableLayout(width)
  lines.push(fit('  ' + joinCells(headerCells(layout)).trimEnd(), width))
  const apps = opts.maxApps === undefined ? s.apps : s.apps.slice(0, opts.maxApps)
  for (const a of apps) lines.push(fit('  ' + joinCells(appCells(a, layout)).trimEnd(), width))
  if (s.apps.length === 0) lines.push('  (no applications installed)')
  else if (apps.length < s.apps.length) lines.push(`  … ${s.apps.length - apps.length} more`)
  const board = boardLines(s.world, width)
  if (board.length > 0) lines.push('', ...board)
  return lines.join('\n')
}
