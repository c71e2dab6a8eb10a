import {describe, expect, it} from '@jest/globals'
import {render} from 'ink-testing-library'
import {AuditFeed} from '../../src/tui/components/AuditFeed.js'
import {BoardPanel} from '../../src/tui/components/BoardPanel.js'
import {CapabilityPanel} from '../../src/tui/components/CapabilityPanel.js'
import {DetailsPanel} from '../../src/tui/components/DetailsPanel.js'
import {Footer, HINTS} from '../../src/tui/components/Footer.js'
import {Header} from '../../src/tui/components/Header.js'
import {HelpOverlay, IdsOverlay, KEY_BINDINGS, LEGEND} from '../../src/tui/components/HelpOverlay.js'
import {LogTail} from '../../src/tui/components/LogTail.js'
import {ProcessTable, scrollTop} from '../../src/tui/components/ProcessTable.js'
import {applyEvent, initialState} from '../../src/tui/index.js'
import {CID, auditRecord, logEntry, makeApp, makeWorld, snapshot} from './fake-source.js'

function frame(node: React.ReactElement): string[] {
  const r = render(node)
  const f = r.lastFrame() ?? ''
  r.unmount()
  return f.split('\n')
}

describe('Header', () => {
  const live = applyEvent(
    initialState(),
    snapshot(undefined, {
      device: {manufacturingState: 'DeviceComplete', clock: {mode: 'fast-forward', virtualTimeMs: 9, speed: 4}},
    }),
    0,
  )

  it('shows device ID, OS, uptime, clock, manufacturing state and capabilities', () => {
    const [l1, l2] = frame(<Header state={live} label="simulator 'default'" now={0} width={100} />)
    // the 128-digit device ID is cut in the middle, keeping both ends, within the width
    expect(l1).toMatch(/^sphere monitor \| simulator 'default' \| ID (ab)+a?~b?(ab)+ {2}\? help$/)
    expect(l1?.length).toBeLessThanOrEqual(100)
    expect(l2).toBe('OS 25.04 up 1h02m clock fast-fwd x4 mfg DeviceComplete caps appDevelopment')
  })

  it('shows a clear device-gone state while reconnecting', () => {
    const gone = {
      ...live,
      connection: {status: 'reconnecting' as const, attempt: 2, error: 'connection refused', retryInMs: 500},
    }
    const [, l2] = frame(<Header state={gone} label="sim" now={0} width={100} />)
    expect(l2).toContain('DEVICE GONE | reconnecting (attempt 2, next in 0.5s) | connection refused')
  })

  it('shows connecting before the first snapshot', () => {
    const [l1, l2] = frame(<Header state={initialState()} label="serial /dev/ttyUSB0" now={0} width={80} />)
    expect(l1).toBe('sphere monitor | serial /dev/ttyUSB0  ? help')
    expect(l2).toBe('connecting to serial /dev/ttyUSB0...')
  })
})

describe('ProcessTable', () => {
  const apps = [
    makeApp('blink', {
      memory: {currentBytes: 200 * 1024, peakBytes: 240 * 1024, limitBytes: 256 * 1024},
      restarts: 1,
      cpuShare: 0.71,
    }),
    makeApp('sensor', {state: 'stopped', pid: null, cpuShare: 0}),
    makeApp('spin', {state: 'crashed'}),
  ]

  it('has one row per app with pid, uid, state, memory bar, now/peak/limit, restarts and cpu; marks the selection', () => {
    const lines = frame(
      <ProcessTable apps={apps} selected={1} width={80} height={6} filter="" total={3} stale={false} />,
    )
    expect(lines[0]).toMatch(/^ Processes | 3 apps$/)
    expect(lines[1]).toMatch(/^ {2}NAME +CID +PID +UID STATE +S +MEMORY +NOW\/PEAK\/LIMIT RST +CPU$/)
    expect(lines[2]).toMatch(/^ {2}blink +4d46953f +10 +1000 Running +S +█████░▏ 200K\/240K\/256K +1 +71%$/)
    expect(lines[3]).toMatch(/^> sensor +11111111 +- +1001 Stopped +- +██▏░░░░ 64K\/96K\/256K +0 +-$/)
    expect(lines[4]).toMatch(/^ {2}spin +aaaaaaaa +12 +1002 Crashed +- /)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
  })

  it('scrolls to keep the selection visible and says which rows are shown', () => {
    const many = Array.from({length: 10}, (_, i) =>
      makeApp('blink', {name: `app${i}`, componentId: `0000000${i}-0000-4000-8000-000000000000`}),
    )
    const lines = frame(
      <ProcessTable apps={many} selected={7} width={80} height={5} filter="" total={10} stale={false} />,
    )
    expect(lines[0]).toContain('10 apps | 6-8')
    expect(
      lines
        .slice(2)
        .map((l) => (l.trim().split(/\s+/)[0] === '>' ? l.trim().split(/\s+/)[1] : l.trim().split(/\s+/)[0])),
    ).toEqual(['app5', 'app6', 'app7'])
    expect(lines[4]).toMatch(/^> app7/)
    expect(scrollTop(0, 3, 10)).toBe(0)
    expect(scrollTop(9, 3, 10)).toBe(7)
    expect(scrollTop(1, 3, 2)).toBe(0)
  })

  it('shows the filter and empty states', () => {
    expect(
      frame(
        <ProcessTable apps={[apps[0]!]} selected={0} width={80} height={4} filter="bli" total={3} stale={false} />,
      )[0],
    ).toContain('1 of 3 | filter "bli"')
    expect(
      frame(<ProcessTable apps={[]} selected={-1} width={80} height={4} filter="zzz" total={3} stale={false} />)[2],
    ).toBe('  (no application matches the filter)')
    expect(
      frame(<ProcessTable apps={[]} selected={-1} width={80} height={4} filter="" total={0} stale={false} />)[2],
    ).toBe('  (no applications installed)')
  })

  it('shows the full component ID on wide terminals', () => {
    const lines = frame(
      <ProcessTable apps={apps} selected={0} width={160} height={4} filter="" total={3} stale={false} />,
    )
    expect(lines[1]).toContain('COMPONENT ID')
    expect(lines[2]).toContain(CID.blink)
  })
})

describe('CapabilityPanel', () => {
  it('lists declared capabilities as used/unused, then undeclared use and denials', () => {
    const usage = {used: ['Gpio:8', 'SystemTime'], denied: {'gpio.open gpio=30': 2}}
    const lines = frame(<CapabilityPanel app={makeApp('blink')} usage={usage} width={40} height={8} />)
    expect(lines[0]).toMatch(/^ Capabilities | blink | 1\/3 used$/)
    expect(lines[1]).toMatch(/^✓ Gpio:8 +used$/)
    expect(lines[2]).toMatch(/^· Gpio:9 +unused$/)
    expect(lines[3]).toMatch(/^· Gpio:12 +unused$/)
    expect(lines[4]).toMatch(/^! SystemTime +used, undeclared$/)
    expect(lines[5]).toMatch(/^✗ gpio.open gpio=30 +denied x2$/)
  })

  it('cuts long lists with a pointer to the details view', () => {
    const lines = frame(<CapabilityPanel app={makeApp('blink')} usage={undefined} width={40} height={3} />)
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('... 2 more (Enter: details)')
  })

  it('handles no app and no capabilities', () => {
    expect(frame(<CapabilityPanel app={undefined} usage={undefined} width={40} height={3} />)[1]).toBe(
      'no app selected',
    )
    expect(frame(<CapabilityPanel app={makeApp('spin')} usage={undefined} width={40} height={3} />)[1]).toBe(
      'none declared',
    )
  })
})

describe('AuditFeed', () => {
  const apps = [makeApp('blink')]
  const records = [
    auditRecord(1, CID.blink, 'gpio.open', 'gpio=8', true, 'GPIO 8 is in Capabilities.Gpio'),
    {
      seq: 2,
      time: 2,
      subject: 'host:rest',
      operation: 'image.sideload',
      object: `componentId=${CID.spin}`,
      allowed: true,
      reason: 'dev',
    },
    auditRecord(3, CID.blink, 'gpio.open', 'gpio=30', false, 'GPIO 30 is not in Capabilities.Gpio'),
    auditRecord(4, CID.sensor, 'net.connect', 'host=example.com port=443', false, 'not allowed'),
  ]

  it('shows the latest decisions with the app name, denials marked with the reason', () => {
    const lines = frame(<AuditFeed records={records} apps={apps} width={90} height={4} />)
    expect(lines[0]).toMatch(/^ Audit | 2 denied of last 4$/)
    expect(lines[1]).toBe(`allow host:rest image.sideload componentId=${CID.spin}`)
    expect(lines[2]).toBe('DENY  blink gpio.open gpio=30 (GPIO 30 is not in Capabilities.Gpio)')
    expect(lines[3]).toBe('DENY  11111111 net.connect host=example.com port=443 (not allowed)')
  })

  it('can show denials only, and says when empty', () => {
    const lines = frame(<AuditFeed records={records} apps={apps} width={70} height={5} deniedOnly />)
    expect(lines.slice(1).every((l) => l.startsWith('DENY') || l === '')).toBe(true)
    expect(frame(<AuditFeed records={[]} apps={apps} width={70} height={3} />)[1]).toBe('no LSM decisions yet')
  })
})

describe('LogTail', () => {
  it('shows the last lines of the selected app, splitting multi-line entries', () => {
    const entries = [logEntry(1, 'one'), logEntry(2, 'two\nthree\n'), logEntry(3, 'four', 'stderr')]
    const lines = frame(<LogTail appName="blink" entries={entries} width={40} height={4} />)
    expect(lines[0]).toMatch(/^ Log | blink$/)
    expect(lines.slice(1)).toEqual(['two', 'three', 'four'])
  })

  it('says when there is nothing to show', () => {
    expect(frame(<LogTail appName="blink" entries={[]} width={40} height={3} />)[1]).toBe('no output yet')
    expect(frame(<LogTail appName={undefined} entries={[]} width={40} height={3} />)[1]).toBe('no app selected')
  })
})

describe('BoardPanel', () => {
  it('shows each lit RGB LED colour on a line, the ones steady off, the buttons and the pins in use', () => {
    const lines = frame(
      <BoardPanel world={makeWorld(['LED1_RED', 'LED2_RED', 'LED2_BLUE'], ['A'])} width={60} height={7} />,
    )
    expect(lines[0]).toMatch(/^ Board | b\/B press A\/B$/)
    expect(lines[1]).toBe('● LED1 red steady on  0 toggles')
    expect(lines[2]).toBe('● LED2 magenta steady on  0 toggles')
    expect(lines[3]).toBe('○ LED3 LED4 STATUS NETWORKING steady off')
    expect(lines[4]).toBe('Buttons A DOWN  B up')
    expect(lines[5]).toBe('Pins out 8=0 | in 12=0')
  })

  it('a blinking LED shows its rate and toggle count however seldom the frame is drawn; it is steady once it stops', () => {
    // LED1 red toggled every 125 ms: 41 changes, the last at 5,000 ms (virtual); the button was pressed 3 times
    const w = makeWorld([], [])
    const red = w.leds.find((l) => l.name === 'LED1_RED')!
    Object.assign(red, {transitions: 41, lastChangeMs: 5000, periodMs: 125})
    w.gpios[0] = {...w.gpios[0]!, transitions: 41, lastChangeMs: 5000, periodMs: 125}
    w.buttons[0] = {...w.buttons[0]!, presses: 3}
    w.virtualTimeMs = 5060
    const lines = frame(<BoardPanel world={w} width={60} height={7} />)
    expect(lines[1]).toBe('◐ LED1 red blinking 4.0 Hz  41 toggles')
    expect(lines[3]).toBe('Buttons A up, 3 presses  B up')
    expect(lines[4]).toBe('Pins out 8 blinking 4.0 Hz | in 12=1')
    // the same state 2 s later (no change since): steady again
    const later = frame(<BoardPanel world={w} nowMs={7100} width={60} height={7} />)
    expect(later[1]).toBe('○ LED1 LED2 LED3 LED4 STATUS NETWORKING steady off')
    expect(later[3]).toBe('Pins out 8=1 | in 12=1')
  })

  it('shows PWM duty', () => {
    const w = {
      ...makeWorld(),
      pwm: [{controller: 'PWM-CONTROLLER-0', channel: 1, gpio: 1, enabled: true, dutyPercent: 25, periodNs: 1e6, dutyNs: 2.5e5}],
    }
    const text = frame(<BoardPanel world={w} width={70} height={8} />).join('\n')
    expect(text).toContain('PWM PWM-CONTROLLER-0.1 (GPIO 1) duty 25%')
  })

  it('handles a board with no pins in use, and no board', () => {
    const w = {...makeWorld(), gpios: []}
    expect(frame(<BoardPanel world={w} width={39} height={7} />)[3]).toBe('Pins (none in use)')
    expect(frame(<BoardPanel world={undefined} width={39} height={3} />)[1]).toBe('no board state')
  })
})

describe('DetailsPanel', () => {
  it('shows the full component ID, exact memory and every capability line', () => {
    const app = makeApp('blink', {restarts: 4})
    const lines = frame(<DetailsPanel app={app} usage={{used: ['Gpio:9'], denied: {}}} width={60} height={10} />)
    expect(lines[0]).toContain('Details | blink')
    expect(lines[1]).toBe(`Component ${CID.blink}`)
    expect(lines[2]).toBe('State Running  pid 10  uid 1000  restarts 4  cpu 25%')
    expect(lines[3]).toBe('Scheduler S: sleeping')
    expect(lines[4]).toBe('Memory now 64K (65536 B)')
    expect(lines[5]).toBe('       peak 96K (98304 B)  limit 256K (262144 B)')
    expect(lines[6]).toBe('Capabilities (1/3 used)')
    expect(lines[7]).toMatch(/^· Gpio:8 +unused$/)
    expect(lines[8]).toMatch(/^✓ Gpio:9 +used$/)
  })

  it('says what a sleeping app waits on, and why a crashed app stopped', () => {
    const sleeper = frame(
      <DetailsPanel app={makeApp('blink', {waitingOn: 'timer'})} usage={undefined} width={60} height={10} />,
    )
    expect(sleeper[3]).toBe('Scheduler S: sleeping: waiting on timer')
    const crashed = makeApp('spin', {state: 'crashed', pid: null, crashReason: 'exit code 3'})
    const lines = frame(<DetailsPanel app={crashed} usage={undefined} width={60} height={10} />)
    expect(lines[2]).toMatch(/^State Crashed  pid -/)
    expect(lines[3]).toBe('Crashed: exit code 3')
  })
})

describe('HelpOverlay and Footer', () => {
  it('lists every key binding and a legend of every abbreviation on screen', () => {
    const text = frame(<HelpOverlay width={100} height={30} />).join('\n')
    for (const [k, what] of KEY_BINDINGS) expect(text).toContain(`${k.padEnd(12)}${what}`)
    for (const [k, what] of LEGEND) expect(text).toContain(`${k.padEnd(12)}${what}`)
    // every column header and mark of the screen is in the legend
    const legend = LEGEND.map(([k]) => k).join(' ')
    for (const abbr of ['CID', 'PID', 'UID', 'STATE', 'S', 'MEMORY', 'RST', 'CPU', 'clock', 'mfg', 'caps', 'cloud', '~', '◐', '●', '○', 'Pins', 'DENY'])
      expect(legend.split(/\s+/)).toContain(abbr)
  })

  it('i shows the IDs whole, wrapped to the width', () => {
    const lines = frame(
      <IdsOverlay width={50} height={10} deviceId={'ab'.repeat(64)} app={{name: 'blink', componentId: CID.blink}} />,
    )
    expect(lines.slice(2, 5).join('') + lines[5]).toContain('ab'.repeat(64))
    expect(lines).toContain(`Component ID of blink`)
    expect(lines).toContain(CID.blink)
  })

  it('footer shows hints, messages, the filter being typed and confirmations', () => {
    expect(frame(<Footer mode="normal" message={undefined} width={100} />)[0]).toBe(HINTS)
    expect(frame(<Footer mode="normal" message={{text: 'Started blink', kind: 'ok'}} width={80} />)[0]).toBe(
      'Started blink',
    )
    expect(frame(<Footer mode="filter" filter="bli" width={80} />)[0]).toBe('/bli_  (Enter: keep, Esc: clear)')
    expect(frame(<Footer mode="confirm" question="Delete blink?" width={80} />)[0]).toBe(
      ' Delete blink? y = yes, any other key = no',
    )
  })
})
