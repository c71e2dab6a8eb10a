/**
 * A device survives an auto-start app that crashes at every start: each boot comes up, the app is restarted
 * with back-off (1, 2, 4, 8 s) and then left stopped, with the reason in its status, its log and an event;
 * its neighbour keeps running and a start by hand tries again.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {NS_PER_MS} from '../../../src/os/kernel/clock.js'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {appImage, CACHE_DIR, cid, tempDir} from '../helpers.js'

const CRASHER = cid(0xc1a5)
const NEIGHBOUR = cid(0xc1a6)

describe('crash loop at boot', () => {
  let tmp: {dir: string; cleanup: () => void}
  let stateDir: string
  beforeAll(async () => {
    tmp = tempDir('sphere-crashloop-')
    stateDir = join(tmp.dir, 'state')
    const dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
    await dev.install(await appImage(0xc1a5, 'Crasher', 'trap', {}))
    await dev.install(await appImage(0xc1a6, 'Neighbour', 'blink', {Gpio: [8]}))
    await dev.shutdown()
  })
  afterAll(() => tmp.cleanup())

  test.each([1, 2])(
    'boot %i: the crashing app is left stopped after 5 crashes, the device and its neighbour run on',
    async () => {
      const events: OsEvent[] = []
      const dev = await Device.boot({stateDir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true})
      try {
        dev.subscribe((e) => events.push(e), ['process', 'app'])
        await dev.runFor(60_000)
        const crashes = events.filter((e) => e.type === 'process' && e.componentId === CRASHER && e.state === 'crashed')
        // crash 100 ms after each start; restarts after 1, 2, 4 and 8 s; no fifth restart
        expect(crashes.map((e) => Math.round(e.t / NS_PER_MS))).toEqual([100, 1200, 3300, 7400, 15500])
        const st = dev.appStatus(CRASHER)
        expect(st.state).toBe('stopped')
        expect(st.nextRestartAt).toBeUndefined()
        expect(st.restarts).toBe(4)
        expect(st.stoppedReason).toMatch(/^crash loop: crashed 5 times in a row.*trap: memory access out of bounds/)
        expect(dev.appLog(CRASHER)).toMatch(/\[os\] crash loop: crashed 5 times in a row/)
        expect(events).toContainEqual(
          expect.objectContaining({type: 'app', componentId: CRASHER, action: 'stopped', detail: st.stoppedReason}),
        )
        expect(dev.appStatus(NEIGHBOUR).state).toBe('running')
        expect(dev.kernel.processes().map((p) => p.componentId)).toEqual([NEIGHBOUR])
        // a start by hand clears the reason and tries again
        expect(dev.startApp(CRASHER).stoppedReason).toBeUndefined()
        await dev.runFor(200)
        expect(dev.appStatus(CRASHER).nextRestartAt).toBeDefined()
      } finally {
        await dev.shutdown()
      }
    },
    60_000,
  )
})
