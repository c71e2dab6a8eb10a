/**
 * The process table's columns: widths for a terminal width, and each app's cells padded to them.
 *
 * Shared by the Ink process table and the plain-text snapshot so both show the same columns.
 */
import type {SphereAppInfo} from '../protocol/rest-api.js'
import {appStateLabel} from '../protocol/app-state.js'
import {bar, cell, formatBytes, formatPercent} from './model.js'

/** Column widths of the process table (0 = column hidden). */
export interface TableLayout {
  name: number
  componentId: number
  pid: number
  uid: number
  state: number
  /** The scheduler state (R/S), as `top` shows it. */
  sched: number
  bar: number
  memory: number
  restarts: number
  cpu: number
}

/** The cells of one app's row, each already padded to its column. */
export type AppCells = {[K in keyof TableLayout]: string}

const FIXED = {pid: 6, uid: 5, state: 10, sched: 1, memory: 14, restarts: 3, cpu: 4}

/** Lay the table out in `width` columns (the row marker takes 2 more). */
export function tableLayout(width: number): TableLayout {
  const avail = Math.max(40, width - 2)
  const fullId = avail >= 130
  const componentId = fullId ? 36 : 8
  const fixed = FIXED.pid + FIXED.uid + FIXED.state + FIXED.sched + FIXED.memory + FIXED.restarts + FIXED.cpu + componentId
  const gaps = 9
  let rest = avail - fixed - gaps
  // Narrow terminals drop the uid column first, then shrink the bar.
  let uid: number = FIXED.uid
  if (rest < 16) {
    uid = 0
    rest += FIXED.uid + 1
  }
  const barWidth = Math.max(4, Math.min(20, Math.floor(rest * 0.4)))
  const name = Math.max(6, rest - barWidth)
  return {
    name,
    componentId,
    pid: FIXED.pid,
    uid,
    state: FIXED.state,
    sched: FIXED.sched,
    bar: barWidth,
    memory: FIXED.memory,
    restarts: FIXED.restarts,
    cpu: FIXED.cpu,
  }
}

/** The header row's cells. */
export function headerCells(l: TableLayout): AppCells {
  return {
    name: cell('NAME', l.name),
    componentId: cell(l.componentId >= 12 ? 'COMPONENT ID' : 'CID', l.componentId),
    pid: cell('PID', l.pid, 'right'),
    uid: l.uid ? cell('UID', l.uid, 'right') : '',
    state: cell('STATE', l.state),
    sched: cell('S', l.sched),
    bar: cell('MEMORY', l.bar),
    memory: cell('NOW/PEAK/LIMIT', l.memory),
    restarts: cell('RST', l.restarts, 'right'),
    cpu: cell('CPU', l.cpu, 'right'),
  }
}

/** One app's cells. The memory bar shows now/limit with a marker at the peak. */
export function appCells(a: SphereAppInfo, l: TableLayout, ellipsis = '…'): AppCells {
  const limit = a.memory.limitBytes > 0 ? a.memory.limitBytes : Math.max(1, a.memory.peakBytes)
  const mem = `${formatBytes(a.memory.currentBytes)}/${formatBytes(a.memory.peakBytes)}/${formatBytes(a.memory.limitBytes)}`
  return {
    name: cell(a.name, l.name, 'left', ellipsis),
    componentId: cell(a.componentId.slice(0, l.componentId), l.componentId),
    pid: cell(a.pid === null ? '-' : String(a.pid), l.pid, 'right'),
    uid: l.uid ? cell(String(a.uid), l.uid, 'right') : '',
    state: cell(appStateLabel(a.state), l.state),
    sched: cell(a.sched ?? '-', l.sched),
    bar: bar(a.memory.currentBytes / limit, l.bar, a.memory.peakBytes / limit),
    memory: cell(mem, l.memory),
    restarts: cell(String(a.restarts), l.restarts, 'right'),
    cpu: cell(a.pid === null ? '-' : formatPercent(a.cpuShare), l.cpu, 'right'),
  }
}

/** Column order. */
export const COLUMN_ORDER: readonly (keyof TableLayout)[] = [
  'name',
  'componentId',
  'pid',
  'uid',
  'state',
  'sched',
  'bar',
  'memory',
  'restarts',
  'cpu',
]

/** Join a row's visible cells with single spaces. */
export function joinCells(c: AppCells): string {
  return COLUMN_ORDER.filter((k) => c[k] !== '')
    .map((k) => c[k])
    .join(' ')
}
