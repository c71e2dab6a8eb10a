/**
 * One picture of a device without Ink: `--once` output, non-TTY output, and the first frame.
 *
 * `readSnapshot` takes the first `snapshot` line of the event stream and closes it; `formatSnapshotText`
 * draws the header, the process table and the board as plain lines (no colour, no escape codes).
 */
import type {SphereAppInfo, SphereDeviceInfo, SphereWorldState} from '../protocol/rest-api.js'
import {SphereError} from '../util/errors.js'
import {activityHz, elideMiddle, fit, headerFacts, ledGroups, worldNow, type MonitorState} from './model.js'
import type {MonitorSource} from './store.js'
import {appCells, headerCells, joinCells, tableLayout} from './table.js'
import {boardBody, plainText} from './view.js'

/** The `--once -o json` result: what the device reported in its snapshot, and the board as the screen shows it. */
export interface MonitorSnapshot {
  device: SphereDeviceInfo
  apps: SphereAppInfo[]
  world: SphereWorldState
  board: OnceBoard
}

/** The board panel's data: each LED steady on/off or blinking with its rate, buttons with presses, pins. */
export interface OnceBoard {
  leds: {name: string; state: 'blinking' | 'on' | 'off'; color: string; blinkHz: number | null; transitions: number}[]
  buttons: {name: string; pressed: boolean; presses: number | null}[]
  pins: {gpio: number; direction: string; level: 0 | 1; blinkHz: number | null; transitions: number | null}[]
  pwm: {controller: string; channel: number; gpio: number | undefined; enabled: boolean; dutyPercent: number}[]
}

/** The board of a world state at its own virtual time. */
export function onceBoard(world: SphereWorldState): OnceBoard {
  const now = world.virtualTimeMs ?? 0
  const pwm = Array.isArray(world.pwm) ? (world.pwm as OnceBoard['pwm']) : []
  return {
    leds: ledGroups(world, now).map((g) => ({
      name: g.name,
      state: g.blinking.length > 0 ? 'blinking' : g.color === 'off' ? 'off' : 'on',
      color: g.blinking.length > 0 ? [...new Set(g.blinking.map((b) => b.color))].join('+') : g.color,
      blinkHz: g.blinking.length > 0 ? Math.max(...g.blinking.map((b) => b.hz)) : null,
      transitions: g.transitions,
    })),
    buttons: (world.buttons ?? []).map((b) => ({name: b.name, pressed: b.pressed, presses: b.presses ?? null})),
    pins: (world.gpios ?? [])
      .filter((g) => g.direction !== 'unused')
      .map((g) => ({
        gpio: g.id,
        direction: g.direction,
        level: g.level,
        blinkHz: g.direction === 'out' ? activityHz(g, now) : null,
        transitions: g.transitions ?? null,
      })),
    pwm: pwm.map((p) => ({
      controller: p.controller,
      channel: p.channel,
      gpio: p.gpio,
      enabled: p.enabled,
      dutyPercent: p.dutyPercent,
    })),
  }
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
      snap = {device: s.device, apps: s.apps, world: s.world, board: onceBoard(s.world)}
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

/** The board as short lines: each LED lit or blinking, the ones steady off, buttons, pins in use (as the panel shows them). */
export function boardLines(world: SphereWorldState | undefined, width: number, nowMs?: number): string[] {
  if (!world) return []
  return boardBody(world, width, nowMs, '…').map(plainText)
}

/** Plain-text picture of the state: header, process table, board. */
export function formatSnapshotText(s: MonitorState, opts: {width: number; now: number; maxApps?: number}): string {
  const width = Math.max(40, opts.width)
  const h = headerFacts(s, opts.now)
  const lines = [
    `Device ${elideMiddle(h.deviceId, width - 7)}`,
    fit(
      `OS ${h.osVersion}  up ${h.uptime}  ${h.clock}  ${h.manufacturingState}${h.cloud ? `  cloud ${h.cloud.text}` : ''}  caps ${h.capabilities}`,
      width,
    ),
    '',
  ]
  const layout = tableLayout(width)
  lines.push(fit('  ' + joinCells(headerCells(layout)).trimEnd(), width))
  const apps = opts.maxApps === undefined ? s.apps : s.apps.slice(0, opts.maxApps)
  for (const a of apps) lines.push(fit('  ' + joinCells(appCells(a, layout)).trimEnd(), width))
  if (s.apps.length === 0) lines.push('  (no applications installed)')
  else if (apps.length < s.apps.length) lines.push(`  … ${s.apps.length - apps.length} more`)
  const board = boardLines(s.world, width, worldNow(s, opts.now))
  if (board.length > 0) lines.push('', ...board)
  return lines.join('\n')
}
