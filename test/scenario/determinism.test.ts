/**
 * Issue 19 acceptance: the same scenario run 20 times while other processes spin on every core gives the same
 * verdict every time and identical traces (log lines, audit records, pin and process changes at virtual
 * times; src/scenario/trace.ts). The scenario presses a button, measures the LED, restarts the device and
 * cuts its power, so the trace covers inputs, outputs and boots.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {spawn, type ChildProcess} from 'node:child_process'
import {cpus} from 'node:os'
import {join} from 'node:path'
import {parseScenario, runScenario, traceText, type ScenarioResult} from '../../src/scenario/index.js'
import {buildApp} from '../../src/sdk/index.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('scenario determinism under CPU load', () => {
  let root: string
  let home: string
  let pkg: string
  const spinners: ChildProcess[] = []

  beforeAll(async () => {
    root = tempDir('sphere-determinism-')
    home = join(root, 'home')
    copySamples(root)
    const built = await buildApp({
      dir: join(root, 'Samples/GPIO/GPIO_HighLevelApp'),
      sphereHome: home,
      env: {...process.env, SPHERE_HOME: home},
    })
    pkg = built.apps[0]!.imagePackage
  }, 300_000)
  afterAll(() => {
    for (const s of spinners) s.kill('SIGKILL')
    removeDir(root)
  })

  test('20 runs under load: one verdict, one trace', async () => {
    const sc = parseScenario(
      `
name: determinism
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
  - advance: 777ms
  - power-loss:
    for: 1s
  - expect-led: LED1 blinking 4Hz
    for: 1s
`,
      join(root, 'determinism.yaml'),
    )
    // one spinning process per core for the whole test
    for (let i = 0; i < cpus().length; i++) spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'}))
    const results: ScenarioResult[] = []
    for (let i = 0; i < 20; i++) results.push(await runScenario(sc, {sphereHome: home, cacheDir: join(root, 'cache')}))
    for (const s of spinners) s.kill('SIGKILL')

    expect(results.map((r) => r.verdict)).toEqual(Array(20).fill('passed'))
    const first = traceText(results[0]!.trace)
    const kinds = new Set(results[0]!.trace.map((e) => e.kind))
    expect([...kinds].sort()).toEqual(['app', 'audit', 'log', 'pin', 'process'])
    // three boots: the first, the restart, the power loss
    expect([...new Set(results[0]!.trace.map((e) => e.boot))]).toEqual([0, 1, 2])
    // the pins of both inputs (the button) and outputs (the LED) are in it
    expect(new Set(results[0]!.trace.flatMap((e) => (e.kind === 'pin' ? [`${e.gpio}:${e.source}`] : [])))).toEqual(new Set(['8:app', '12:external']))
    const differing = results.map((r) => traceText(r.trace)).filter((t) => t !== first)
    expect(differing).toHaveLength(0)
    expect(new Set(results.map((r) => r.virtualNs)).size).toBe(1)
  }, 600_000)

  test('the wall-clock timeout ends a runaway run with the timeout verdict, at the step it was in', async () => {
    // 100 virtual hours of a 1 ms button poll is hours of work: the 3 s wall-clock limit ends it. The
    // instrumented binary is cached first, so the deploy step is quick.
    const warm = parseScenario(`apps:\n  gpio: {package: ${JSON.stringify(pkg)}}\nsteps:\n  - deploy: gpio\n`, join(root, 'warm.yaml'))
    expect((await runScenario(warm, {sphereHome: home, cacheDir: join(root, 'cache')})).verdict).toBe('passed')
    const sc = parseScenario(
      `
name: runaway
timeout: 3s
device: {hardware: mt3620_rdb.json}
apps:
  gpio: {package: ${JSON.stringify(pkg)}}
steps:
  - deploy: gpio
  - press: MT3620_RDB_BUTTON_A
    for: 10ms
  - advance: 100h
  - expect-state: running
`,
      join(root, 'runaway.yaml'),
    )
    const r = await runScenario(sc, {sphereHome: home, cacheDir: join(root, 'cache')})
    expect(r.verdict).toBe('timeout')
    expect(r.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'timeout', 'skipped'])
    expect(r.failure).toMatchObject({step: 'advance: "100h"', wallClock: true, actual: 'the run took longer than 3s of wall time'})
    expect(r.virtualNs).toBeLessThan(100 * 3600e9)
  }, 120_000)
})
