/** The key list and the legend (`?`): every key, and every abbreviation and mark the screen uses. */
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
  ['i', 'the full device ID and component ID (they are cut short on screen)'],
  ['/', 'filter apps by name, component ID or state (Enter keeps, Esc clears)'],
  ['?', 'this help and legend (any key closes it)'],
  ['q  Ctrl-C', 'quit (the simulator keeps running)'],
]

/** Every abbreviation and mark on the screen, with its meaning. */
export const LEGEND: readonly (readonly [string, string])[] = [
  ['CID', 'component ID (first 8 characters; i shows it whole)'],
  ['PID UID', 'process ID and user ID of the running app'],
  ['STATE', 'Running Stopped Crashed Debugging NotPresent Starting (as azsphere names them)'],
  ['S', 'scheduler: R runnable, S sleeping in a blocking call (a timer, poll, read); - no process'],
  ['MEMORY', 'bar of now/limit, the thin mark is the peak; NOW/PEAK/LIMIT in bytes'],
  ['RST CPU', 'automatic restarts after crashes; share of the CPU since boot'],
  ['clock', 'realtime or fast-fwd (virtual time jumps when idle), x speed'],
  ['mfg caps', 'manufacturing state; device capabilities (appDevelopment ...)'],
  ['cloud', 'Azure IoT link of the apps (the worst): connected, retrying + why, disconnected; hub'],
  ['~', 'a value cut short: i shows IDs whole, Enter shows an app in full'],
  ['◐ ● ○', 'LED blinking (rate in Hz, measured by the device) / steady on / steady off'],
  ['Pins', 'out/in GPIO: N=level (0 low, 1 high) or blinking at a rate'],
  ['allow DENY', 'audit: decisions of the security module (LSM) on app operations'],
]

export function HelpOverlay({width, height}: {width: number; height: number}) {
  const t = useTheme()
  const row = ([k, what]: readonly [string, string], i: number, keyW: number) => (
    <Box key={`${k}-${i}`}>
      <Text wrap="truncate">
        <Text wrap="truncate" bold color={t.c('accent')}>
          {cellA(k, keyW)}
        </Text>
        {fitA(what, Math.max(1, width - keyW))}
      </Text>
    </Box>
  )
  const lines = [
    ...KEY_BINDINGS.map((b, i) => row(b, i, 12)),
    <Text wrap="truncate" key="legend" bold>
      {fitA('Legend', width)}
    </Text>,
    ...LEGEND.map((b, i) => row(b, i, 12)),
  ]
  return (
    <Section title="Keys and legend" subtitle="any key closes" width={width} height={height}>
      {lines.slice(0, Math.max(0, height - 1))}
    </Section>
  )
}

/** The IDs the screen cuts short, whole and wrapped (`i`). */
export function IdsOverlay({
  width,
  height,
  deviceId,
  app,
}: {
  width: number
  height: number
  deviceId: string | undefined
  app: {name: string; componentId: string} | undefined
}) {
  const wrap = (s: string): string[] => {
    const out: string[] = []
    for (let i = 0; i < s.length; i += Math.max(1, width)) out.push(s.slice(i, i + Math.max(1, width)))
    return out
  }
  const lines = [
    'Device ID',
    ...wrap(deviceId ?? '-'),
    '',
    app ? `Component ID of ${app.name}` : 'No app selected',
    ...(app ? wrap(app.componentId) : []),
  ]
  return (
    <Section title="IDs" subtitle="any key closes" width={width} height={height}>
      {lines.slice(0, Math.max(0, height - 1)).map((l, i) => (
        <Text wrap="truncate" key={i}>
          {l}
        </Text>
      ))}
    </Section>
  )
}
