/** The selected app's declared capabilities next to what it used, and what the LSM denied it. */
import {Box, Text} from 'ink'
import type {SphereAppInfo} from '../../protocol/rest-api.js'
import {capabilityRows, type AppUsage} from '../model.js'
import {Section} from './Section.js'
import {cellA, fitA} from './text.js'
import {useTheme, type Role} from './theme.js'

export interface CapabilityPanelProps {
  app: SphereAppInfo | undefined
  usage: AppUsage | undefined
  width: number
  height: number
}

export interface CapabilityLine {
  mark: string
  text: string
  status: string
  role: Role
}

/** The panel's lines: mark, capability, status. Also used by the details view. */
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

/** One capability line: the mark in a node of its own (non-ASCII), the rest plain. */
export function CapabilityRow({line, width, statusWidth}: {line: CapabilityLine; width: number; statusWidth: number}) {
  const t = useTheme()
  return (
    <Box>
      <Text wrap="truncate" color={t.c(line.role)}>
        {line.mark}
      </Text>
      <Text wrap="truncate">
        {' '}
        {cellA(line.text, Math.max(4, width - statusWidth - 3))}{' '}
        <Text color={t.c(line.role)}>{fitA(line.status, statusWidth)}</Text>
      </Text>
    </Box>
  )
}

export function CapabilityPanel({app, usage, width, height}: CapabilityPanelProps) {
  const t = useTheme()
  const body = Math.max(0, height - 1)
  if (!app) {
    return (
      <Section title="Capabilities" width={width} height={height}>
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no app selected', width)}
        </Text>
      </Section>
    )
  }
  const lines = capabilityLines(app, usage)
  const used = lines.filter((l) => l.status === 'used').length
  const shown = lines.length > body ? lines.slice(0, Math.max(0, body - 1)) : lines
  return (
    <Section
      title="Capabilities"
      subtitle={`${app.name} | ${used}/${app.capabilities.length} used`}
      width={width}
      height={height}
    >
      {lines.length === 0 ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('none declared', width)}
        </Text>
      ) : null}
      {shown.map((l, i) => (
        <CapabilityRow key={i} line={l} width={width} statusWidth={16} />
      ))}
      {shown.length < lines.length ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA(`... ${lines.length - shown.length} more (Enter: details)`, width)}
        </Text>
      ) : null}
    </Section>
  )
}
