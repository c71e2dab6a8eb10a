// The world state counts every pin change with its virtual time, so a reader can tell a blinking LED from a
// steady one and measure its rate however seldom it looks (src/protocol/pin-activity.ts).
import {afterEach, beforeEach, describe, expect, test} from '@jest/globals'
import {Device} from '../../../src/os/index.js'
import {DeviceRestBackend} from '../../../src/os/rest/device-backend.js'
import {blinkHz} from '../../../src/protocol/pin-activity.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

let tmp: {dir: string; cleanup: () => void}
let dev: Device
let backend: DeviceRestBackend

beforeEach(async () => {
  tmp = tempDir()
  const opts = {stateDir: tmp.dir, clock: 'fast-forward' as const, cacheDir: CACHE_DIR}
  dev = await Device.boot(opts)
  backend = DeviceRestBackend.fromDevice(dev, opts)
})
afterEach(async () => {
  await dev.shutdown()
  tmp.cleanup()
})

describe('pin activity in the world state', () => {
  test('a blink app toggling every 500 ms: transitions counted, period 500 ms, 1.0 Hz; steady once stopped', async () => {
    await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    await dev.runFor(3050)
    const w = backend.world()
    const red = w.leds.find((l) => l.name === 'LED1_RED')!
    // toggles at 0, 500, ... 3000 ms: the first drive is low (lit), from the pin's default high: 7 changes
    expect(red.transitions).toBe(7)
    expect(red.lastChangeMs).toBeCloseTo(3000, 0)
    expect(red.periodMs).toBeCloseTo(500, 0)
    expect(red.blinkHz).toBeCloseTo(1, 2)
    const pin = w.gpios.find((g) => g.id === 8)!
    expect(pin).toMatchObject({direction: 'out', transitions: 7})
    expect(w.virtualTimeMs).toBeCloseTo(3050, -1)
    await dev.stopApp(cid(1))
    await dev.runFor(2000)
    const after = backend.world().leds.find((l) => l.name === 'LED1_RED')!
    expect(after.transitions).toBe(7)
    expect(after.blinkHz).toBeNull()
  })

  test('button presses are counted', async () => {
    await backend.press('A', 50)
    await backend.press('A', 50)
    const w = backend.world()
    expect(w.buttons.find((b) => b.name === 'A')).toMatchObject({pressed: false, presses: 2})
    expect(w.buttons.find((b) => b.name === 'B')).toMatchObject({pressed: false, presses: 0})
  })

  test('blinkHz: steady when it has not changed for three periods, unknown with too few changes', () => {
    expect(blinkHz({transitions: 10, lastChangeMs: 1000, periodMs: 125}, 1100)).toBe(4)
    expect(blinkHz({transitions: 10, lastChangeMs: 1000, periodMs: 125}, 2100)).toBeNull()
    expect(blinkHz({transitions: 10, lastChangeMs: 1000, periodMs: 2000}, 6000)).toBe(0.25)
    expect(blinkHz({transitions: 2, lastChangeMs: 1000, periodMs: null}, 1001)).toBeNull()
  })
})
