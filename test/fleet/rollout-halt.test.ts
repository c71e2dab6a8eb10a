/**
 * A rollout of an image that crashes on 5 % of the devices (those whose sensor input is stuck low: the fleet
 * scenario's bad-sensor fault) halts at the first stage that sees it, those devices roll back by themselves
 * (A/B), the report names exactly them, and no device is left without a bootable image.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {APP_CID, appImage, appPackage, cli, cliJson, members, type Installed, type MemberRow} from './helpers.js'

const N = 400

interface Stage {
  stage: number
  percent: number
  devices: number[]
  crashed: number
  rolledBack: number
  healthy: number
  tripped: boolean
  metric: {name: string; value: number}
  crashedDevices: {index: number; deviceId: string; outcome: string}[]
  rolledBackDevices: number[]
}

describe('a rollout of an image that crashes on 5 % of the devices', () => {
  const {home, cleanup} = tempHome('sphere-fleet-halt-')
  const dir = mkdtempSync(join(tmpdir(), 'sphere-fleet-halt-pkg-'))
  let v1: {path: string; imageId: string}
  let v2: {path: string; imageId: string}
  let before: MemberRow[]

  beforeAll(async () => {
    v1 = await appPackage(home, join(dir, 'v1.imagepackage'), {dir: 'os', name: 'blink'}, 1_700_000_000)
    v2 = await appPackage(home, join(dir, 'v2.imagepackage'), {dir: 'fleet', name: 'sensor-check'}, 1_700_000_500)
    writeFileSync(join(dir, 'faults.yaml'), 'name: bad sensors\nfaults:\n  - kind: bad-sensor\n    share: 5%\n    world: {gpios.44: 0}\n')
    const r = await cli(home, ['fleet', 'start', '--name', 'f', '--devices', String(N), '-p', v1.path, '--seed', 'halt', '--scenario', join(dir, 'faults.yaml')])
    if (r.code !== 0) throw new Error(r.stderr)
    before = await members(home, 'f')
  }, 120_000)
  afterAll(async () => {
    await cli(home, ['fleet', 'stop', '--name', 'f'])
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('halts at its first stage that sees the crash, rolls those devices back and names exactly them', async () => {
    const faulty = new Set(before.filter((m) => m.faults.includes('bad-sensor')).map((m) => m.index))
    expect(faulty.size).toBe(N * 0.05)
    const r = await cli(home, ['fleet', 'deploy', '--name', 'f', '-p', v2.path, '--stages', '1,10,50,100', '--halt-when', 'crashRate > 2%', '--soak', '20s', '-o', 'json'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^Error: the rollout halted at stage \d \(crashRate > 2%\)\.\n$/)
    const report = JSON.parse(r.stdout) as {result: string; haltedAtStage: number; stages: Stage[]; notUpdated: number; totals: {targeted: number}}
    expect(report.result).toBe('halted')
    const first = report.stages.findIndex((s) => s.devices.some((i) => faulty.has(i)))
    expect(first).toBeGreaterThanOrEqual(0)
    // the halt is at the first stage with a faulty device, and nothing after it ran
    expect(report.haltedAtStage).toBe(first + 1)
    expect(report.stages).toHaveLength(first + 1)
    for (const s of report.stages.slice(0, first)) expect(s).toMatchObject({crashed: 0, tripped: false, crashedDevices: []})
    const last = report.stages[first]!
    const hit = last.devices.filter((i) => faulty.has(i))
    expect(last.tripped).toBe(true)
    expect(last.metric.value).toBeGreaterThan(0.02)
    expect(last.crashedDevices.map((d) => d.index)).toEqual(hit)
    expect(last.crashedDevices.map((d) => d.deviceId)).toEqual(hit.map((i) => before[i]!.deviceId))
    expect(last.crashedDevices.every((d) => d.outcome === 'rolled-back')).toBe(true)
    expect(last.rolledBackDevices).toEqual(hit)
    expect(last.healthy).toBe(last.devices.length - hit.length)
    expect(report.notUpdated).toBe(N - report.totals.targeted)

    // every device runs an image: the crashed ones their previous one, the rest of the stages the new one
    const updated = new Set(report.stages.flatMap((s) => s.devices))
    const after = await members(home, 'f')
    for (const m of after) {
      const want = updated.has(m.index) && !faulty.has(m.index) ? v2.imageId : v1.imageId
      expect([m.index, m.apps]).toEqual([m.index, [expect.objectContaining({componentId: APP_CID, imageId: want, state: 'running'})]])
    }
    // a rolled-back device still boots: restart it and it runs the previous image again
    const x = hit[0]!
    const restart = await cli(home, ['device', 'restart', '-d', `fleet:f/${x}`])
    expect(restart.code).toBe(0)
    const installed = await cliJson<Installed>(home, ['device', 'image', 'list-installed', '-d', `fleet:f/${x}`])
    expect(appImage(installed)).toBe(v1.imageId)
    const ota = await cliJson<{history: {action: string; imageId?: string}[]}>(home, ['device', 'ota', 'show', '-d', `fleet:f/${x}`])
    expect(ota.history.map((h) => [h.action, h.imageId])).toEqual([
      ['trial-start', v2.imageId],
      ['rolled-back', v2.imageId],
    ])
  }, 120_000)
})
