/** A titled panel: one heading line, then its body clipped to the given height. */
import {Box, Text} from 'ink'
import type {ReactNode} from 'react'
import {fit} from '../model.js'
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
  const head = fit(`─ ${title}${subtitle ? ` · ${subtitle}` : ''} `, width)
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate">
        <Text bold color={t.c('accent')}>
          {head}
        </Text>
        <Text color={t.c('muted')}>{'─'.repeat(Math.max(0, width - head.length))}</Text>
      </Text>
      {children}
    </Box>
  )
}
