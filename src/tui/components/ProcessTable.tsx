/** The process table: one row per app with pid, uid, state, memory bar, restarts and cpu share. */
import {Box, Text} from 'ink'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {appCells, headerCells, tableLayout} from '../table.js'
import {Section} from './Section.js'
import {fitA} from './text.js'
import {stateRole, useTheme} from './theme.js'

export interface ProcessTableProps {
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

export function ProcessTable({apps, selected, width, height, filter, total, stale}: ProcessTableProps) {
  const t = useTheme()
  const layout = tableLayout(width)
  const h = headerCells(layout)
  const visible = Math.max(0, height - 2)
  const top = scrollTop(selected, visible, apps.length)
  const shown = apps.slice(top, top + visible)
  const subtitle = `${apps.length === total ? `${total} app${total === 1 ? '' : 's'}` : `${apps.length} of ${total}`}${filter ? ` | filter "${filter}"` : ''}${
    top > 0 || top + visible < apps.length ? ` | ${top + 1}-${top + shown.length}` : ''
  }`
  return (
    <Section title="Processes" subtitle={subtitle} width={width} height={height}>
      <Text wrap="truncate" bold color={t.c('muted')}>
        {fitA(
          `  ${h.name} ${h.componentId} ${h.pid} ${h.uid ? h.uid + ' ' : ''}${h.state} ${h.bar} ${h.memory} ${h.restarts} ${h.cpu}`,
          width,
        )}
      </Text>
      {apps.length === 0 ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {total === 0 ? '  (no applications installed)' : '  (no application matches the filter)'}
        </Text>
      ) : null}
      {shown.map((a, i) => {
        const sel = top + i === selected
        const c = appCells(a, layout, '~')
        const memFrac = a.memory.limitBytes > 0 ? a.memory.currentBytes / a.memory.limitBytes : 0
        const barRole = memFrac >= 0.9 ? 'bad' : memFrac >= 0.7 ? 'warn' : 'ok'
        // Three text nodes: the ASCII columns stay on Ink's fast path, only the bar has block characters.
        return (
          <Box key={a.componentId} width={width}>
            <Text wrap="truncate" inverse={sel} dimColor={stale}>
              {sel ? '> ' : '  '}
              {c.name} <Text color={t.c('muted')}>{c.componentId}</Text> {c.pid} {c.uid ? c.uid + ' ' : ''}
              <Text wrap="truncate" color={stale ? undefined : t.c(stateRole(a.state))}>
                {c.state}
              </Text>{' '}
            </Text>
            <Text wrap="truncate" inverse={sel} dimColor={stale} color={stale ? undefined : t.c(barRole)}>
              {c.bar}
            </Text>
            <Text wrap="truncate" inverse={sel} dimColor={stale}>
              {' '}
              {c.memory} <Text color={a.restarts > 0 ? t.c('warn') : undefined}>{c.restarts}</Text> {c.cpu}
            </Text>
          </Box>
        )
      })}
    </Section>
  )
}
