/** Everything about the selected app (Enter): full IDs, exact memory, every capability line. */
import {Text} from 'ink'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {cell, fit, formatBytes, formatPercent, type AppUsage} from '../model.js'
import {capabilityLines} from './CapabilityPanel.js'
import {Section} from './Section.js'
import {stateRole, useTheme} from './theme.js'

export interface DetailsPanelProps {
  app: SphereAppInfo | undefined
  usage: AppUsage | undefined
  width: number
  height: number
}

export function DetailsPanel({app, usage, width, height}: DetailsPanelProps) {
  const t = useTheme()
  if (!app) {
    return (
      <Section title="Details" width={width} height={height}>
        <Text color={t.c('muted')}>{fit('no app selected', width)}</Text>
      </Section>
    )
  }
  const m = app.memory
  const mem = (n: number): string => `${formatBytes(n)} (${n} B)`
  const caps = capabilityLines(app, usage)
  const fixed = 5
  const room = Math.max(0, height - 1 - fixed)
  return (
    <Section title="Details" subtitle={`${app.name} · Enter/Esc: back`} width={width} height={height}>
      <Text wrap="truncate">{fit(`Component ${app.componentId}`, width)}</Text>
      <Text wrap="truncate">
        State <Text color={t.c(stateRole(app.state))}>{app.state}</Text>
        {fit(
          `  pid ${app.pid ?? '-'}  uid ${app.uid}  restarts ${app.restarts}  cpu ${formatPercent(app.cpuShare)}`,
          Math.max(0, width - 6 - app.state.length),
        )}
      </Text>
      <Text wrap="truncate">{fit(`Memory now ${mem(m.currentBytes)}`, width)}</Text>
      <Text wrap="truncate">{fit(`       peak ${mem(m.peakBytes)}  limit ${mem(m.limitBytes)}`, width)}</Text>
      <Text wrap="truncate" bold>
        {fit(`Capabilities (${caps.filter((c) => c.status === 'used').length}/${app.capabilities.length} used)`, width)}
      </Text>
      {caps.slice(0, room).map((l, i) => (
        <Text key={i} wrap="truncate">
          <Text color={t.c(l.role)}>{l.mark} </Text>
          {cell(l.text, Math.max(4, width - 20))} <Text color={t.c(l.role)}>{fit(l.status, 17)}</Text>
        </Text>
      ))}
    </Section>
  )
}
