/** The board: each RGB LED's colour, the buttons, and the levels of pins in use. */
import {Box, Text} from 'ink'
import type {SphereWorldState} from '../../protocol/rest-api.js'
import {ledGroups} from '../model.js'
import {Section} from './Section.js'
import {cellA, fitA} from './text.js'
import {ledRole, useTheme} from './theme.js'

export interface BoardPanelProps {
  world: SphereWorldState | undefined
  width: number
  height: number
}

const CELL = 18

/** Rows of LED cells that fit `width`. */
export function ledRowCount(world: SphereWorldState | undefined, width: number): number {
  return Math.ceil(ledGroups(world).length / Math.max(1, Math.floor(width / CELL)))
}

export function BoardPanel({world, width, height}: BoardPanelProps) {
  const t = useTheme()
  if (!world) {
    return (
      <Section title="Board" width={width} height={height}>
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no board state', width)}
        </Text>
      </Section>
    )
  }
  const leds = ledGroups(world)
  const perRow = Math.max(1, Math.floor(width / CELL))
  const rows: (typeof leds)[] = []
  for (let i = 0; i < leds.length; i += perRow) rows.push(leds.slice(i, i + perRow))
  const pins = (world.gpios ?? []).filter((g) => g.direction !== 'unused')
  const pinText = pins.map((g) => `${g.id}${g.direction === 'out' ? '>' : '<'}${g.level}`).join(' ')
  const lines = [
    <Text wrap="truncate" key="buttons">
      {'Buttons '}
      {(world.buttons ?? []).map((b) => (
        <Text wrap="truncate" key={b.name} inverse={b.pressed} bold={b.pressed}>
          {` ${b.name}:${b.pressed ? 'DOWN' : 'up'} `}
        </Text>
      ))}
    </Text>,
    <Text wrap="truncate" key="pins" color={t.c('muted')}>
      {fitA(`Pins ${pinText || '(none in use)'}`, width)}
    </Text>,
    ...rows.map((row, i) => (
      <Box key={i}>
        {row.map((g) => (
          <Box key={g.name}>
            <Text wrap="truncate" color={t.c(ledRole(g.color))}>
              {g.color === 'off' ? '○' : '●'}
            </Text>
            <Text wrap="truncate">{cellA(` ${g.name} ${g.color}`, CELL - 1)}</Text>
          </Box>
        ))}
      </Box>
    )),
  ]
  // LEDs first, then buttons and pins; cut from the end when the panel is short.
  const ordered = [...lines.slice(2), lines[0], lines[1]].slice(0, Math.max(0, height - 1))
  return (
    <Section title="Board" subtitle="b/B press A/B" width={width} height={height}>
      {ordered}
    </Section>
  )
}
