/**
 * End to end (issue 5 acceptance): the unmodified samples and a template, built by the SDK, sideloaded into
 * the simulated device (src/os Device, fast-forward virtual time) and run: LED toggles at the sample's period,
 * the button changes the GPIO sample's blink rate, a manifest without the LED makes GPIO_OpenAsOutput fail
 * with EACCES and the sample's error path sets its exit code.
 */
import {afterAll, afterEach, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadTrustStore} from '../../src/image/index.js'
import {Device, NS_PER_MS, type OsEvent} from '../../src/os/index.js'
import {buildApp, createApp, type BuildResult} from '../../src/sdk/index.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from './helpers.js'

const d = toolchainPresent ? describe : describe.skip

type GpioEvent = Extract<OsEvent, {type: 'gpio'}>
const ledTimes = (events: OsEvent[], gpio: number): {t: number; level: number}[] =>
  events.filter((e): e is GpioEvent => e.type === 'gpio' && e.gpio === gpio).map((e) => ({t: Math.round(e.t / NS_PER_MS), level: e.level}))
const gaps = (xs: {t: number}[]): number[] => xs.slice(1).map((x, i) => x.t - xs[i]!.t)

d('SDK-built apps on the simulator', () => {
  let root: string
  let home: string
  let env: NodeJS.ProcessEnv
  let hello: BuildResult
  let gpio: BuildResult
  let gpioNoLed: BuildResult
  let loop: BuildResult
  let dev: Device | undefined
  let events: OsEvent[]

  beforeAll(async () => {
    root = tempDir('sphere-e2e-')
    home = join(root, 'home')
    copySamples(root)
    env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    hello = await buildApp({dir: join(root, 'Samples/HelloWorld/HelloWorld_HighLevelApp'), env, sphereHome: home})
    gpio = await buildApp({dir: join(root, 'Samples/GPIO/GPIO_HighLevelApp'), env, sphereHome: home})
    // The same sample with a manifest that omits the LED (only the build input changes, not the source).
    const manifest = join(root, 'Samples/GPIO/GPIO_HighLevelApp/app_manifest.json')
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as {Capabilities: {Gpio: string[]}}
    m.Capabilities.Gpio = ['$SAMPLE_BUTTON_1']
    writeFileSync(manifest, JSON.stringify(m))
    gpioNoLed = await buildApp({dir: join(root, 'Samples/GPIO/GPIO_HighLevelApp'), env, sphereHome: home, preset: 'ARM-Release'})
    loop = await buildApp({dir: createApp({template: 'c-eventloop', name: 'Loop', dir: root}).projectDir, env, sphereHome: home})
  }, 180_000)
  afterAll(() => removeDir(root))
  afterEach(async () => {
    await dev?.shutdown()
    dev = undefined
  })

  const boot = async (name: string): Promise<Device> => {
    dev = await Device.boot({stateDir: join(root, `state-${name}`), clock: 'fast-forward', trust: loadTrustStore(home)})
    events = []
    dev.subscribe((e) => events.push(e))
    return dev
  }

  test('HelloWorld: LED1 red toggles every 1 s of virtual time', async () => {
    const device = await boot('hello')
    const st = await device.installPackage(readFileSync(hello.apps[0]!.imagePackage), {start: true})
    expect(st.state).toBe('running')
    await device.runFor(4_500)
    const led = ledTimes(events, 8)
    expect(led.slice(0, 2).map((e) => e.level)).toEqual([1, 0])
    expect(gaps(led.slice(1))).toEqual([1000, 1000, 1000, 1000])
    expect(device.appLog(st.componentId)).toContain('Starting CMake Hello World application...')
  })

  test('GPIO: blinks every 125 ms; pressing button A switches to 250 ms; stopping it exits with code 1', async () => {
    const device = await boot('gpio')
    const st = await device.installPackage(readFileSync(gpio.apps[0]!.imagePackage), {start: true})
    await device.runFor(1_000)
    const before = ledTimes(events, 8).filter((e) => e.t >= 125)
    expect(new Set(gaps(before))).toEqual(new Set([125]))
    device.pressButton('A')
    await device.runFor(100)
    device.releaseButton('A')
    await device.runFor(2_000)
    const after = ledTimes(events, 8).filter((e) => e.t >= 1_400)
    expect(after.length).toBeGreaterThan(4)
    expect(new Set(gaps(after))).toEqual(new Set([250]))
    const stopped = await device.stopApp(st.componentId)
    expect(stopped.exitCode).toBe(1) // ExitCode_TermHandler_SigTerm
    expect(device.appLog(st.componentId)).toContain('Application exiting.')
  })

  test('GPIO without the LED in its manifest: EACCES, and the sample exits with ExitCode_Init_Led (10)', async () => {
    const device = await boot('noled')
    const st = await device.installPackage(readFileSync(gpioNoLed.apps[0]!.imagePackage), {start: true})
    await device.runFor(500)
    const status = device.appStatus(st.componentId)
    expect(status.exitCode).toBe(10)
    expect(status.crashReason ?? '').not.toMatch(/trap/i)
    expect(device.appLog(st.componentId)).toContain('ERROR: Could not open SAMPLE_LED GPIO: Permission denied (2).')
  })

  test('a template app created, built and run: c-eventloop blinks at 125 ms', async () => {
    const device = await boot('loop')
    await device.installPackage(readFileSync(loop.apps[0]!.imagePackage), {start: true})
    await device.runFor(1_000)
    expect(new Set(gaps(ledTimes(events, 8).filter((e) => e.t >= 125)))).toEqual(new Set([125]))
  })
})
