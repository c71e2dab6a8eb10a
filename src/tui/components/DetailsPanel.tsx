/** Everything about the selected app (Enter): full IDs, exact memory, every capability line. */
import {Text} from 'ink'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {formatBytes, formatPercent, type AppUsage} from '../model.js'
import {CapabilityRow, capabilityLines} from './CapabilityPanel.js'
import {Section} from './Section.js'
import {fitA} from './text.js'
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
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no app selected', width)}
        </Text>
      </Section>
    )
  }
  const m = app.memory
  const mem = (n: number): string => `${formatBytes(n)} (${n} B)`
  const caps = capabilityLines(app, usage)
  const fixed = 5
  const room = Math.max(0, height - 1 - fixed)
  return (
    <Section title="Details" subtitle={`${app.name} | Enter/Esc: back`} width={width} height={height}>
      <Text wrap="truncate">{fitA(`Component ${app.componentId}`, width)}</Text>
      <Text wrap="truncate">
        State <Text color={t.c(stateRole(app.state))}>{app.state}</Text>
        {fitA(
          `  pid ${app.pid ?? '-'}  uid ${app.uid}  restarts ${app.restarts}  cpu ${formatPercent(app.cpuShare)}`,
          Math.max(0, width - 6 - app.state.length),
        )}
      </Text>
      <Text wrap="truncate">{fitA(`Memory now ${mem(m.currentBytes)}`, width)}</Text>
      <Text wrap="truncate">{fitA(`       peak ${mem(m.peakBytes)}  limit ${mem(m.limitBytes)}`, width)}</Text>
      <Text wrap="truncate" bold>
        {fitA(
          `Capabilities (${caps.filter((c) => c.status === 'used').length}/${app.capabilities.length} used)`,
          width,
        )}
      </Text>
      {caps.slice(0, room).map((l, i) => (
        <CapabilityRow key={i} line={l} width={width} statusWidth={17} />
      ))}
    </Section>
  )
}
