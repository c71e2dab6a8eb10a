import {afterEach, describe, expect, it} from '@jest/globals'
import {render} from 'ink-testing-library'
import {Monitor} from '../../src/tui/components/Monitor.js'
import {MonitorStore} from '../../src/tui/index.js'
import {CID, FakeSource, auditRecord, logEntry, makeApp, makeWorld, snapshot, until} from './fake-source.js'

const KEY = {up: '\u001B[A', down: '\u001B[B', enter: '\r', esc: '\u001B', ctrlC: '\u0003', backspace: '\u007F'}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function mount(opts: {src?: FakeSource; columns?: number; rows?: number; color?: boolean} = {}) {
  const src = opts.src ?? new FakeSource()
  const store = new MonitorStore(src, {retryMinMs: 10, retryMaxMs: 20})
  let quits = 0
  store.start()
  const r = render(
    <Monitor
      store={store}
      label="fake"
      columns={opts.columns ?? 80}
      rows={opts.rows ?? 24}
      intervalMs={0}
      color={opts.color ?? false}
      onQuit={() => quits++}
    />,
  )
  cleanups.push(() => {
    r.unmount()
    store.stop()
  })
  const frame = (): string => r.lastFrame() ?? ''
  const waitFor = (pred: string | RegExp | ((f: string) => boolean), what = String(pred)): Promise<void> =>
    until(
      () =>
        typeof pred === 'string' ? frame().includes(pred) : pred instanceof RegExp ? pred.test(frame()) : pred(frame()),
      2000,
      what,
    )
  // input is attached in an effect: wait for the first data frame before typing
  await waitFor('blink')
  // Ink draws at most every 33 ms (a frame asked for sooner comes at the end of that window): after a key, wait
  // until no new frame came for longer than that, so the frame read next is the one the key led to.
  const press = async (k: string): Promise<void> => {
    r.stdin.write(k)
    let n = r.frames.length
    for (let quiet = 0; quiet < 60;) {
      await new Promise((res) => setTimeout(res, 10))
      if (r.frames.length === n) quiet += 10
      else {
        n = r.frames.length
        quiet = 0
      }
    }
  }
  const selectedRow = (): string =>
    frame()
      .split('\n')
      .find((l) => l.startsWith('>')) ?? ''
  return {src, store, r, frame, waitFor, press, selectedRow, quits: () => quits}
}

describe('Monitor keys', () => {
  it('fits 80x24 and shows every panel', async () => {
    const m = await mount()
    await m.waitFor('Board')
    const lines = m.frame().split('\n')
    expect(lines.length).toBeLessThanOrEqual(23)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
    for (const title of [' Processes', ' Capabilities | blink', ' Log | blink', ' Audit', ' Board'])
      expect(m.frame()).toContain(title)
    expect(lines.at(-1)).toContain('j/k move')
  })

  it('arrows and j/k move the selection, clamped at both ends', async () => {
    const src = new FakeSource()
    src.onConnect = snapshot([makeApp('blink'), makeApp('sensor'), makeApp('spin')])
    const m = await mount({src})
    expect(m.selectedRow()).toMatch(/^> blink/)
    await m.press('j')
    expect(m.selectedRow()).toMatch(/^> sensor/)
    await m.press(KEY.down)
    expect(m.selectedRow()).toMatch(/^> spin/)
    await m.press(KEY.down)
    expect(m.selectedRow()).toMatch(/^> spin/)
    await m.press('k')
    expect(m.selectedRow()).toMatch(/^> sensor/)
    await m.press(KEY.up)
    await m.press(KEY.up)
    expect(m.selectedRow()).toMatch(/^> blink/)
    // the side panels follow the selection
    await m.press('j')
    await m.waitFor(' Capabilities | sensor')
    expect(m.frame()).toContain(' Log | sensor')
  })

  it('the selection follows the app, not the row, when the list changes', async () => {
    const m = await mount()
    await m.press('j')
    expect(m.selectedRow()).toMatch(/^> sensor/)
    m.src.emit({type: 'apps', time: 1, apps: [makeApp('spin'), makeApp('blink'), makeApp('sensor')]})
    await m.waitFor((f) => f.includes('spin'))
    expect(m.selectedRow()).toMatch(/^> sensor/)
  })

  it('Enter opens the details of the selected app, Enter or Esc closes them', async () => {
    const m = await mount()
    await m.press(KEY.enter)
    await m.waitFor(' Details | blink')
    expect(m.frame()).toContain(`Component ${CID.blink.slice(0, 20)}`)
    await m.press(KEY.enter)
    await m.waitFor(' Capabilities | blink')
    await m.press(KEY.enter)
    await m.waitFor(' Details')
    await m.press(KEY.esc)
    await m.waitFor(' Capabilities | blink')
  })

  it('s starts a stopped app and stops a running one', async () => {
    const m = await mount()
    await m.press('s')
    await m.waitFor('Stopped blink')
    expect(m.src.calls.filter((c) => c[0] === 'setAppState')).toEqual([['setAppState', CID.blink, 'stop']])
    await m.press('j')
    await m.press('s')
    await m.waitFor('Started sensor')
    expect(m.src.calls.filter((c) => c[0] === 'setAppState').at(-1)).toEqual(['setAppState', CID.sensor, 'start'])
  })

  it('r restarts: stop then start for a running app, start only for a stopped one', async () => {
    const m = await mount()
    await m.press('r')
    await m.waitFor('Restarted blink')
    expect(m.src.calls.filter((c) => c[0] === 'setAppState')).toEqual([
      ['setAppState', CID.blink, 'stop'],
      ['setAppState', CID.blink, 'start'],
    ])
    await m.press('j')
    await m.press('r')
    await m.waitFor('Restarted sensor')
    expect(m.src.calls.filter((c) => c[0] === 'setAppState').at(-1)).toEqual(['setAppState', CID.sensor, 'start'])
    expect(m.src.calls.filter((c) => c[0] === 'setAppState')).toHaveLength(3)
  })

  it('d asks first: y deletes, anything else cancels', async () => {
    const m = await mount()
    await m.press('d')
    await m.waitFor(`Delete blink (${CID.blink.slice(0, 20)}`)
    await m.press('n')
    await m.waitFor('Delete cancelled')
    expect(m.src.calls.some((c) => c[0] === 'deleteApp')).toBe(false)
    await m.press('d')
    await m.waitFor('Delete blink')
    await m.press('y')
    await m.waitFor('Deleted blink')
    expect(m.src.calls.filter((c) => c[0] === 'deleteApp')).toEqual([['deleteApp', CID.blink]])
  })

  it('b and B press the board buttons A and B', async () => {
    const m = await mount()
    await m.press('b')
    await m.waitFor('Pressed button A')
    await m.press('B')
    await m.waitFor('Pressed button B')
    expect(m.src.calls.filter((c) => c[0] === 'press')).toEqual([
      ['press', 'A'],
      ['press', 'B'],
    ])
    // the board panel shows what the device reports back
    m.src.emit({type: 'world', time: 1, world: makeWorld(['LED1_GREEN'], ['B'])})
    await m.waitFor('B DOWN')
    expect(m.frame()).toMatch(/● LED1 green steady on/)
  })

  it('/ filters the table as you type; Enter keeps it, Esc clears it', async () => {
    const src = new FakeSource()
    src.onConnect = snapshot([makeApp('blink'), makeApp('sensor'), makeApp('spin')])
    const m = await mount({src})
    await m.press('/')
    await m.waitFor('(Enter: keep, Esc: clear)')
    for (const ch of 'spx') await m.press(ch)
    await m.waitFor('(no application matches the filter)')
    await m.press(KEY.backspace)
    await m.waitFor('1 of 3 | filter "sp"')
    await m.press(KEY.enter)
    await m.waitFor((f) => f.includes('j/k move'))
    expect(m.selectedRow()).toMatch(/^> spin/)
    // keys act on the filtered selection
    await m.press('s')
    await m.waitFor('Stopped spin')
    await m.press('/')
    await m.press(KEY.esc)
    await m.waitFor('3 apps')
  })

  it('? shows the help and any key closes it', async () => {
    const m = await mount()
    await m.press('?')
    await m.waitFor(' Keys')
    expect(m.frame()).toContain('press board button A / B')
    expect(m.frame()).not.toContain(' Processes')
    await m.press('x')
    await m.waitFor(' Processes')
  })

  it('q quits', async () => {
    const m = await mount()
    await m.press('q')
    expect(m.quits()).toBe(1)
    expect(m.store.getState().connection.status).toBe('live') // the owner (renderMonitor) stops the store via onQuit
  })

  it('keys typed faster than a frame (one chunk) all count', async () => {
    const src = new FakeSource()
    src.onConnect = snapshot([makeApp('blink'), makeApp('sensor'), makeApp('spin')])
    const m = await mount({src})
    await m.press('jj')
    await m.waitFor((f) => /^> spin/m.test(f), 'spin selected')
    await m.press('kj?')
    await m.waitFor(' Keys')
  })

  it('Ctrl-C quits, also while typing a filter', async () => {
    const m = await mount()
    await m.press('/')
    await m.press(KEY.ctrlC)
    expect(m.quits()).toBe(1)
  })

  it('a failed action is shown in the footer', async () => {
    const src = new FakeSource()
    src.actionError = new Error(
      'The device could not perform this request due to the resource being in a conflicting state.',
    )
    const m = await mount({src})
    await m.press('s')
    await m.waitFor('Stopping blink failed: The device could not perform')
  })

  it('updates from the stream show up: logs, audit, memory', async () => {
    const m = await mount()
    m.src.emit({type: 'log', time: 1, componentId: CID.blink, entry: logEntry(1, 'LED on')})
    m.src.emit({type: 'audit', time: 1, record: auditRecord(1, CID.blink, 'gpio.open', 'gpio=9', true)})
    m.src.emit({
      type: 'audit',
      time: 2,
      record: auditRecord(2, CID.blink, 'gpio.open', 'gpio=40', false, 'GPIO 40 is not in Capabilities.Gpio'),
    })
    m.src.emit({
      type: 'apps',
      time: 3,
      apps: [
        makeApp('blink', {memory: {currentBytes: 250 * 1024, peakBytes: 250 * 1024, limitBytes: 256 * 1024}}),
        makeApp('sensor'),
      ],
    })
    await m.waitFor('250K/250K/256K')
    expect(m.frame()).toContain('LED on')
    expect(m.frame()).toMatch(/✓ Gpio:9 +used/)
    expect(m.frame()).toMatch(/✗ gpio\.open gpio=40 +denied x1/)
    expect(m.frame()).toContain('DENY  blink gpio.open gpio=40')
  })

  it('shows the device-gone state and recovers when the device comes back', async () => {
    const m = await mount()
    m.src.refuse = new Error('connection refused')
    m.src.drop(new Error('The connection to the device was lost.'))
    await m.waitFor('DEVICE GONE | reconnecting')
    // the last picture stays, greyed
    expect(m.frame()).toContain('blink')
    m.src.refuse = undefined
    m.src.onConnect = snapshot([makeApp('spin')])
    await m.waitFor((f) => f.includes('spin') && !f.includes('DEVICE GONE'))
  })

  it('lays out again when the terminal is resized, in narrow and wide terminals', async () => {
    const src = new FakeSource()
    const store = new MonitorStore(src)
    store.start()
    const r = render(<Monitor store={store} label="fake" columns={80} rows={24} intervalMs={0} />)
    cleanups.push(() => {
      r.unmount()
      store.stop()
    })
    await until(() => (r.lastFrame() ?? '').includes('blink'))
    r.rerender(<Monitor store={store} label="fake" columns={60} rows={40} intervalMs={0} />)
    await until(
      () =>
        (r.lastFrame() ?? '').split('\n').every((l) => l.length <= 60) && (r.lastFrame() ?? '').split('\n').length > 30,
      2000,
      'narrow layout',
    )
    // narrow: panels stacked, one per row
    expect(
      (r.lastFrame() ?? '').split('\n').filter((l) => /^ (Processes|Capabilities|Log|Audit|Board)\b/.test(l)).length,
    ).toBe(5)
    r.rerender(<Monitor store={store} label="fake" columns={100} rows={20} intervalMs={0} />)
    await until(() => (r.lastFrame() ?? '').split('\n').length <= 19, 2000, 'short layout')
  })

  it('follows resize events of the injected stdout', async () => {
    const src = new FakeSource()
    const store = new MonitorStore(src)
    store.start()
    const r = render(<Monitor store={store} label="fake" intervalMs={0} />)
    cleanups.push(() => {
      r.unmount()
      store.stop()
    })
    await until(() => (r.lastFrame() ?? '').includes('blink'))
    // ink-testing-library's stdout is 100 columns wide with no rows: default 24 rows
    expect((r.lastFrame() ?? '').split('\n')[3]).toHaveLength(100)
    Object.defineProperty(r.stdout, 'columns', {get: () => 72, configurable: true})
    Object.defineProperty(r.stdout, 'rows', {get: () => 30, configurable: true})
    r.stdout.emit('resize')
    await until(() => (r.lastFrame() ?? '').split('\n')[3]?.length === 72, 2000, 'resized to 72 columns')
    expect((r.lastFrame() ?? '').split('\n')).toHaveLength(29)
  })

  it('with colour off no colour codes are written (NO_COLOR)', async () => {
    const m = await mount({color: false})
    expect(m.r.frames.join('')).not.toMatch(/\u001b\[(3[0-9]|9[0-7]|38;)/)
  })
})
