/** A titled panel: one inverse heading line, then its body (the caller keeps it within the height). */
import {Box} from 'ink'
import type {ReactNode} from 'react'
import {sectionHeading} from '../view.js'
import {LineText} from './Lines.js'

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
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={sectionHeading(title, subtitle, width)} />
      {children}
    </Box>
  )
}
