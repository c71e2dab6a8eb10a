/** The selected app's declared capabilities next to what it used, and what the LSM denied it. */
import {Text} from 'ink'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {capabilityRows, cell, fit, type AppUsage} from '../model.js'
import {Section} from './Section.js'
import {useTheme} from './theme.js'

export interface CapabilityPanelProps {
  app: SphereAppInfo | undefined
  usage: AppUsage | undefined
  width: number
  height: number
}

/** The panel's lines: mark, capability, status. Exported for the details view. */
export function capabilityLines(
  app: SphereAppInfo,
  usage: AppUsage | undefined,
): {mark: string; text: string; status: string; role: 'ok' | 'muted' | 'bad' | 'warn'}[] {
  const {rows, undeclaredUsed} = capabilityRows(app.capabilities, usage)
  const out: {mark: string; text: string; status: string; role: 'ok' | 'muted' | 'bad' | 'warn'}[] = rows.map((r) =>
    r.used
      ? {mark: '✓', text: r.capability, status: 'used', role: 'ok'}
      : {mark: '·', text: r.capability, status: 'unused', role: 'muted'},
  )
  for (const u of undeclaredUsed) out.push({mark: '!', text: u, status: 'used, undeclared', role: 'warn'})
  for (const [what, n] of Object.entries(usage?.denied ?? {}))
    out.push({mark: '✗', text: what, status: `denied ×${n}`, role: 'bad'})
  return out
}

export function CapabilityPanel({app, usage, width, height}: CapabilityPanelProps) {
  const t = useTheme()
  const body = Math.max(0, height - 1)
  if (!app) {
    return (
      <Section title="Capabilities" width={width} height={height}>
        <Text color={t.c('muted')}>{fit('no app selected', width)}</Text>
      </Section>
    )
  }
  const lines = capabilityLines(app, usage)
  const used = lines.filter((l) => l.status === 'used').length
  const shown = lines.length > body ? lines.slice(0, Math.max(0, body - 1)) : lines
  const statusWidth = 16
  return (
    <Section
      title="Capabilities"
      subtitle={`${app.name} · ${used}/${app.capabilities.length} used`}
      width={width}
      height={height}
    >
      {lines.length === 0 ? <Text color={t.c('muted')}>{fit('none declared', width)}</Text> : null}
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate">
          <Text color={t.c(l.role)}>{l.mark} </Text>
          {cell(l.text, Math.max(4, width - statusWidth - 3))}{' '}
          <Text color={t.c(l.role)}>{fit(l.status, statusWidth)}</Text>
        </Text>
      ))}
      {shown.length < lines.length ? (
        <Text color={t.c('muted')}>{fit(`… ${lines.length - shown.length} more (Enter: details)`, width)}</Text>
      ) : null}
    </Section>
  )
}
