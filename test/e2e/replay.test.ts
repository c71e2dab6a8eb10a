import {afterAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The built CLI: sim start --record, sphere replay, sphere device snapshot. */
describe('record / replay and snapshots from the CLI', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-e2e-replay-'))
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('records a realtime session (paced clock) and replays it to the same trace', async () => {
    const file = join(dir, 'live.rec')
    const start = await runCli(['sim', 'start', '--name', 'rec', '--record', file, '-o', 'json'], {env})
    expect(start.code).toBe(0)
    expect((JSON.parse(start.stdout) as {record: string}).record).toBe(file)
    const blink = await buildFixturePackage(home, dir, 'blink', {n: 1, capabilities: {Gpio: [8]}})
    const button = await buildFixturePackage(home, dir, 'button', {n: 2, capabilities: {Gpio: [12, 15]}})
    expect((await runCli(['device', 'sideload', 'deploy', '-p', blink.path, '-d', 'sim:rec', '-o', 'none'], {env})).code).toBe(0)
    await sleep(700)
    expect((await runCli(['device', 'sideload', 'deploy', '-p', button.path, '-d', 'sim:rec', '-o', 'none'], {env})).code).toBe(0)
    for (const hold of ['300', '150']) {
      await sleep(400)
      expect((await runCli(['device', 'world', 'press', 'A', '--hold', hold, '-d', 'sim:rec', '-o', 'none'], {env})).code).toBe(0)
    }
    await sleep(800)
    expect((await runCli(['sim', 'stop', '--name', 'rec', '-o', 'none'], {env})).code).toBe(0)

    const trace = readFileSync(`${file}.trace`, 'utf8').trim().split('\n')
    expect(trace.filter((l) => l.includes('"kind":"pin","gpio":8')).length).toBeGreaterThan(3)
    expect(trace.some((l) => l.includes('"kind":"pin","gpio":15'))).toBe(true)

    const out = join(dir, 'replayed.trace')
    const r = await runCli(['replay', file, '--trace', out, '-o', 'json'], {env})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {match: boolean; clock: string; inputs: number; traceEntries: number}
    expect(report).toMatchObject({match: true, clock: 'paced', traceEntries: trace.length})
    expect(report.inputs).toBeGreaterThanOrEqual(6)
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual(trace)

    // a trace that differs in one pin change is reported, with exit 1
    const i = trace.findIndex((l) => l.includes('"gpio":15'))
    const wrong = [...trace]
    wrong[i] = wrong[i]!.replace(/"level":(\d)/, (_, l: string) => `"level":${l === '1' ? 0 : 1}`)
    writeFileSync(join(dir, 'wrong.trace'), `${wrong.join('\n')}\n`)
    const bad = await runCli(['replay', file, '--expect', join(dir, 'wrong.trace'), '-o', 'json'], {env})
    expect(bad.code).toBe(1)
    const badReport = JSON.parse(bad.stdout) as {match: boolean; difference: string}
    expect(badReport.match).toBe(false)
    expect(badReport.difference).toContain(`the traces differ at entry ${i + 1}`)
  }, 120_000)

  it('refuses a file that is not a recording with one clear line', async () => {
    const junk = join(dir, 'junk.rec')
    writeFileSync(junk, '{"hello":1}\n')
    const r = await runCli(['replay', junk], {env})
    expect(r.code).toBe(1)
    expect(r.stderr.split('\n')[0]).toContain(`${junk} line 1: not a sphere recording`)
    const missing = await runCli(['replay', join(dir, 'nope.rec')], {env})
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No recording at')
  }, 60_000)

  it('saves, lists and restores snapshots of a fast-forward simulator', async () => {
    expect((await runCli(['sim', 'start', '--name', 'ff', '--clock', 'fast-forward', '-o', 'none'], {env})).code).toBe(0)
    const blink = await buildFixturePackage(home, dir, 'blink', {n: 3, capabilities: {Gpio: [8]}})
    expect((await runCli(['device', 'sideload', 'deploy', '-p', blink.path, '-d', 'sim:ff', '-o', 'none'], {env})).code).toBe(0)
    expect((await runCli(['device', 'world', 'press', 'A', '--hold', '2500', '-d', 'sim:ff', '-o', 'none'], {env})).code).toBe(0)
    const saved = await runCli(['device', 'snapshot', 'save', 'provisioned', '-d', 'sim:ff', '-o', 'json'], {env})
    expect(saved.code).toBe(0)
    const info = JSON.parse(saved.stdout) as {name: string; virtualTimeMs: number; apps: {componentId: string}[]}
    expect(info.name).toBe('provisioned')
    expect(info.virtualTimeMs).toBeGreaterThanOrEqual(2500)
    expect(info.apps.map((a) => a.componentId)).toEqual([blink.componentId])
    const list = await runCli(['device', 'snapshot', 'list', '-d', 'sim:ff', '-o', 'json'], {env})
    expect((JSON.parse(list.stdout) as {name: string}[]).map((s) => s.name)).toEqual(['provisioned'])
    expect((await runCli(['device', 'world', 'press', 'A', '--hold', '4000', '-d', 'sim:ff', '-o', 'none'], {env})).code).toBe(0)
    const restored = await runCli(['device', 'snapshot', 'restore', 'provisioned', '-d', 'sim:ff', '-o', 'json'], {env})
    expect(restored.code).toBe(0)
    const dev = JSON.parse((await runCli(['device', 'show-attached', '-d', 'sim:ff', '-o', 'json'], {env})).stdout) as Record<string, unknown>
    expect(dev).toBeDefined()
    const bad = await runCli(['device', 'snapshot', 'restore', 'missing', '-d', 'sim:ff'], {env})
    expect(bad.code).toBe(1)
    expect(bad.stderr.split('\n')[0]).toContain('no snapshot named missing')
    expect((await runCli(['device', 'snapshot', 'delete', 'provisioned', '-d', 'sim:ff', '-o', 'none'], {env})).code).toBe(0)
  }, 120_000)
})
