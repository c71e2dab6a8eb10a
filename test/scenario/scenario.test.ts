/** The scenario format: parsing, the schema's one-line errors, durations and blink rates, shards, JUnit text. */
import {describe, expect, test} from '@jest/globals'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {
  collectScenarioFiles,
  junitXml,
  parseBlinkRate,
  parseDuration,
  parseScenario,
  parseShard,
  selectShard,
  shardOf,
  firstDifference,
  parseTrace,
  traceText,
  ACTIONS,
  type ScenarioResult,
  type TraceEntry,
} from '../../src/scenario/index.js'
import {repoRoot} from '../sdk/helpers.js'

const FILE = '/work/s/x.yaml'
const bad = (text: string): string => {
  try {
    parseScenario(text, FILE)
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('parsed')
}
const APPS = 'apps:\n  a: {project: app}\n  b: {package: b.imagepackage}\n'

describe('scenario files', () => {
  test('every action parses into a typed step; relative paths resolve next to the file', () => {
    const sc = parseScenario(
      `${APPS}name: all
timeout: 2m
wait-timeout: 5s
device: {hardware: hw.json, world: w.yaml, capabilities: [appDevelopment]}
steps:
  - deploy: [a, b]
  - start: a
  - stop: b
  - wait-log: "x"
    app: a
    timeout: 1.5s
  - wait-log-regex: "^Read [0-9]+"
  - expect-log: "y"
  - expect-log-regex: "z+"
  - expect-no-log: "w"
  - fail-log: "ERROR"
  - press: A
    for: 100ms
  - release: A
  - set: {adc.0.0: 1.65}
  - set: "sensors.lsm6ds3.accel.z=-0.5"
  - expect-led: LED1 blinking 2Hz±5%
  - expect-led: SAMPLE_LED off
    for: 1s
  - expect-pin: GPIO8 low
  - expect-denied: gpio.open gpio=9
    app: a
  - expect-allowed: storage.open
  - expect-state: running
    app: a
  - expect-exit: 0
    app: b
  - advance: 10m
  - http: {port: 8080, path: /status, expect-status: 200, expect-body: ok}
  - tcp: {port: 11000, send: "hi\\r\\n", expect-reply: Received}
  - udp: {port: 9000, send: ping, expect-reply: pong}
  - restart-device:
  - power-loss:
    for: 3s
`,
      FILE,
    )
    expect(sc.name).toBe('all')
    expect(sc.timeoutMs).toBe(120_000)
    expect(sc.apps).toEqual([
      {name: 'a', project: '/work/s/app'},
      {name: 'b', package: '/work/s/b.imagepackage'},
    ])
    expect(sc.device.world).toBe('/work/s/w.yaml')
    const steps = sc.steps
    expect([...new Set(steps.map((s) => s.action))]).toEqual(ACTIONS)
    expect(steps[0]).toMatchObject({action: 'deploy', apps: ['a', 'b'], start: true})
    expect(steps[3]).toMatchObject({app: 'a', text: 'x', timeoutNs: 1_500_000_000})
    expect(steps[4]).toMatchObject({timeoutNs: 5_000_000_000})
    expect(steps[9]).toMatchObject({button: 'A', forNs: 100_000_000})
    expect(steps[12]).toMatchObject({values: [['sensors.lsm6ds3.accel.z', -0.5]]})
    expect(steps[13]).toMatchObject({led: 'LED1', expect: {kind: 'blinking', periodNs: 500_000_000, tolerance: 0.05}})
    expect(steps[14]).toMatchObject({led: 'SAMPLE_LED', expect: {kind: 'lit', lit: false}, forNs: 1_000_000_000})
    expect(steps[15]).toMatchObject({pin: 'GPIO8', level: 0})
    expect(steps[16]).toMatchObject({operation: 'gpio.open', object: [['gpio', '9']], app: 'a'})
    expect(steps[19]).toMatchObject({app: 'b', code: 0})
    expect(steps[20]).toMatchObject({ns: 600_000_000_000})
    expect(steps[21]).toMatchObject({method: 'GET', port: 8080, path: '/status', expectStatus: 200, expectBody: 'ok'})
    expect(steps[22]).toMatchObject({action: 'tcp', port: 11000, send: 'hi\r\n', expectReply: 'Received'})
    expect(steps[25]).toMatchObject({offNs: 3_000_000_000})
  })

  test('the schema and the runner know the same actions', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'sdk/schemas/scenario.schema.json'), 'utf8')) as {
      definitions: {step: {properties: Record<string, unknown>}}
    }
    const options = ['name', 'app', 'timeout', 'for']
    expect(Object.keys(schema.definitions.step.properties).filter((k) => !options.includes(k))).toEqual([...ACTIONS])
  })

  test('the sample scenarios in test/fixtures/scenarios are valid', () => {
    for (const f of ['gpio-blink', 'storage-restart', 'wrong-rate', 'waits-forever', 'denied-gpio', 'tcp-echo', 'http-udp', 'adc-world']) {
      const p = join(repoRoot, 'test/fixtures/scenarios', `${f}.yaml`)
      expect(parseScenario(readFileSync(p, 'utf8'), p).steps.length).toBeGreaterThan(1)
    }
  })

  test('bad input: one line naming the file, the step and the problem', () => {
    expect(bad('steps: []')).toBe('x.yaml: steps: must NOT have fewer than 1 items')
    expect(bad(`${APPS}steps:\n  - wait-log: a\n    timeout: soon`)).toBe(
      'x.yaml: steps[0].timeout: expected a duration such as 500ms, 10s, 10m, 1h (a bare number is milliseconds)',
    )
    expect(bad(`${APPS}steps:\n  - wait-logs: a`)).toBe(
      `x.yaml: steps[0]: no action (found wait-logs; use one of ${ACTIONS.join(', ')})`,
    )
    expect(bad(`${APPS}steps:\n  - wait-log: a\n    press: A`)).toBe('x.yaml: steps[0]: one action per step, found wait-log and press')
    expect(bad(`${APPS}steps:\n  - wait-log: a\n    timout: 1s`)).toBe("x.yaml: steps[0]: unknown key 'timout' (did you mean timeout?)")
    expect(bad(`${APPS}steps:\n  - start: c`)).toBe("x.yaml: steps[0] (start): no app 'c' in apps (a, b)")
    expect(bad(`${APPS}steps:\n  - start:`)).toBe('x.yaml: steps[0] (start): name the app (the scenario has 2 apps)')
    expect(bad(`${APPS}steps:\n  - expect-led: LED1 blinking fast`)).toBe(
      "x.yaml: steps[0] (expect-led): 'fast' is not a blink rate (write 2Hz, 2Hz±10% or a period such as 500ms±5%)",
    )
    expect(bad(`${APPS}steps:\n  - expect-led: LED1 purple`)).toBe('x.yaml: steps[0].expect-led: expected "LED on", "LED off" or "LED blinking RATE" (e.g. LED1 blinking 2Hz±10%)')
    expect(bad(`${APPS}steps:\n  - wait-log-regex: "("`)).toMatch(/^x\.yaml: steps\[0\] \(wait-log-regex\): not a regular expression: /)
    expect(bad('apps:\n  a: {project: x, package: y}\nsteps:\n  - deploy: a')).toBe(
      'x.yaml: apps.a: expected an app: {project: DIR} or {package: FILE}',
    )
    expect(bad('steps: [')).toMatch(/^x\.yaml: not valid YAML\/JSON: /)
  })

  test('durations and blink rates', () => {
    expect(parseDuration('10m')).toBe(600e9)
    expect(parseDuration('1.5s')).toBe(1.5e9)
    expect(parseDuration('250 ms')).toBe(250e6)
    expect(parseDuration(20)).toBe(20e6)
    expect(parseDuration('1h')).toBe(3600e9)
    expect(parseDuration('soon')).toBeUndefined()
    expect(parseBlinkRate('2Hz')).toEqual({periodNs: 500e6, tolerance: 0.1})
    expect(parseBlinkRate('4 Hz ± 0.4Hz')).toEqual({periodNs: 250e6, tolerance: 0.1})
    expect(parseBlinkRate('500ms+-5%')).toEqual({periodNs: 500e6, tolerance: 0.05})
    expect(parseBlinkRate('1s ± 100ms')).toEqual({periodNs: 1e9, tolerance: 0.1})
    expect(parseBlinkRate('2Hz±10ms')).toBeUndefined()
    expect(parseBlinkRate('0Hz')).toBeUndefined()
  })
})

describe('suites', () => {
  test('a folder is searched for *.yaml, *.yml and *.scenario.json, in name order, without dot-folders, node_modules or other JSON', () => {
    const root = mkdtempSync(join(tmpdir(), 'sphere-suite-'))
    try {
      for (const f of ['a.yaml', 'sub/b.yml', 'c.scenario.json', 'app/app_manifest.json', 'app/CMakePresets.json', '.hidden/x.yaml', 'node_modules/y.yaml', 'notes.txt']) {
        mkdirSync(dirname(join(root, f)), {recursive: true})
        writeFileSync(join(root, f), '')
      }
      expect(collectScenarioFiles([root]).map((f) => f.slice(root.length + 1))).toEqual(['a.yaml', 'c.scenario.json', 'sub/b.yml'])
      // a file named explicitly is taken whatever its name, once even if also found in a folder
      expect(collectScenarioFiles([join(root, 'notes.txt'), root, join(root, 'a.yaml')]).map((f) => f.slice(root.length + 1))).toEqual([
        'notes.txt',
        'a.yaml',
        'c.scenario.json',
        'sub/b.yml',
      ])
      expect(() => collectScenarioFiles([join(root, 'nope')])).toThrow(`no scenario file or folder ${join(root, 'nope')}`)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})

describe('shards', () => {
  const files = Array.from({length: 200}, (_, i) => `/suite/dir${i % 7}/scenario-${i}.yaml`)
  test('for k = 1..N the shards hold every file exactly once, whatever the order of the list', () => {
    for (const n of [1, 2, 3, 4, 7, 16]) {
      const seen = new Map<string, number>()
      for (let k = 1; k <= n; k++) for (const f of selectShard([...files].reverse(), {index: k, count: n}, '/suite')) seen.set(f, (seen.get(f) ?? 0) + 1)
      expect(seen.size).toBe(files.length)
      expect([...seen.values()].every((c) => c === 1)).toBe(true)
    }
  })
  test('a file keeps its shard when other files come and go (a hash of its path, not its position)', () => {
    const before = files.map((f) => shardOf(f, 4, '/suite'))
    const after = files.slice(50).map((f) => shardOf(f, 4, '/suite'))
    expect(after).toEqual(before.slice(50))
    // and the split is not degenerate
    const sizes = [1, 2, 3, 4].map((k) => before.filter((s) => s === k).length)
    expect(Math.min(...sizes)).toBeGreaterThan(25)
  })
  test('--shard syntax', () => {
    expect(parseShard('2/4')).toEqual({index: 2, count: 4})
    expect(() => parseShard('0/4')).toThrow('--shard 0/4: expected K/N with 1 <= K <= N, e.g. 2/4')
    expect(() => parseShard('5/4')).toThrow('expected K/N')
    expect(() => parseShard('two')).toThrow('expected K/N')
  })
})

describe('traces and JUnit', () => {
  const entries: TraceEntry[] = [
    {boot: 0, t: 0, kind: 'app', app: 'c', action: 'started'},
    {boot: 0, t: 5, kind: 'log', app: 'c', stream: 'stdout', text: 'hi <&>'},
    {boot: 0, t: 9, kind: 'pin', gpio: 8, level: 0, source: 'app'},
  ]
  test('JSON Lines round trip with a fixed key order; firstDifference finds the first difference', () => {
    expect(traceText(entries).split('\n')[1]).toBe('{"boot":0,"t":5,"kind":"log","app":"c","stream":"stdout","text":"hi <&>"}')
    expect(parseTrace(traceText(entries))).toEqual(entries)
    expect(() => parseTrace('{"t":1}\n')).toThrow('trace line 1 is not a trace entry (needs t and kind)')
    expect(firstDifference(entries, entries)).toBeUndefined()
    const other = [...entries.slice(0, 2), {...entries[2]!, t: 10}] as TraceEntry[]
    expect(firstDifference(entries, other)).toEqual({index: 2, expected: entries[2], actual: other[2]})
    expect(firstDifference(entries, entries.slice(0, 1))).toEqual({index: 1, expected: entries[1], actual: undefined})
  })
  test('JUnit: a failure carries the report; markup and control characters are escaped', () => {
    const r: ScenarioResult = {
      name: 'a <b> & "c"',
      verdict: 'failed',
      virtualNs: 2e9,
      virtualTime: '2s',
      wallMs: 1500,
      buildMs: 500,
      steps: [{index: 0, step: 'wait-log: "x"', status: 'failed'}],
      failure: {index: 0, step: 'wait-log: "x"', expectation: 'a line contains "x"', actual: 'no\u0001', virtualNs: 2e9, virtualTime: '2s', lastLog: ['[1s] app: <hi>'], auditTail: []},
      trace: entries,
    }
    const x = junitXml([r])
    expect(x).toContain('<testcase name="a &lt;b&gt; &amp; &quot;c&quot;" classname="a &lt;b&gt; &amp; &quot;c&quot;" time="2.000">')
    expect(x).toContain('<failure message="wait-log: &quot;x&quot;: expected a line contains &quot;x&quot;; no\\x01" type="expectation">')
    expect(x).toContain('[1s] app: &lt;hi&gt;')
    expect(x).toContain('<property name="virtual-time" value="2s"/>')
  })
})
