/** A titled panel: one inverse heading line, then its body (the caller keeps it within the height). */
import {Box, Text} from 'ink'
import type {ReactNode} from 'react'
import {cellA} from './text.js'
import {useTheme} from './theme.js'

export interface SectionProps {
  title: string
  /** Extra text after the title, e.g. the selected app's name. */
  subtitle?: string | undefined
  width: number
  /** Total height including the heading line. */
  height: number
  children?: ReactNode
}

export function Section({title, subtitle, width, height, children}: SectionProps) {
  const t = useTheme()
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold inverse color={t.c('accent')}>
        {cellA(` ${title}${subtitle ? ` | ${subtitle}` : ''}`, width)}
      </Text>
      {children}
    </Box>
  )
}
