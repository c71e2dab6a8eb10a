/** The board: each RGB LED's colour, the buttons, and the levels of pins in use. */
import {Box, Text} from 'ink'
import type {SphereWorldState} from '../../protocol/rest-api.js'
import {cell, fit, ledGroups} from '../model.js'
import {Section} from './Section.js'
import {ledRole, useTheme} from './theme.js'

export interface BoardPanelProps {
  world: SphereWorldState | undefined
  width: number
  height: number
}

export function BoardPanel({world, width, height}: BoardPanelProps) {
  const t = useTheme()
  if (!world) {
    return (
      <Section title="Board" width={width} height={height}>
        <Text color={t.c('muted')}>{fit('no board state', width)}</Text>
      </Section>
    )
  }
  const leds = ledGroups(world)
  const cellWidth = 18
  const perRow = Math.max(1, Math.floor(width / cellWidth))
  const rows: (typeof leds)[] = []
  for (let i = 0; i < leds.length; i += perRow) rows.push(leds.slice(i, i + perRow))
  const pins = (world.gpios ?? []).filter((g) => g.direction !== 'unused')
  const pinText = pins.map((g) => `${g.id}${g.direction === 'out' ? '>' : '<'}${g.level}`).join(' ')
  return (
    <Section title="Board" subtitle="b/B press A/B" width={width} height={height}>
      {rows.map((row, i) => (
        <Box key={i}>
          {row.map((g) => (
            <Text key={g.name} wrap="truncate">
              <Text color={t.c(ledRole(g.color))}>{g.color === 'off' ? '○' : '●'}</Text>
              {cell(` ${g.name} ${g.color}`, cellWidth - 1)}
            </Text>
          ))}
        </Box>
      ))}
      <Text wrap="truncate">
        {'Buttons '}
        {(world.buttons ?? []).map((b) => (
          <Text key={b.name} inverse={b.pressed} bold={b.pressed}>
            {` ${b.name}:${b.pressed ? 'DOWN' : 'up'} `}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate" color={t.c('muted')}>
        {fit(`Pins ${pinText || '(none in use)'}`, width)}
      </Text>
    </Section>
  )
}
