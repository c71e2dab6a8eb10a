import {describe, expect, test} from '@jest/globals'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

/** Boot a fresh fast-forward device, run three apps with scripted button input, return the event trace. */
async function trace(): Promise<string[]> {
  const tmp = tempDir()
  const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
  const events: OsEvent[] = []
  dev.subscribe((e) => events.push(e))
  try {
    await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    await dev.install(await appImage(2, 'Button', 'button', {Gpio: [12, 15]}))
    await dev.install(await appImage(3, 'Spin', 'spinner', {}))
    await dev.runFor(300)
    dev.pressButton('A')
    await dev.runFor(450)
    dev.releaseButton('A')
    await dev.runFor(500)
    await dev.stopApp(cid(2))
    await dev.runFor(200)
  } finally {
    await dev.shutdown()
    tmp.cleanup()
  }
  return events.map((e) => JSON.stringify(e))
}

describe('determinism', () => {
  test('the same apps and inputs in fast-forward mode give the same event trace', async () => {
    const a = await trace()
    const b = await trace()
    expect(a.length).toBeGreaterThan(20)
    expect(a.some((l) => l.includes('"type":"gpio","gpio":15'))).toBe(true)
    expect(b).toEqual(a)
  })
})
