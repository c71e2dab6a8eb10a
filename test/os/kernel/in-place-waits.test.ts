/**
 * Waits served in place (Kernel.resumeInPlace): on the fast-forward clock a wait that is provably the next thing
 * to happen is served without unwinding the app or leaving the slice loop. It must change nothing anyone can
 * observe: the same apps and inputs give the same trace with it on and off, a recording made one way replays
 * the other way to the same trace, and the scenario of issue 19 (GPIO_HighLevelApp, a 1 ms button poll) has the
 * same verdict and trace both ways.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, type OsEvent} from '../../../src/os/index.js'
import {NS_PER_MS} from '../../../src/os/kernel/clock.js'
import {DeviceRestBackend} from '../../../src/os/rest/index.js'
import {parseRecording} from '../../../src/os/replay/recording.js'
import {replay} from '../../../src/os/replay/replayer.js'
import {parseScenario, runScenario, traceText, type ScenarioResult} from '../../../src/scenario/index.js'
import type {InProcessTarget} from '../../../src/scenario/target.js'
import {buildApp} from '../../../src/sdk/index.js'
import {buildFixturePackage, cidOf} from '../../helpers/apps.js'
import {copySamples, removeDir, toolchainPresent} from '../../sdk/helpers.js'
import {CACHE_DIR, appImage, cid, tempDir} from '../helpers.js'
import {readLines, recordedDevice} from '../replay/helpers.js'

/**
 * Run `apps` with scripted button input on a fresh fast-forward device: the event trace, the waits served in
 * place, and the memory digest (memory and fuel) of each app each time a run ended on a condition (a snapshot
 * checks a restored device against these).
 */
async function run(inPlaceWaits: boolean, apps: 'sleepers' | 'with-spinner'): Promise<{events: string[]; inPlace: number; digests: string[]}> {
  const tmp = tempDir()
  const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true, inPlaceWaits})
  const events: OsEvent[] = []
  dev.subscribe((e) => events.push(e))
  try {
    await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
    await dev.install(await appImage(2, 'Button', 'button', {Gpio: [12, 15]}))
    if (apps === 'with-spinner') await dev.install(await appImage(3, 'Spin', 'spinner', {}))
    await dev.runFor(3_000)
    dev.pressButton('A')
    await dev.runFor(450)
    dev.releaseButton('A')
    await dev.runFor(2_000)
    await dev.stopApp(cid(2))
    await dev.runFor(1_200)
    // runs that end when a condition holds, in the middle of the loop's points
    const digests: string[] = []
    for (let i = 0; i < 6; i++) {
      const n = events.length
      await dev.kernel.runUntil(() => events.length > n, 10_000 * NS_PER_MS)
      for (const p of dev.kernel.processes()) digests.push(`${i} ${p.pid} ${dev.kernel.now()} ${p.task?.memoryDigest?.() ?? ''}`)
    }
    return {events: events.map((e) => JSON.stringify(e)), inPlace: dev.kernel.inPlaceWakes, digests}
  } finally {
    await dev.shutdown()
    tmp.cleanup()
  }
}

describe('waits served in place', () => {
  test('sleeping apps: the same event trace with and without, and the waits were served in place', async () => {
    const slow = await run(false, 'sleepers')
    const fast = await run(true, 'sleepers')
    expect(slow.inPlace).toBe(0)
    // blink sleeps 500 ms, the button app waits on a 100 ms timerfd: the waits that do not end together with the
    // other app's are served in place (about half)
    expect(fast.inPlace).toBeGreaterThanOrEqual(30)
    expect(fast.events.some((l) => l.includes('"type":"gpio","gpio":15'))).toBe(true)
    expect(fast.events.length).toBeGreaterThan(30)
    expect(fast.events).toEqual(slow.events)
    expect(fast.digests.length).toBe(6) // blink alone is left
    expect(fast.digests).toEqual(slow.digests)
  }, 120_000)

  test('beside a process that never sleeps: the same trace, and no wait is served in place while it is ready', async () => {
    const slow = await run(false, 'with-spinner')
    const fast = await run(true, 'with-spinner')
    expect(fast.inPlace).toBe(0)
    expect(fast.events.some((l) => l.includes('"type":"gpio","gpio":8'))).toBe(true)
    expect(fast.events).toEqual(slow.events)
  }, 120_000)

  test('an app napping 1 us at a time beside blink: blink keeps its times, the host event loop keeps its turns', async () => {
    const once = async (inPlaceWaits: boolean): Promise<{pins: string[]; inPlace: number; hostTurnMidRun: boolean}> => {
      const tmp = tempDir()
      const dev = await Device.boot({stateDir: tmp.dir, clock: 'fast-forward', cacheDir: CACHE_DIR, multiApp: true, inPlaceWaits})
      const pins: string[] = []
      dev.subscribe((e) => {
        if (e.type === 'gpio' || e.type === 'process') pins.push(JSON.stringify(e))
      })
      try {
        await dev.install(await appImage(1, 'Blink', 'blink', {Gpio: [8]}))
        await dev.install(await appImage(4, 'Naps', 'nap-storm', {}))
        let hostTurnMidRun = false
        setImmediate(() => (hostTurnMidRun = dev.kernel.driving))
        await dev.runFor(1_600) // a nap and its call are about 2.4 us of virtual time: some 660,000 naps
        return {pins, inPlace: dev.kernel.inPlaceWakes, hostTurnMidRun}
      } finally {
        await dev.shutdown()
        tmp.cleanup()
      }
    }
    const slow = await once(false)
    const fast = await once(true)
    expect(fast.inPlace).toBeGreaterThan(500_000)
    // blink toggled on time (the naps never held it up) and the host event loop ran while the naps went on
    const toggles = fast.pins.map((l) => JSON.parse(l) as OsEvent).filter((e) => e.type === 'gpio' && e.gpio === 8).map((e) => e.t)
    // opened high, set low at start, then every 500 ms of virtual time (its own calls take a few us)
    expect(toggles).toHaveLength(5)
    expect(toggles.slice(2).map((t, i) => Math.abs(t - (i + 1) * 500 * NS_PER_MS) < 20_000)).toEqual([true, true, true])
    expect(fast.hostTurnMidRun).toBe(true)
    expect(fast.pins).toEqual(slow.pins)
  }, 240_000)

  test('a session recorded with them replays to the same trace without them, and the other way round', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sphere-inplace-home-'))
    try {
      // the same packages (image IDs) for both recordings
      const blink = await buildFixturePackage(home, home, 'blink', {n: 1, capabilities: {Gpio: [8]}})
      const button = await buildFixturePackage(home, home, 'button', {n: 2, capabilities: {Gpio: [12, 15]}})
      const record = async (inPlaceWaits: boolean): Promise<{file: string; inPlace: number}> => {
        const dir = mkdtempSync(join(home, 'rec-'))
        const file = join(dir, 'session.rec')
        const dev = await recordedDevice(home, dir, {file, multiApp: true, inPlaceWaits})
        const sideload = async (bytes: Uint8Array): Promise<void> => {
          expect((await dev.req('PUT', '/update/stage', bytes)).status).toBe(200)
          expect((await dev.req('POST', '/update/install', {appControlMode: 'Auto'})).status).toBe(200)
        }
        await sideload(blink.bytes)
        await sideload(button.bytes)
        for (let i = 0; i < 4; i++) {
          await dev.req('POST', '/sphere/clock/advance', {ms: 7_000 + i * 333})
          expect((await dev.req('POST', '/sphere/world/press', {button: 'A', holdMs: 150 + i * 10})).status).toBe(200)
        }
        await dev.req('PATCH', `/app/status/${cidOf(1)}`, {trigger: 'stop'})
        await dev.req('POST', '/sphere/clock/advance', {ms: 2_000})
        await dev.req('POST', '/restart')
        await dev.req('POST', '/sphere/clock/advance', {ms: 5_000})
        const inPlace = dev.backend.device.kernel.inPlaceWakes
        await dev.stop()
        return {file, inPlace}
      }
      const replayed = async (file: string, inPlaceWaits: boolean): Promise<string[]> => {
        const rec = parseRecording(readFileSync(file, 'utf8'), file)
        const trust = loadTrustStore(home)
        const r = await replay(rec, {
          trust,
          cacheDir: CACHE_DIR,
          boot: (o) =>
            DeviceRestBackend.boot({
              stateDir: o.stateDir,
              clock: 'fast-forward',
              epochMs: o.epochMs,
              tap: o.tap,
              onBoot: o.onBoot,
              trust,
              cacheDir: CACHE_DIR,
              inPlaceWaits,
              ...(o.multiApp ? {multiApp: true} : {}),
            }),
        })
        return r.trace!
      }
      const fast = await record(true)
      const slow = await record(false)
      // the second boot serves waits in place too (the count is of the device running at the end)
      expect(fast.inPlace).toBeGreaterThan(20)
      expect(slow.inPlace).toBe(0)
      const fastTrace = readLines(`${fast.file}.trace`)
      const slowTrace = readLines(`${slow.file}.trace`)
      expect(fastTrace.length).toBeGreaterThan(80)
      expect(fastTrace.some((l) => l.includes('"gpio":15'))).toBe(true)
      expect(fastTrace).toEqual(slowTrace)
      expect(await replayed(fast.file, false)).toEqual(fastTrace)
      expect(await replayed(slow.file, true)).toEqual(slowTrace)
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  }, 240_000)
})

const d = toolchainPresent ? describe : describe.skip

d('waits served in place: GPIO_HighLevelApp (1 ms button poll)', () => {
  let root: string
  let home: string
  let pkg: string
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sphere-inplace-gpio-'))
    home = join(root, 'home')
    copySamples(root)
    const built = await buildApp({dir: join(root, 'Samples/GPIO/GPIO_HighLevelApp'), sphereHome: home, env: {...process.env, SPHERE_HOME: home}})
    pkg = built.apps[0]!.imagePackage
  }, 300_000)
  afterAll(() => removeDir(root))

  test('the issue-19 scenario gives the same verdict and trace with and without', async () => {
    const sc = parseScenario(
      `
name: in-place
device:
  hardware: HardwareDefinitions/mt3620_rdb/sample_appliance.json
apps:
  gpio: {package: ${JSON.stringify(pkg)}}
steps:
  - deploy: gpio
  - wait-log: "Opening SAMPLE_LED as output"
  - expect-led: SAMPLE_LED blinking 4Hz
    for: 1s
  - press: A
    for: 50ms
  - expect-led: SAMPLE_LED blinking 2Hz
    for: 2s
  - restart-device:
  - wait-log: "Opening SAMPLE_LED as output"
  - press: A
    for: 3ms
  - advance: 10s
  - press: A
    for: 7ms
  - expect-led: LED1 blinking 1Hz
    for: 3s
`,
      join(root, 'in-place.yaml'),
    )
    const once = async (inPlaceWaits: boolean): Promise<{r: ScenarioResult; inPlace: number}> => {
      let target: InProcessTarget | undefined
      const r = await runScenario(sc, {
        sphereHome: home,
        cacheDir: join(root, 'cache'),
        inPlaceWaits,
        wrapTarget: (t) => (target = t as InProcessTarget),
      })
      return {r, inPlace: target!.device.kernel.inPlaceWakes}
    }
    const slow = await once(false)
    const fast = await once(true)
    expect(slow.r.verdict).toBe('passed')
    expect(fast.r.verdict).toBe('passed')
    expect(slow.inPlace).toBe(0)
    // the second boot alone polls the button about 16,000 times
    expect(fast.inPlace).toBeGreaterThan(10_000)
    expect(fast.r.trace.length).toBeGreaterThan(50)
    expect(traceText(fast.r.trace)).toBe(traceText(slow.r.trace))
    expect(fast.r.virtualNs).toBe(slow.r.virtualNs)
  }, 300_000)
})
