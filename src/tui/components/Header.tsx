/** The top two lines: which device, its OS, uptime, capabilities, manufacturing state and clock. */
import {Box, Text} from 'ink'
import {headerFacts, type MonitorState} from '../model.js'
import {fitA} from './text.js'
import {useTheme} from './theme.js'

export interface HeaderProps {
  state: MonitorState
  /** Where the device is, e.g. "simulator 'default'". */
  label: string
  now: number
  width: number
}

export function Header({state, label, now, width}: HeaderProps) {
  const t = useTheme()
  const h = headerFacts(state, now)
  const c = state.connection
  const first = fitA(`sphere monitor | ${label}${h.deviceId === '-' ? '' : ` | ID ${h.deviceId}`}`, width)
  let second
  if (c.status === 'live' && state.device) {
    second = (
      <Text wrap="truncate">
        <Text wrap="truncate" color={t.c('muted')}>
          OS{' '}
        </Text>
        <Text wrap="truncate" bold>
          {h.osVersion}
        </Text>
        <Text wrap="truncate" color={t.c('muted')}>
          {' '}
          up{' '}
        </Text>
        <Text wrap="truncate" bold>
          {h.uptime}
        </Text>
        <Text wrap="truncate" color={t.c('muted')}>
          {' '}
          clock{' '}
        </Text>
        <Text wrap="truncate">{h.clock}</Text>
        <Text wrap="truncate" color={t.c('muted')}>
          {' '}
          mfg{' '}
        </Text>
        <Text wrap="truncate">{h.manufacturingState}</Text>
        <Text wrap="truncate" color={t.c('muted')}>
          {' '}
          caps{' '}
        </Text>
        <Text wrap="truncate">{fitA(h.capabilities, Math.max(1, width - 40))}</Text>
      </Text>
    )
  } else if (c.status === 'reconnecting') {
    const msg = ` DEVICE GONE | reconnecting (attempt ${c.attempt}, next in ${(c.retryInMs / 1000).toFixed(1)}s) | ${c.error} `
    second = (
      <Text wrap="truncate" inverse bold color={t.c('bad')}>
        {fitA(msg, width)}
      </Text>
    )
  } else if (c.status === 'stopped') {
    second = <Text wrap="truncate">{fitA('stopped', width)}</Text>
  } else {
    second = (
      <Text wrap="truncate" color={t.c('warn')}>
        {fitA(`connecting to ${label}...`, width)}
      </Text>
    )
  }
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Text wrap="truncate" bold>
        {first}
      </Text>
      {second}
    </Box>
  )
}
