/** The key list (`?`). */
import {Box, Text} from 'ink'
import {cellA, fitA} from './text.js'
import {Section} from './Section.js'
import {useTheme} from './theme.js'

/** Every key binding with what it does (also used by the footer and the docs). */
export const KEY_BINDINGS: readonly (readonly [string, string])[] = [
  ['Up Down j k', 'select an app'],
  ['Enter', 'details of the selected app (Esc or Enter: back)'],
  ['s', 'start the selected app, or stop it when running'],
  ['r', 'restart the selected app (stop, then start)'],
  ['d', 'delete the selected app (asks to confirm with y)'],
  ['b  B', 'press board button A / B'],
  ['/', 'filter apps by name, component ID or state (Enter keeps, Esc clears)'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit'],
]

export function HelpOverlay({width, height}: {width: number; height: number}) {
  const t = useTheme()
  return (
    <Section title="Keys" subtitle="any key closes" width={width} height={height}>
      {KEY_BINDINGS.map(([k, what]) => (
        <Box key={k}>
          <Text wrap="truncate">
            <Text wrap="truncate" bold color={t.c('accent')}>
              {cellA(k, 12)}
            </Text>
            {fitA(what, Math.max(1, width - 12))}
          </Text>
        </Box>
      ))}
      <Text wrap="truncate" color={t.c('muted')}>
        {fitA('Memory bars: now/limit, the thin mark is the peak. Audit: allow/DENY decisions of the LSM.', width)}
      </Text>
    </Section>
  )
}
