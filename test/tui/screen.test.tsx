import {afterEach, describe, expect, it} from '@jest/globals'
import {render} from 'ink-testing-library'
import {Monitor} from '../../src/tui/components/Monitor.js'
import {MonitorStore} from '../../src/tui/index.js'
import {createMonitorScreen, lineToAnsi, type MonitorScreen} from '../../src/tui/screen.js'
import {padLine, textWidth} from '../../src/tui/view.js'
import {CID, FakeSource, auditRecord, logEntry, makeApp, makeWorld, snapshot, until} from './fake-source.js'

const SGR = /\u001b\[[0-9;]*m/g
const plain = (rows: readonly string[]): string[] => rows.map((r) => r.replace(SGR, '').trimEnd())

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const T = Date.parse('2026-01-01T00:00:00Z')

function source(): FakeSource {
  const src = new FakeSource()
  src.onConnect = snapshot(
    [makeApp('blink', {restarts: 2}), makeApp('sensor', {state: 'crashed', pid: null, cpuShare: 0})],
    {world: makeWorld(['LED1'], ['A'])},
  )
  src.auditHistory = [
    auditRecord(1, CID.blink, 'open', 'gpio:8', true),
    auditRecord(2, CID.blink, 'open', 'uart:1', false),
  ]
  src.logHistory = {[CID.blink]: [logEntry(1, 'hello\tworld'), logEntry(2, 'oops', 'stderr')]}
  return src
}

/** The same device in two monitors: one drawn by Ink (as in every other test), one on a screen of its own. */
async function mountBoth(columns: number, rows: number, color: boolean) {
  const mount = (screen?: MonitorScreen) => {
    const store = new MonitorStore(source(), {now: () => T})
    store.start()
    const r = render(
      <Monitor
        store={store}
        label="fake"
        columns={columns}
        rows={rows}
        intervalMs={0}
        color={color}
        now={() => T}
        screen={screen}
      />,
    )
    cleanups.push(() => {
      r.unmount()
      store.stop()
    })
    return r
  }
  let shown: readonly string[] | undefined
  const screen: MonitorScreen = {...createMonitorScreen({write: () => true}), show: (rows) => (shown = rows)}
  const ink = mount()
  const fast = mount(screen)
  const inkFrame = (): string[] => plain((ink.lastFrame() ?? '').split('\n'))
  const done = (f: string[]): boolean => f.some((l) => l.includes('oops')) && f.some((l) => l.includes('DENY'))
  await until(
    () => done(inkFrame()) && shown !== undefined && done(plain(shown)),
    2000,
    'both monitors with the log and audit',
  )
  return {ink, fast, inkFrame, shown: () => shown}
}

describe('the normal screen without Ink', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [60, 30],
  ] as const) {
    it(`shows what the Ink view shows, row for row (${columns}x${rows})`, async () => {
      const m = await mountBoth(columns, rows, false)
      const fast = m.shown() as readonly string[]
      expect(plain(fast)).toEqual(m.inkFrame())
      // every row is exactly as wide as the terminal, the frame one row short of it
      expect(fast).toHaveLength(rows - 1)
      for (const r of fast) expect(textWidth(r.replace(SGR, ''))).toBe(columns)
      // Ink drew nothing of its own for it
      expect(m.fast.lastFrame() ?? '').toBe('')
    })
  }

  it('colours by role, and gives the screen back to Ink for the help overlay', async () => {
    const m = await mountBoth(100, 30, true)
    const fast = m.shown() as readonly string[]
    expect(plain(fast)).toEqual(m.inkFrame())
    const crashed = fast.find((r) => r.includes('sensor')) as string
    expect(crashed).toContain('\u001b[31mCrashed')
    expect(fast.find((r) => r.includes(' Processes'))).toContain('\u001b[1;7;36m')
    m.fast.stdin.write('?')
    await until(() => (m.fast.lastFrame() ?? '').includes('Keys and legend'), 2000, 'the help overlay')
    expect(m.shown()).toBeUndefined()
  })
})

describe('lineToAnsi', () => {
  it('writes each segment in its SGR codes and drops colour when colour is off', () => {
    const line = [
      {text: 'a', bold: true, role: 'bad' as const},
      {text: 'b'},
      {text: 'c', inverse: true, dim: true, role: 'muted' as const},
    ]
    expect(lineToAnsi(line, true)).toBe('\u001b[1;31ma\u001b[0mb\u001b[2;7;90mc\u001b[0m')
    expect(lineToAnsi(line, false)).toBe('\u001b[1ma\u001b[0mb\u001b[2;7mc\u001b[0m')
  })

  it("removes an app's escape and control characters", () => {
    expect(lineToAnsi([{text: 'x\u001b[2Jy\rz\u001b[31m!'}], false)).toBe('xyz!')
  })
})

describe('padLine', () => {
  it('pads to the width and cuts with ~, counting wide characters as two columns', () => {
    const text = (l: ReturnType<typeof padLine>): string => l.map((g) => g.text).join('')
    expect(text(padLine([{text: 'ab'}, {text: 'c'}], 5))).toBe('abc  ')
    expect(text(padLine([{text: 'abc'}, {text: 'defgh'}], 5))).toBe('abcd~')
    expect(text(padLine([{text: '日本語です'}], 6))).toBe('日本~ ')
    expect(textWidth(text(padLine([{text: '日本語です'}], 6)))).toBe(6)
  })
})

describe('createMonitorScreen', () => {
  function screen() {
    let out = ''
    const s = createMonitorScreen({write: (x: string) => (out += x)})
    return {s, take: () => [out, (out = '')][0] as string}
  }

  it("keeps Ink's frames off the screen while its own frame is up, and diffs against what is shown", () => {
    const {s, take} = screen()
    s.show(['row one', 'row two'])
    const first = take()
    expect(first).toContain('\u001b[1;1H\u001b[2Krow one')
    expect(first).toContain('\u001b[2;1H\u001b[2Krow two')
    s.show(['row one', 'row two'])
    expect(take()).toBe('')
    expect(s.ink('ink frame\n')).toBe(false)
    expect(take()).toBe('')
    s.show(undefined)
    s.ink('row one\nhelp\n')
    const back = take()
    expect(back).toContain('\u001b[2;1H\u001b[2Khelp')
    expect(back).not.toContain('row one')
  })

  it('redraws its own frame when Ink clears the screen (a narrower terminal)', () => {
    const {s, take} = screen()
    s.show(['a', 'b'])
    take()
    s.ink.clear()
    const out = take()
    expect(out).toContain('\u001b[H\u001b[2J')
    expect(out).toContain('\u001b[1;1H\u001b[2Ka')
    expect(out).toContain('\u001b[2;1H\u001b[2Kb')
  })
})
