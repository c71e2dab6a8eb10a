// The app state vocabulary (src/protocol/app-state.ts) as the OS reports it: a stop is a stop, whatever exit code
// the app's SIGTERM handler returns; a crash is a crash until the app is stopped or started by hand; and the
// scheduler state (R/S, what a sleeper waits on) is reported apart from the app state.
import {afterEach, beforeEach, describe, expect, test} from '@jest/globals'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {DeviceRestBackend} from '../../../src/os/rest/device-backend.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'

let tmp: {dir: string; cleanup: () => void}
let dev: Device
let backend: DeviceRestBackend
const events: OsEvent[] = []

beforeEach(async () => {
  tmp = tempDir()
  const opts = {stateDir: tmp.dir, clock: 'fast-forward' as const, cacheDir: CACHE_DIR}
  dev = await Device.boot(opts)
  backend = DeviceRestBackend.fromDevice(dev, opts)
  events.length = 0
  dev.subscribe((e) => events.push(e))
})
afterEach(async () => {
  await dev.shutdown()
  tmp.cleanup()
})

const info = (n: number) => backend.apps().find((a) => a.componentId === cid(n))

describe('app state', () => {
  test('an app that exits 1 from its SIGTERM handler (as the samples do) is stopped, not crashed', async () => {
    await dev.install(await appImage(1, 'TermExit', 'term-exit1', {}))
    await dev.runFor(200)
    expect(info(1)).toMatchObject({state: 'running', sched: 'S', waitingOn: 'timer'})
    const st = await dev.stopApp(cid(1))
    expect(st).toMatchObject({state: 'stopped', appState: 'stopped', exitCode: 1})
    expect(info(1)).toMatchObject({state: 'stopped', sched: null})
    expect(info(1)?.crashReason).toBeUndefined()
    const log = dev.appLog(cid(1))
    expect(log).toMatch(/pid \d+ stopped: exited with code 1/)
    expect(log).not.toMatch(/crashed/)
    // the kernel reports the end as a stop too (no crash event, so no crash telemetry)
    const ends = events.filter((e): e is Extract<OsEvent, {type: 'process'}> => e.type === 'process' && e.state !== 'running')
    expect(ends.map((e) => e.state)).not.toContain('crashed')
    expect(ends.map((e) => e.state)).toContain('stopped')
    // and it is not restarted
    await dev.runFor(3000)
    expect(info(1)?.state).toBe('stopped')
  })

  test('an app killed after the grace period of a stop is stopped', async () => {
    await dev.install(await appImage(2, 'Stubborn', 'stubborn', {}))
    await dev.runFor(100)
    const st = await dev.stopApp(cid(2))
    expect(st.appState).toBe('stopped')
    expect(info(2)?.state).toBe('stopped')
  })

  test('a trap is a crash, until the app is stopped by hand', async () => {
    await dev.install(await appImage(3, 'Trap', 'trap', {}))
    await dev.runFor(300) // runs 100 ms, then traps; the restart is 1 s later
    expect(dev.appStatus(cid(3))).toMatchObject({state: 'stopped', appState: 'crashed'})
    expect(info(3)?.state).toBe('crashed')
    expect(info(3)?.crashReason).toMatch(/out of bounds|memory/i)
    expect(dev.appLog(cid(3))).toMatch(/pid \d+ crashed: /)
    await dev.stopApp(cid(3)) // cancels the scheduled restart: the user stopped it
    expect(info(3)?.state).toBe('stopped')
    await dev.runFor(3000)
    expect(info(3)?.state).toBe('stopped')
  })

  test('a crash loop leaves the app crashed, with the reason', async () => {
    await dev.install(await appImage(4, 'Trap', 'trap', {}))
    await dev.runFor(20_000) // 5 crashes with restarts after 1, 2, 4 and 8 s
    expect(info(4)?.state).toBe('crashed')
    expect(info(4)?.crashReason).toMatch(/crash loop/)
    dev.startApp(cid(4))
    expect(info(4)?.state).toBe('running')
  })

  test('a busy app is runnable (R)', async () => {
    await dev.install(await appImage(5, 'Spin', 'spinner', {}))
    await dev.runFor(50)
    expect(info(5)).toMatchObject({state: 'running'})
    expect(info(5)?.sched).toBe('R')
  })
})
