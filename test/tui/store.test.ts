import {afterEach, describe, expect, it} from '@jest/globals'
import {MonitorStore} from '../../src/tui/index.js'
import {CID, FakeSource, auditRecord, logEntry, makeApp, snapshot, until} from './fake-source.js'

const stores: MonitorStore[] = []
function open(src: FakeSource, opts: ConstructorParameters<typeof MonitorStore>[1] = {}): MonitorStore {
  const s = new MonitorStore(src, {retryMinMs: 10, retryMaxMs: 40, ...opts})
  stores.push(s)
  s.start()
  return s
}
afterEach(() => {
  for (const s of stores.splice(0)) s.stop()
})

describe('MonitorStore', () => {
  it('goes live on the first snapshot, then folds pushed events (no polling)', async () => {
    const src = new FakeSource()
    const store = open(src)
    const live = await store.whenLive(1000)
    expect(live.apps).toHaveLength(2)
    src.emit({type: 'apps', time: 1, apps: [makeApp('blink', {restarts: 3})]})
    expect(store.getState().apps).toEqual([makeApp('blink', {restarts: 3})])
    expect(src.connects).toBe(1)
    // only history requests besides the stream: one audit backfill per connection
    expect(src.calls.filter((c) => c[0] === 'audit')).toEqual([['audit', 0]])
  })

  it('ignores events before the snapshot and malformed lines', async () => {
    const src = new FakeSource()
    src.onConnect = undefined
    const store = open(src)
    await until(() => src.connected, 1000, 'stream open')
    src.emit({type: 'apps', time: 1, apps: [makeApp('spin')]})
    expect(store.getState().apps).toEqual([])
    src.emit(snapshot())
    ;(src as unknown as {emit: (e: unknown) => void}).emit({type: 'apps', apps: 'nope'})
    expect(store.getState().apps.map((a) => a.name)).toEqual(['blink', 'sensor'])
  })

  it('backfills the audit feed and an app log once per connection', async () => {
    const src = new FakeSource()
    src.auditHistory = [auditRecord(1, CID.blink, 'gpio.open', 'gpio=8', true)]
    src.logHistory[CID.blink] = [logEntry(1, 'booted')]
    const store = open(src)
    await store.whenLive(1000)
    await until(() => store.getState().audit.length === 1, 1000, 'audit backfill')
    store.ensureLog(CID.blink)
    store.ensureLog(CID.blink)
    await until(() => (store.getState().logs[CID.blink]?.length ?? 0) === 1, 1000, 'log backfill')
    src.emit({type: 'log', time: 2, componentId: CID.blink, entry: logEntry(2, 'tick')})
    expect(store.getState().logs[CID.blink]?.map((e) => e.text)).toEqual(['booted', 'tick'])
    expect(src.calls.filter((c) => c[0] === 'appLog')).toHaveLength(1)
  })

  it('shows "reconnecting" when the stream drops and comes back with a fresh snapshot', async () => {
    const src = new FakeSource()
    const store = open(src)
    await store.whenLive(1000)
    src.refuse = new Error('Cannot reach the device: connection refused.')
    src.drop(new Error('The connection to the device was lost.'))
    await until(() => store.getState().connection.status === 'reconnecting', 1000, 'reconnecting')
    expect(store.getState().connection).toMatchObject({
      status: 'reconnecting',
      attempt: 1,
      error: 'The connection to the device was lost.',
    })
    await until(() => (store.getState().connection as {attempt?: number}).attempt === 2, 1000, 'second attempt')
    expect(store.getState().connection).toMatchObject({error: 'Cannot reach the device: connection refused.'})
    // the old picture stays on screen while the device is gone
    expect(store.getState().apps).toHaveLength(2)
    src.refuse = undefined
    src.onConnect = snapshot([makeApp('spin')])
    await until(() => store.getState().connection.status === 'live', 1000, 'live again')
    expect(store.getState().apps.map((a) => a.name)).toEqual(['spin'])
    expect(src.connects).toBeGreaterThanOrEqual(3)
  })

  it('a clean end of the stream also reconnects', async () => {
    const src = new FakeSource()
    const store = open(src)
    await store.whenLive(1000)
    src.drop()
    await until(() => src.connects === 2 && store.getState().connection.status === 'live', 1000, 'reconnected')
  })

  it('reconnects when the device goes silent past the heartbeat timeout', async () => {
    const src = new FakeSource()
    const store = open(src, {heartbeatTimeoutMs: 60})
    await store.whenLive(1000)
    await until(() => src.connects >= 2, 2000, 'watchdog reconnect')
    expect(src.connects).toBeGreaterThanOrEqual(2)
  })

  it('heartbeats keep a quiet stream alive', async () => {
    const src = new FakeSource()
    const store = open(src, {heartbeatTimeoutMs: 80})
    await store.whenLive(1000)
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 30))
      src.emit({type: 'heartbeat', time: i})
    }
    expect(src.connects).toBe(1)
  })

  it('stop closes the stream and ends the loop', async () => {
    const src = new FakeSource()
    const store = open(src)
    await store.whenLive(1000)
    store.stop()
    expect(src.connected).toBe(false)
    expect(store.getState().connection).toEqual({status: 'stopped'})
    await new Promise((r) => setTimeout(r, 60))
    expect(src.connects).toBe(1)
  })

  it('whenLive rejects with the link error when the device never answers', async () => {
    const src = new FakeSource()
    src.refuse = new Error('connection refused')
    const store = open(src)
    await expect(store.whenLive(100)).rejects.toThrow('connection refused')
  })
})
