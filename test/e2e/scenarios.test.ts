/**
 * Issue 19 acceptance (scenarios), through the built CLI in subprocesses: scenarios for GPIO_HighLevelApp
 * (the blink rate steps 4 -> 2 -> 1 Hz, i.e. the sample's 125 -> 250 -> 500 ms toggle interval, on each press of
 * button A, checked with expect-led) and MutableStorage (the value survives a restart and a power loss) pass
 * with exit 0; a deliberately wrong expectation exits 1 with a readable report (the step, the expectation,
 * the last log lines, the audit tail, the virtual time); a wait that never ends exits with the timeout code
 * 42; a world file and set steps drive ADC_HighLevelApp; the host talks TCP (PrivateNetworkServices), HTTP and UDP (a fixture app) to an app; JUnit XML is well-formed (xmllint) and says what happened; `--shard k/N` covers each file exactly once.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'

const hasToolchain = spawnSync('which', ['clang-14']).status === 0 && spawnSync('which', ['cmake']).status === 0

interface Row {
  name: string
  verdict: string
  virtualTime: string
  steps: {step: string; status: string; detail?: string}[]
  failure?: {step: string; expectation: string; actual: string; virtualTime: string; lastLog: string[]; auditTail: string[]}
}

const xpath = (file: string, expr: string): string => {
  const r = spawnSync('xmllint', ['--xpath', expr, file], {encoding: 'utf8'})
  return r.stdout.trim()
}

describe('sphere test', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-scen-'))
  const scen = join(dir, 'scenarios')
  beforeAll(() => {
    cpSync(join(ROOT, 'test', 'fixtures', 'samples'), join(dir, 'samples'), {recursive: true})
    cpSync(join(ROOT, 'test', 'fixtures', 'scenarios'), scen, {recursive: true})
  })
  afterAll(() => {
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('requires the C toolchain and xmllint', () => {
    expect(hasToolchain).toBe(true)
    expect(spawnSync('which', ['xmllint']).status).toBe(0)
  })

  it('the GPIO_HighLevelApp, MutableStorage, denied-GPIO, TCP, HTTP/UDP and ADC-world scenarios pass: exit 0, JSON and JUnit results', async () => {
    const junit = join(dir, 'pass.xml')
    const r = await runCli(
      ['test', join(scen, 'gpio-blink.yaml'), join(scen, 'storage-restart.yaml'), join(scen, 'denied-gpio.yaml'), join(scen, 'tcp-echo.yaml'), join(scen, 'http-udp.yaml'), join(scen, 'adc-world.yaml'), '--junit', junit, '-o', 'json'],
      {env, cwd: dir, timeoutMs: 400_000},
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Row[]
    expect(rows.map((x) => [x.name, x.verdict])).toEqual([
      ['GPIO_HighLevelApp blink rate follows button A', 'passed'],
      ['MutableStorage value survives a device restart', 'passed'],
      ['GPIO 9 is denied, GPIO 8 lights LED1 red, the app exits with 3', 'passed'],
      ['PrivateNetworkServices answers a line over TCP', 'passed'],
      ['an app answers HTTP and UDP from the host', 'passed'],
      ["ADC_HighLevelApp reads the world's voltage", 'passed'],
    ])
    // the LED measurements: 4 Hz, then 2 Hz, then 1 Hz, each period exactly the sample's interval times two
    const leds = rows[0]!.steps.filter((s) => s.step.startsWith('expect-led')).map((s) => /blinking at ([0-9.]+) Hz \(period ([^,]+),/.exec(s.detail!)!.slice(1))
    expect(leds).toEqual([
      ['4.00', '250ms'],
      ['2.00', '500ms'],
      ['1.00', '1s'],
    ])
    expect(rows[1]!.steps.map((s) => s.status).every((s) => s === 'passed')).toBe(true)
    expect(rows[2]!.steps.find((s) => s.step.startsWith('expect-exit'))!.detail).toBe('crashed, code 3 at 1s')
    expect(spawnSync('xmllint', ['--noout', junit]).status).toBe(0)
    expect(rows[3]!.steps.find((s) => s.step.startsWith('tcp'))!.detail).toBe('reply "Received \\"hello sphere\\"\\r\\n"')
    expect(rows[4]!.steps.filter((s) => /^(http|udp)/.test(s.step)).map((s) => s.detail)).toEqual(['status 200, 19 bytes', 'reply "pong: ping"'])
    // the world: 1.65 V from the inline world file, then the set steps, one reading per virtual second
    expect(rows[5]!.steps.filter((s) => s.step.startsWith('wait-log')).map((s) => s.detail)).toEqual(['at 1s', 'at 2s', 'at 3s'])
    expect(xpath(junit, 'string(/testsuites/@tests)')).toBe('6')
    expect(xpath(junit, 'string(/testsuites/@failures)')).toBe('0')
    expect(xpath(junit, 'count(//testcase)')).toBe('6')
    expect(xpath(junit, 'count(//failure)')).toBe('0')
    expect(xpath(junit, 'string(//testcase[1]/@classname)')).toBe('scenarios/gpio-blink.yaml')
  }, 420_000)

  it('a wrong expectation exits 1 with the step, the expectation, the last log lines, the audit tail and the virtual time', async () => {
    const r = await runCli(['test', join(scen, 'wrong-rate.yaml'), '-o', 'json'], {env, cwd: dir, timeoutMs: 300_000})
    expect(r.code).toBe(1)
    const [row] = JSON.parse(r.stdout) as Row[]
    expect(row!.verdict).toBe('failed')
    expect(row!.failure).toMatchObject({
      step: 'expect-led: "SAMPLE_LED blinking 1Hz±10%"',
      expectation: 'SAMPLE_LED blinking 1Hz±10% (period 1s ±10%)',
      virtualTime: '8s',
    })
    expect(row!.failure!.actual).toMatch(/^it blinks at 4\.00 Hz \(period 250ms/)
    expect(row!.failure!.lastLog).toContain('[0.014ms] gpio: Opening SAMPLE_LED as output.')
    expect(row!.failure!.auditTail.some((l) => /ALLOWED app:\S+ gpio\.open gpio=8: GPIO 8 is in Capabilities\.Gpio/.test(l))).toBe(true)
    // the steps after the failure are reported as skipped
    expect(row!.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed', 'skipped'])
    // the human report on stderr
    expect(r.stderr).toContain('FAILED wrong blink rate fails')
    expect(r.stderr).toContain('step 3: expect-led: "SAMPLE_LED blinking 1Hz±10%"')
    expect(r.stderr).toContain('expected: SAMPLE_LED blinking 1Hz±10% (period 1s ±10%)')
    expect(r.stderr).toContain('at virtual time 8s')
    expect(r.stderr).toMatch(/last log lines:\n(\s+\[.*\n)+\s+audit tail:\n/)
  }, 300_000)

  it('a wait that never ends exits 42 (the timeout code) after its virtual timeout; JUnit tells timeout from failure', async () => {
    const r = await runCli(['test', join(scen, 'waits-forever.yaml'), '-o', 'json'], {env, cwd: dir, timeoutMs: 300_000})
    expect(r.code).toBe(42)
    const [row] = JSON.parse(r.stdout) as Row[]
    expect(row!.verdict).toBe('timeout')
    expect(row!.failure).toMatchObject({actual: 'not within 1m0s (virtual)', virtualTime: '1m0s'})
    // a suite with a failure and a timeout: exit 1 (a failure wins), both in the JUnit file
    const junit = join(dir, 'mixed.xml')
    const m = await runCli(['test', join(scen, 'wrong-rate.yaml'), join(scen, 'waits-forever.yaml'), '--junit', junit, '-o', 'none'], {
      env,
      cwd: dir,
      timeoutMs: 300_000,
    })
    expect(m.code).toBe(1)
    expect(spawnSync('xmllint', ['--noout', junit]).status).toBe(0)
    expect(xpath(junit, 'string(/testsuites/@failures)')).toBe('2')
    expect(xpath(junit, 'string(//testcase[1]/failure/@type)')).toBe('expectation')
    expect(xpath(junit, 'string(//testcase[2]/failure/@type)')).toBe('timeout')
    expect(xpath(junit, 'string(//testcase[2]/failure)')).toContain('at virtual time 1m0s')
  }, 400_000)

  it('--trace: the same scenario and package in two processes write byte-identical traces', async () => {
    // a package, not a project: each build stamps a new image ID, which the trace rightly shows
    const pkg = join(dir, 'samples', 'Samples', 'GPIO', 'GPIO_HighLevelApp', 'out', 'ARM-Debug', 'GPIO_HighLevelApp.imagepackage')
    const f = join(scen, 'wrong-rate-pkg.yaml')
    writeFileSync(f, readFileSync(join(scen, 'wrong-rate.yaml'), 'utf8').replace('{project: ../samples/Samples/GPIO/GPIO_HighLevelApp}', `{package: ${JSON.stringify(pkg)}}`))
    for (const out of ['traces-1', 'traces-2']) expect((await runCli(['test', f, '--trace', out, '-o', 'none'], {env, cwd: dir, timeoutMs: 120_000})).code).toBe(1)
    const t1 = readFileSync(join(dir, 'traces-1', 'scenarios__wrong-rate-pkg.trace.jsonl'), 'utf8')
    const t2 = readFileSync(join(dir, 'traces-2', 'scenarios__wrong-rate-pkg.trace.jsonl'), 'utf8')
    expect(t2).toBe(t1)
    const lines = t1.trim().split('\n').map((l) => JSON.parse(l) as {boot: number; kind: string; gpio?: number})
    expect(lines.every((e) => e.boot === 0)).toBe(true)
    expect(lines.filter((e) => e.kind === 'audit').length).toBeGreaterThanOrEqual(3)
    expect(lines.filter((e) => e.kind === 'pin' && e.gpio === 8).length).toBeGreaterThan(60)
  }, 400_000)

  it('--shard k/N for k = 1..N lists each scenario exactly once', async () => {
    const suite = join(dir, 'suite')
    for (let i = 0; i < 23; i++) {
      const sub = join(suite, i % 3 === 0 ? 'a' : 'b')
      cpSync(join(scen, 'waits-forever.yaml'), join(sub, `s${i}.yaml`))
    }
    const all = JSON.parse((await runCli(['test', suite, '--list', '-o', 'json'], {env, cwd: dir})).stdout) as {file: string}[]
    expect(all).toHaveLength(23)
    for (const n of [1, 2, 3, 5]) {
      const seen: string[] = []
      for (let k = 1; k <= n; k++) {
        const r = await runCli(['test', '--shard', `${k}/${n}`, suite, '--list', '-o', 'json'], {env, cwd: dir})
        expect(r.code).toBe(0)
        seen.push(...(JSON.parse(r.stdout) as {file: string}[]).map((x) => x.file))
      }
      expect(seen.sort()).toEqual(all.map((x) => x.file).sort())
    }
    const bad = await runCli(['test', '--shard', '4/3', suite], {env, cwd: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--shard 4/3: expected K/N with 1 <= K <= N')
  }, 120_000)

  it('a bad scenario file is one line naming the file, the step and the problem, exit 2, before anything runs', async () => {
    const f = join(dir, 'bad.yaml')
    writeFileSync(f, 'apps:\n  x: {project: .}\nsteps:\n  - deploy: x\n  - wait-log: "a"\n    timeout: soon\n')
    const r = await runCli(['test', join(scen, 'gpio-blink.yaml'), f], {env, cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe('Error: bad.yaml: steps[1].timeout: expected a duration such as 500ms, 10s, 10m, 1h (a bare number is milliseconds)')
    expect(readFileSync(f, 'utf8')).toContain('soon')
    // a folder without scenarios is a mistake, not an empty pass
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    const e = await runCli(['test', empty], {env, cwd: dir})
    expect(e.code).toBe(2)
    expect(e.stderr.trim()).toBe(`Error: no scenario files (*.yaml, *.yml, *.scenario.json) in ${empty}`)
  })
})
