import {describe, expect, test} from '@jest/globals'
import {Device, NS_PER_MS, type OsEvent} from '../../../src/os/index.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

describe('realtime mode', () => {
  test('apps run on the host event loop; a spinner does not starve it; stop and shutdown end them', async () => {
    const tmp = tempDir()
    const dev = await Device.boot({stateDir: tmp.dir, clock: 'realtime', cacheDir: CACHE_DIR, multiApp: true})
    try {
      const gpio: OsEvent[] = []
      dev.subscribe((e) => gpio.push(e), ['gpio'])
      await dev.install(await appImage(1, 'Spin', 'spinner', {}))
      await dev.install(await appImage(2, 'Blink', 'blink', {Gpio: [8]}))
      // host timers still fire while the spinner runs: the kernel gives the event loop back every turn (a starved
      // loop sees no tick at all; an idle host ~100, a host busy with other processes as few as 19)
      let ticks = 0
      const iv = setInterval(() => ticks++, 10)
      await new Promise((r) => setTimeout(r, 1300))
      clearInterval(iv)
      expect(ticks).toBeGreaterThan(5)
      const toggles = gpio.filter((e) => e.type === 'gpio' && e.gpio === 8)
      expect(toggles.length).toBeGreaterThanOrEqual(3) // open high, low at ~0, high at ~500 ms, ...
      expect(toggles[2]!.t / NS_PER_MS).toBeGreaterThanOrEqual(500)
      const st = await dev.stopApp(cid(1))
      expect(st.state).toBe('stopped')
      expect(dev.appStatus(cid(2)).state).toBe('running')
    } finally {
      await dev.shutdown()
      tmp.cleanup()
    }
    expect(dev.kernel.processes()).toEqual([])
  })
})
