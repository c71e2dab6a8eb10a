import {describe, expect, test} from '@jest/globals'
import {Device, type OsEvent, type OsEventType} from '../../../src/os/index.js'
import {EventBus} from '../../../src/os/kernel/events.js'
import {CACHE_DIR, appImage, tempDir} from '../helpers.js'

describe('EventBus: events nobody takes are not built', () => {
  test('hasListeners follows subscriptions per type, and unsubscribing twice counts once', () => {
    const bus = new EventBus(() => 0)
    expect(bus.hasListeners('gpio')).toBe(false)
    const offApp = bus.subscribe(() => {}, ['app', 'log'])
    expect([bus.hasListeners('app'), bus.hasListeners('log'), bus.hasListeners('gpio')]).toEqual([true, true, false])
    const offApp2 = bus.subscribe(() => {}, ['app'])
    offApp()
    offApp()
    expect([bus.hasListeners('app'), bus.hasListeners('log')]).toEqual([true, false])
    offApp2()
    expect(bus.hasListeners('app')).toBe(false)
    const offAll = bus.subscribe(() => {})
    expect(bus.hasListeners('gpio')).toBe(true)
    offAll()
    expect(bus.hasListeners('gpio')).toBe(false)
  })

  test('the clock is not read for an event nobody takes; seq counts every event, skipped or not', () => {
    let reads = 0
    const bus = new EventBus(() => ++reads * 10)
    const seen: OsEvent[] = []
    const seenApp: OsEvent[] = []
    bus.subscribe((e) => seenApp.push(e), ['app'])
    bus.emit({type: 'gpio', gpio: 8, level: 0, source: 'app'})
    bus.skip()
    expect(reads).toBe(0)
    bus.emit({type: 'app', componentId: 'c', action: 'started'})
    bus.subscribe((e) => seen.push(e))
    bus.emit({type: 'gpio', gpio: 8, level: 1, source: 'app'})
    bus.emit({type: 'app', componentId: 'c', action: 'stopped'})
    expect(seenApp.map((e) => [e.seq, e.t])).toEqual([
      [3, 10],
      [5, 30],
    ])
    expect(seen.map((e) => [e.type, e.seq])).toEqual([
      ['gpio', 4],
      ['app', 5],
    ])
  })

  test('subscribers get each event in subscription order; a faulty one harms neither the kernel nor the next', () => {
    const bus = new EventBus(() => 0)
    const order: string[] = []
    bus.subscribe(() => order.push('a'), ['gpio'])
    bus.subscribe(() => {
      throw new Error('faulty')
    })
    bus.subscribe(() => order.push('c'))
    bus.subscribe(() => order.push('d'), ['app'])
    bus.emit({type: 'gpio', gpio: 8, level: 0, source: 'app'})
    bus.emit({type: 'app', componentId: 'c', action: 'started'})
    expect(order).toEqual(['a', 'c', 'c', 'd'])
  })
})

/** Blink for 2 s on a fresh fast-forward device with one subscriber to `types` (all: undefined) from boot. */
async function blink(types?: readonly OsEventType[]): Promise<OsEvent[]> {
  const tmp = tempDir()
  const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR})
  const events: OsEvent[] = []
  dev.subscribe((e) => events.push(e), types)
  try {
    await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(2000)
  } finally {
    await dev.shutdown()
    tmp.cleanup()
  }
  return events
}

describe('a device delivers what is subscribed to, as it would with every type subscribed', () => {
  test('gpio-only and app-only subscribers see the same events (seq and time) as a subscriber to all', async () => {
    const all = await blink()
    const gpio = await blink(['gpio'])
    const app = await blink(['app'])
    const only = (t: OsEventType) => all.filter((e) => e.type === t)
    expect(only('gpio').length).toBeGreaterThanOrEqual(4)
    expect(gpio).toEqual(only('gpio'))
    expect(app.length).toBeGreaterThanOrEqual(2)
    expect(app).toEqual(only('app'))
  })
})
