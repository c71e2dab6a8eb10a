/**
 * What each panel of the monitor shows, as styled lines: the one source for the Ink panels
 * (components/*.tsx draw these lines) and for the plain string renderer that draws the normal screen at
 * 10 frames a second without React or a layout engine (screen.ts). A line is a list of segments, each with a
 * colour role and attributes; `screenLines` lays the panels out exactly as the Ink view used to with boxes.
 * Nothing here imports Ink.
 */
import type {SphereAppInfo, SphereAuditRecord, SphereLogEntry, SphereWorldState} from '../protocol/rest-api.js'
import {appStateLabel, schedDescription} from '../protocol/app-state.js'
import {
  auditComponentId,
  boardSummary,
  capabilityRows,
  cell,
  elideMiddle,
  fit,
  formatBytes,
  formatPercent,
  headerFacts,
  type AppUsage,
  type MonitorState,
} from './model.js'
import {appCells, headerCells, tableLayout} from './table.js'

export type Role =
  'accent' | 'ok' | 'warn' | 'bad' | 'muted' | 'red' | 'green' | 'blue' | 'yellow' | 'magenta' | 'cyan' | 'white'

/** A run of text in one style. `role` is a colour role (the theme maps it to a colour, or none without colour). */
export interface Seg {
  text: string
  role?: Role | undefined
  bold?: boolean | undefined
  inverse?: boolean | undefined
  dim?: boolean | undefined
}
export type Line = Seg[]

/** Cut to `width` with an ASCII ellipsis (the view keeps lines ASCII where it can). */
export function fitA(s: string, width: number): string {
  return fit(s, width, '~')
}

/** Pad or cut to exactly `width` with an ASCII ellipsis. */
export function cellA(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  return cell(s, width, align, '~')
}

/** The role used for an app state. */
export function stateRole(state: string): Role {
  switch (state) {
    case 'running':
    case 'debugging':
      return 'ok'
    case 'starting':
      return 'accent'
    case 'crashed':
      return 'bad'
    case 'stopped':
      return 'warn'
    default:
      return 'muted'
  }
}

/** The role for an LED colour name (`off` and unknown mixes are muted). */
export function ledRole(color: string): Role {
  return (['red', 'green', 'blue', 'yellow', 'magenta', 'cyan', 'white'] as const).includes(color as 'red')
    ? (color as Role)
    : 'muted'
}

const s = (text: string, style: Omit<Seg, 'text'> = {}): Seg => ({text, ...style})

/** A panel heading: one inverse line across the panel. */
export function sectionHeading(title: string, subtitle: string | undefined, width: number): Line {
  return [s(cellA(` ${title}${subtitle ? ` | ${subtitle}` : ''}`, width), {bold: true, inverse: true, role: 'accent'})]
}

/** A panel: heading, then at most `height - 1` body lines. */
export function section(
  title: string,
  subtitle: string | undefined,
  width: number,
  height: number,
  body: Line[],
): Line[] {
  return [sectionHeading(title, subtitle, width), ...body.slice(0, Math.max(0, height - 1))]
}

// ---- header -------------------------------------------------------------------------------------------------

export interface HeaderView {
  state: MonitorState
  /** Where the device is, e.g. "simulator 'default'". */
  label: string
  now: number
  width: number
}

/** The top two lines: which device, its OS, uptime, clock, manufacturing state, cloud connection and capabilities. */
export function headerLines({state, label, now, width}: HeaderView): Line[] {
  const h = headerFacts(state, now)
  const c = state.connection
  const head = `sphere monitor | ${label}`
  // the device ID (128 hex digits) is cut in the middle so both ends stay recognisable; `i` shows it whole
  const idRoom = Math.min(h.deviceId.length, Math.max(9, width - head.length - 6 - 9))
  const first = fitA(`${head}${h.deviceId === '-' ? '' : ` | ID ${elideMiddle(h.deviceId, idRoom)}`}  ? help`, width)
  let second: Line
  if (c.status === 'live' && state.device) {
    const muted = {role: 'muted'} as const
    second = [
      s('OS ', muted),
      s(h.osVersion, {bold: true}),
      s(' up ', muted),
      s(h.uptime, {bold: true}),
      s(' clock ', muted),
      s(h.clock),
      s(' mfg ', muted),
      s(h.manufacturingState),
      ...(h.cloud
        ? [
            s(' cloud ', muted),
            s(h.cloud.text, {
              role: h.cloud.state === 'connected' ? 'ok' : h.cloud.state === 'disconnected' ? 'muted' : 'warn',
            }),
          ]
        : []),
      s(' caps ', muted),
      s(fitA(h.capabilities, Math.max(1, width - 40 - (h.cloud ? h.cloud.text.length + 7 : 0)))),
    ]
  } else if (c.status === 'reconnecting') {
    const msg = ` DEVICE GONE | reconnecting (attempt ${c.attempt}, next in ${(c.retryInMs / 1000).toFixed(1)}s) | ${c.error} `
    second = [s(fitA(msg, width), {inverse: true, bold: true, role: 'bad'})]
  } else if (c.status === 'stopped') {
    second = [s(fitA('stopped', width))]
  } else {
    second = [s(fitA(`connecting to ${label}...`, width), {role: 'warn'})]
  }
  return [[s(first, {bold: true})], second]
}

// ---- process table ------------------------------------------------------------------------------------------

export interface ProcessTableView {
  /** The apps shown (already filtered). */
  apps: readonly SphereAppInfo[]
  /** Index of the selected app in `apps` (-1: none). */
  selected: number
  width: number
  /** Total height including the heading and the column header. */
  height: number
  /** Active filter text, shown in the heading. */
  filter: string
  /** Total number of apps before filtering. */
  total: number
  /** Grey the rows out (the data may be old: the device is gone). */
  stale: boolean
}

/** The first visible row so that `selected` is on screen. */
export function scrollTop(selected: number, visible: number, count: number): number {
  if (visible <= 0 || count <= visible) return 0
  const sel = Math.max(0, selected)
  return Math.min(count - visible, Math.max(0, sel - visible + 1))
}

/** The process table: one row per app with pid, uid, state, memory bar, restarts and cpu share. */
export function processTableLines({apps, selected, width, height, filter, total, stale}: ProcessTableView): Line[] {
  const layout = tableLayout(width)
  const h = headerCells(layout)
  const visible = Math.max(0, height - 2)
  const top = scrollTop(selected, visible, apps.length)
  const shown = apps.slice(top, top + visible)
  const subtitle = `${apps.length === total ? `${total} app${total === 1 ? '' : 's'}` : `${apps.length} of ${total}`}${filter ? ` | filter "${filter}"` : ''}${
    top > 0 || top + visible < apps.length ? ` | ${top + 1}-${top + shown.length}` : ''
  }`
  const body: Line[] = [
    [
      s(
        fitA(
          `  ${h.name} ${h.componentId} ${h.pid} ${h.uid ? h.uid + ' ' : ''}${h.state} ${h.sched} ${h.bar} ${h.memory} ${h.restarts} ${h.cpu}`,
          width,
        ),
        {bold: true, role: 'muted'},
      ),
    ],
  ]
  if (apps.length === 0)
    body.push([
      s(total === 0 ? '  (no applications installed)' : '  (no application matches the filter)', {role: 'muted'}),
    ])
  shown.forEach((a, i) => {
    const sel = top + i === selected
    const c = appCells(a, layout, '~')
    const memFrac = a.memory.limitBytes > 0 ? a.memory.currentBytes / a.memory.limitBytes : 0
    const barRole = memFrac >= 0.9 ? 'bad' : memFrac >= 0.7 ? 'warn' : 'ok'
    const row = {inverse: sel, dim: stale}
    const colour = (r: Role | undefined): Role | undefined => (stale ? undefined : r)
    body.push([
      s(`${sel ? '> ' : '  '}${c.name} `, row),
      s(c.componentId, {...row, role: 'muted'}),
      s(` ${c.pid} ${c.uid ? c.uid + ' ' : ''}`, row),
      s(c.state, {...row, role: colour(stateRole(a.state))}),
      s(` ${c.sched} `, row),
      s(c.bar, {...row, role: colour(barRole)}),
      s(` ${c.memory} `, row),
      s(c.restarts, {...row, role: a.restarts > 0 ? 'warn' : undefined}),
      s(` ${c.cpu}`, row),
    ])
  })
  return section('Processes', subtitle, width, height, body)
}

// ---- capabilities and details -------------------------------------------------------------------------------

export interface CapabilityLine {
  mark: string
  text: string
  status: string
  role: Role
}

/** The capability lines of an app: mark, capability, status. Also used by the details view. */
export function capabilityLines(app: SphereAppInfo, usage: AppUsage | undefined): CapabilityLine[] {
  const {rows, undeclaredUsed} = capabilityRows(app.capabilities, usage)
  const out: CapabilityLine[] = rows.map((r) =>
    r.used
      ? {mark: '✓', text: r.capability, status: 'used', role: 'ok'}
      : {mark: '·', text: r.capability, status: 'unused', role: 'muted'},
  )
  for (const u of undeclaredUsed) out.push({mark: '!', text: u, status: 'used, undeclared', role: 'warn'})
  for (const [what, n] of Object.entries(usage?.denied ?? {}))
    out.push({mark: '✗', text: what, status: `denied x${n}`, role: 'bad'})
  return out
}

/** One capability line: mark, capability, status. */
export function capabilityRow(line: CapabilityLine, width: number, statusWidth: number): Line {
  return [
    s(line.mark, {role: line.role}),
    s(` ${cellA(line.text, Math.max(4, width - statusWidth - 3))} `),
    s(fitA(line.status, statusWidth), {role: line.role}),
  ]
}

export interface AppPanelView {
  app: SphereAppInfo | undefined
  usage: AppUsage | undefined
  width: number
  height: number
}

const mutedLine = (text: string, width: number): Line => [s(fitA(text, width), {role: 'muted'})]

/** The selected app's declared capabilities next to what it used, and what the LSM denied it. */
export function capabilityPanelLines({app, usage, width, height}: AppPanelView): Line[] {
  if (!app) return section('Capabilities', undefined, width, height, [mutedLine('no app selected', width)])
  const body = Math.max(0, height - 1)
  const lines = capabilityLines(app, usage)
  const used = lines.filter((l) => l.status === 'used').length
  const shown = lines.length > body ? lines.slice(0, Math.max(0, body - 1)) : lines
  const out: Line[] = []
  if (lines.length === 0) out.push(mutedLine('none declared', width))
  for (const l of shown) out.push(capabilityRow(l, width, 16))
  if (shown.length < lines.length)
    out.push(mutedLine(`... ${lines.length - shown.length} more (Enter: details)`, width))
  return section('Capabilities', `${app.name} | ${used}/${app.capabilities.length} used`, width, height, out)
}

/** Everything about the selected app (Enter): full IDs, exact memory, every capability line. */
export function detailsPanelLines({app, usage, width, height}: AppPanelView): Line[] {
  if (!app) return section('Details', undefined, width, height, [mutedLine('no app selected', width)])
  const m = app.memory
  const mem = (n: number): string => `${formatBytes(n)} (${n} B)`
  const caps = capabilityLines(app, usage)
  const fixed = 6
  const room = Math.max(0, height - 1 - fixed)
  const label = appStateLabel(app.state)
  const body: Line[] = [
    [s(fitA(`Component ${app.componentId}`, width))],
    [
      s('State '),
      s(label, {role: stateRole(app.state)}),
      s(
        fitA(
          `  pid ${app.pid ?? '-'}  uid ${app.uid}  restarts ${app.restarts}  cpu ${formatPercent(app.cpuShare)}`,
          Math.max(0, width - 6 - label.length),
        ),
      ),
    ],
    [
      s(
        fitA(
          app.state === 'crashed' && app.crashReason
            ? `Crashed: ${app.crashReason}`
            : `Scheduler ${app.sched ?? '-'}: ${schedDescription(app.sched, app.waitingOn)}`,
          width,
        ),
      ),
    ],
    [s(fitA(`Memory now ${mem(m.currentBytes)}`, width))],
    [s(fitA(`       peak ${mem(m.peakBytes)}  limit ${mem(m.limitBytes)}`, width))],
    [
      s(
        fitA(`Capabilities (${caps.filter((c) => c.status === 'used').length}/${app.capabilities.length} used)`, width),
        {bold: true},
      ),
    ],
    ...caps.slice(0, room).map((l) => capabilityRow(l, width, 17)),
  ]
  return section('Details', `${app.name} | Enter/Esc: back`, width, height, body)
}

// ---- log, audit, board --------------------------------------------------------------------------------------

export interface LogTailView {
  /** The app's name (heading); undefined when none is selected. */
  appName: string | undefined
  entries: readonly SphereLogEntry[]
  width: number
  height: number
}

/** The selected app's last output lines. */
export function logTailLines({appName, entries, width, height}: LogTailView): Line[] {
  const body = Math.max(0, height - 1)
  // One entry may hold several lines; show the last `body` visual lines.
  const lines: {text: string; stream: SphereLogEntry['stream']}[] = []
  for (const e of entries) {
    for (const p of e.text.replace(/\n$/, '').split('\n')) lines.push({text: p, stream: e.stream})
  }
  const shown = lines.slice(Math.max(0, lines.length - body))
  const out: Line[] = []
  if (appName === undefined) out.push(mutedLine('no app selected', width))
  if (appName !== undefined && shown.length === 0) out.push(mutedLine('no output yet', width))
  for (const l of shown)
    out.push([
      s(fitA(l.text.replace(/\t/g, '  '), width), {
        role: l.stream === 'stderr' ? 'bad' : l.stream === 'system' ? 'muted' : undefined,
      }),
    ])
  return section('Log', appName, width, height, out)
}

/** Who a subject is, shortly: the app's name when known, else `host:x` / the component ID prefix. */
export function subjectName(r: SphereAuditRecord, apps: readonly SphereAppInfo[]): string {
  const cid = auditComponentId(r)
  if (cid === undefined) return r.subject
  return apps.find((a) => a.componentId.toLowerCase() === cid)?.name ?? cid.slice(0, 8)
}

export interface AuditFeedView {
  records: readonly SphereAuditRecord[]
  apps: readonly SphereAppInfo[]
  width: number
  height: number
  /** Only denials (toggled by the filter `denied`)? */
  deniedOnly?: boolean | undefined
}

/** The live LSM audit feed: the latest decisions, denials highlighted. */
export function auditFeedLines({records, apps, width, height, deniedOnly}: AuditFeedView): Line[] {
  const body = Math.max(0, height - 1)
  const list = deniedOnly ? records.filter((r) => !r.allowed) : records
  const shown = list.slice(Math.max(0, list.length - body))
  const denied = records.filter((r) => !r.allowed).length
  const out: Line[] = shown.length === 0 ? [mutedLine('no LSM decisions yet', width)] : []
  for (const r of shown)
    out.push([
      s(r.allowed ? 'allow ' : 'DENY  ', {role: r.allowed ? 'ok' : 'bad', bold: !r.allowed}),
      s(
        fitA(
          `${subjectName(r, apps)} ${r.operation} ${r.object}${r.allowed ? '' : ` (${r.reason})`}`,
          Math.max(1, width - 6),
        ),
        {
          bold: !r.allowed,
        },
      ),
    ])
  return section('Audit', `${denied} denied of last ${records.length}`, width, height, out)
}

/** Lines the board needs (LEDs lit or blinking, the off line, buttons, pins) without its heading. */
export function boardLineCount(world: SphereWorldState | undefined, nowMs?: number): number {
  if (!world) return 1
  const b = boardSummary(world, nowMs)
  return b.leds.length + 3 + (b.pwm ? 1 : 0)
}

/** The board's body: each LED lit or blinking, the ones steady off, the buttons with presses, the pins in use. */
export function boardBody(world: SphereWorldState, width: number, nowMs?: number, ellipsis = '~'): Line[] {
  const b = boardSummary(world, nowMs)
  const f = (text: string, w: number): string => fit(text, w, ellipsis)
  return [
    ...b.leds.map((l): Line => [
      s(l.mark, {role: ledRole(l.group.blinking[0]?.color ?? l.group.color)}),
      s(f(` ${l.text}  ${l.toggles}`, width - 1)),
    ]),
    [
      s('○', {role: 'muted'}),
      s(f(b.off.length ? ` ${b.off.join(' ')} steady off` : ' (no LED steady off)', width - 1), {role: 'muted'}),
    ],
    [s(f(`Buttons ${b.buttons || '-'}`, width))],
    [s(f(`Pins ${b.pins || '(none in use)'}`, width), {role: 'muted'})],
    ...(b.pwm ? [[s(f(`PWM ${b.pwm}`, width))]] : []),
  ]
}

export interface BoardPanelView {
  world: SphereWorldState | undefined
  /** The device's virtual time now (ms), for what is still blinking. */
  nowMs?: number | undefined
  width: number
  height: number
}

/**
 * The board: each LED that is lit or blinking on a line of its own (`◐ LED1 red blinking 4.0 Hz  812 toggles`),
 * the ones steady off on one line, the buttons with their presses, and the pins in use. What a pin did comes
 * from the counts the device keeps (src/protocol/pin-activity.ts), so a fast blink never looks steady.
 */
export function boardPanelLines({world, nowMs, width, height}: BoardPanelView): Line[] {
  if (!world) return section('Board', undefined, width, height, [mutedLine('no board state', width)])
  return section('Board', 'b/B press A/B', width, height, boardBody(world, width, nowMs))
}

// ---- footer -------------------------------------------------------------------------------------------------

export type Message = {text: string; kind: 'info' | 'ok' | 'error'}

export type FooterView =
  | {mode: 'normal' | 'help'; message: Message | undefined; width: number}
  | {mode: 'filter'; filter: string; width: number}
  | {mode: 'confirm'; question: string; width: number}

export const HINTS =
  'j/k move  Enter more  s start/stop  r restart  d delete  b/B press  i IDs  / filter  ? help  q quit'

/** The bottom line: key hints, the filter being typed, a confirmation question, or the last message. */
export function footerLine(p: FooterView): Line {
  if (p.mode === 'filter')
    return [s('/', {bold: true, role: 'accent'}), s(fitA(`${p.filter}_  (Enter: keep, Esc: clear)`, p.width - 1))]
  if (p.mode === 'confirm')
    return [s(fitA(` ${p.question} y = yes, any other key = no `, p.width), {bold: true, inverse: true, role: 'bad'})]
  if (p.message) {
    const role = p.message.kind === 'error' ? 'bad' : p.message.kind === 'ok' ? 'ok' : 'accent'
    return [s(fitA(p.message.text, p.width), {role, bold: p.message.kind === 'error'})]
  }
  return [s(fitA(HINTS, p.width), {role: 'muted'})]
}

// ---- the whole screen ---------------------------------------------------------------------------------------

/** Visible width of a segment's text: ASCII fast; wide (CJK, emoji) characters take 2 columns, marks 0. */
export function textWidth(text: string): number {
  if (/^[\u0000-\u007f]*$/.test(text)) return text.length
  let w = 0
  for (const ch of text) w += charWidth(ch.codePointAt(0) as number)
  return w
}

function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2
  return 1
}

/** Cut a line to `width` columns (a cut ends in `~`) and pad it with spaces to exactly `width`. */
export function padLine(line: Line, width: number): Line {
  const out: Line = []
  let used = 0
  for (const g of line) {
    const w = textWidth(g.text)
    if (used + w <= width) {
      out.push(g)
      used += w
      continue
    }
    // cut inside this segment: keep what fits, one column for the mark
    let text = ''
    let tw = 0
    for (const ch of g.text) {
      const cw = charWidth(ch.codePointAt(0) as number)
      if (used + tw + cw > width - 1) break
      text += ch
      tw += cw
    }
    out.push({...g, text: text + (width - used - tw > 0 ? '~' : '')})
    used += tw + (width - used - tw > 0 ? 1 : 0)
    break
  }
  if (used < width) out.push({text: ' '.repeat(width - used)})
  return out
}

/** A block of `height` lines, each exactly `width` columns. */
function block(lines: Line[], width: number, height: number): Line[] {
  const out = lines.slice(0, height).map((l) => padLine(l, width))
  while (out.length < height) out.push([{text: ' '.repeat(width)}])
  return out
}

/** Two blocks side by side with a one-column gap. */
function beside(left: Line[], right: Line[], gap: number): Line[] {
  return left.map((l, i) => [...l, {text: ' '.repeat(gap)}, ...(right[i] ?? [])])
}

export interface ScreenView {
  state: MonitorState
  label: string
  /** Host clock now (ms). */
  now: number
  /** The device's virtual time now (ms). */
  worldMs: number | undefined
  width: number
  /** Lines of the whole frame (header, body, footer). */
  height: number
  /** The apps shown (filtered), the selected one's index, the filter. */
  apps: readonly SphereAppInfo[]
  selected: number
  filter: string
  details: boolean
  footer: FooterView
}

/** The rows of the body under the header: the process table's height and what is left for the panels. */
export function bodyLayout(body: number, appCount: number): {tableH: number; bottom: number} {
  const maxRows = Math.max(3, Math.floor((body - 2) * 0.4))
  const tableH = 2 + Math.min(maxRows, Math.max(1, appCount))
  return {tableH, bottom: body - tableH}
}

/** The normal monitor screen, laid out: header, process table, capabilities or details, log, audit, board, footer. */
export function screenLines(v: ScreenView): Line[] {
  const {state, width, height} = v
  const body = height - 3
  const app = v.apps[v.selected]
  const cid = app?.componentId
  const {tableH, bottom} = bodyLayout(body, v.apps.length)
  const usage = cid ? state.usage[cid.toLowerCase()] : undefined
  const logs = cid ? (state.logs[cid.toLowerCase()] ?? []) : []
  const appPanel = (w: number, h: number): Line[] =>
    block((v.details ? detailsPanelLines : capabilityPanelLines)({app, usage, width: w, height: h}), w, h)
  const log = (w: number, h: number): Line[] =>
    block(logTailLines({appName: app?.name, entries: logs, width: w, height: h}), w, h)
  const audit = (w: number, h: number): Line[] =>
    block(auditFeedLines({records: state.audit, apps: state.apps, width: w, height: h}), w, h)
  const board = (w: number, h: number): Line[] =>
    block(boardPanelLines({world: state.world, nowMs: v.worldMs, width: w, height: h}), w, h)
  let panels: Line[]
  if (width >= 70) {
    const leftW = Math.floor((width - 1) / 2)
    const rightW = width - 1 - leftW
    const leftTop = v.details ? Math.max(3, bottom - 4) : Math.ceil(bottom * 0.45)
    const boardH = Math.min(Math.max(3, bottom - 3), 1 + boardLineCount(state.world, v.worldMs))
    panels = beside(
      [...appPanel(leftW, leftTop), ...log(leftW, bottom - leftTop)],
      [...audit(rightW, bottom - boardH), ...board(rightW, boardH)],
      1,
    )
  } else {
    const boardH = Math.min(1 + boardLineCount(state.world, v.worldMs), Math.max(2, Math.floor(bottom / 3)))
    const rest = bottom - boardH
    const capsH = v.details ? Math.ceil(rest * 0.6) : Math.ceil(rest / 3)
    const auditH = Math.floor((rest - capsH) / 2)
    panels = [
      ...appPanel(width, capsH),
      ...log(width, rest - capsH - auditH),
      ...audit(width, auditH),
      ...board(width, boardH),
    ]
  }
  const table = processTableLines({
    apps: v.apps,
    selected: v.selected,
    width,
    height: tableH,
    filter: v.filter,
    total: state.apps.length,
    stale: state.connection.status !== 'live',
  })
  return [
    ...block(headerLines({state, label: v.label, now: v.now, width}), width, 2),
    ...block(table, width, tableH),
    ...panels.slice(0, Math.max(0, bottom)),
    ...block([footerLine(v.footer)], width, 1),
  ]
}

/** A line as plain text (no styles). */
export function plainText(line: Line): string {
  return line.map((g) => g.text).join('')
}
