/** The selected app's last output lines. */
import {Text} from 'ink'
import type {SphereLogEntry} from '../../protocol/rest-api.js'
import {fitA} from './text.js'
import {Section} from './Section.js'
import {useTheme} from './theme.js'

export interface LogTailProps {
  /** The app's name (heading); undefined when none is selected. */
  appName: string | undefined
  entries: readonly SphereLogEntry[]
  width: number
  height: number
}

export function LogTail({appName, entries, width, height}: LogTailProps) {
  const t = useTheme()
  const body = Math.max(0, height - 1)
  // One entry may hold several lines; show the last `body` visual lines.
  const lines: {key: string; text: string; stream: SphereLogEntry['stream']}[] = []
  for (const e of entries) {
    const parts = e.text.replace(/\n$/, '').split('\n')
    parts.forEach((p, i) => lines.push({key: `${e.seq}.${i}`, text: p, stream: e.stream}))
  }
  const shown = lines.slice(Math.max(0, lines.length - body))
  return (
    <Section title="Log" subtitle={appName} width={width} height={height}>
      {appName === undefined ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no app selected', width)}
        </Text>
      ) : null}
      {appName !== undefined && shown.length === 0 ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no output yet', width)}
        </Text>
      ) : null}
      {shown.map((l) => (
        <Text
          key={l.key}

          color={l.stream === 'stderr' ? t.c('bad') : l.stream === 'system' ? t.c('muted') : undefined}
        >
          {fitA(l.text.replace(/\t/g, '  '), width)}
        </Text>
      ))}
    </Section>
  )
}
