/** Ink drawing of the view's styled lines (view.ts): one Text per line, one nested Text per segment. */
import {Box, Text} from 'ink'
import type {Line} from '../view.js'
import {useTheme} from './theme.js'

export function LineText({line}: {line: Line}) {
  const t = useTheme()
  return (
    <Text wrap="truncate">
      {line.map((g, i) => (
        <Text key={i} color={g.role ? t.c(g.role) : undefined} bold={g.bold} inverse={g.inverse} dimColor={g.dim}>
          {g.text}
        </Text>
      ))}
    </Text>
  )
}

/** A column of lines, `width` wide (and `height` tall when given). */
export function Lines({lines, width, height}: {lines: readonly Line[]; width: number; height?: number | undefined}) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.map((l, i) => (
        <LineText key={i} line={l} />
      ))}
    </Box>
  )
}
