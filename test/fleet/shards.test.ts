/**
 * `fleet start --shards 4` gives the same per-device results as one process for the same seed: device IDs,
 * faults (every kind of the fleet scenario), a rollout's per-device outcomes and stages, and the images the
 * devices run afterwards. Power lost during the update and flaky links leave no device without a bootable image.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {APP_CID, appPackage, cli, members} from './helpers.js'

const N = 120
const SCENARIO = `name: field trial
faults:
  - {kind: bad-sensor, share: 5%, world: {gpios.44: 0}}
  - {kind: power-loss-during-update, share: 5%}
  - {kind: flaky-link, share: 10%, loss: 60%}
  - {kind: clock-skew, share: 2%, skew: 2h}
`

interface Report {
  fleet: string
  result: string
  devices: {index: number; deviceId: string; outcome: string; powerLost: boolean; attempts: number; imageId?: string}[]
  stages: unknown[]
}

describe('fleet start --shards 4', () => {
  const {home, cleanup} = tempHome('sphere-fleet-shards-')
  const dir = mkdtempSync(join(tmpdir(), 'sphere-fleet-shards-pkg-'))
  let v1: {path: string; imageId: string}
  let v2: {path: string; imageId: string}

  beforeAll(async () => {
    v1 = await appPackage(home, join(dir, 'v1.imagepackage'), {dir: 'os', name: 'blink'}, 1_700_000_000)
    v2 = await appPackage(home, join(dir, 'v2.imagepackage'), {dir: 'fleet', name: 'sensor-check'}, 1_700_000_500)
    writeFileSync(join(dir, 'faults.yaml'), SCENARIO)
    const start = (name: string, shards: number) =>
      cli(home, ['fleet', 'start', '--name', name, '--devices', String(N), '--shards', String(shards), '-p', v1.path, '--seed', 'same', '--scenario', join(dir, 'faults.yaml')])
    const rs = [await start('one', 1), await start('four', 4)]
    for (const r of rs) if (r.code !== 0) throw new Error(r.stderr)
  }, 120_000)
  afterAll(async () => {
    await cli(home, ['fleet', 'stop', '--name', 'one'])
    await cli(home, ['fleet', 'stop', '--name', 'four'])
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('runs four shard processes', async () => {
    const list = JSON.parse((await cli(home, ['fleet', 'list', '-o', 'json'])).stdout) as {name: string; shards: number; running: boolean}[]
    expect(list.map((f) => [f.name, f.shards, f.running])).toEqual([
      ['four', 4, true],
      ['one', 1, true],
    ])
  })

  it('gives the same per-device results as one process', async () => {
    const strip = (ms: Awaited<ReturnType<typeof members>>) => ms.map(({index, deviceId, apps, faults, crashes}) => ({index, deviceId, apps, faults, crashes}))
    const m1 = await members(home, 'one')
    expect(strip(await members(home, 'four'))).toEqual(strip(m1))
    // every fault kind hit its share
    const count = (f: string) => m1.filter((m) => m.faults.includes(f)).length
    expect([count('bad-sensor'), count('power-loss-during-update'), count('flaky-link'), count('clock-skew')]).toEqual([6, 6, 12, 2])

    const deploy = async (name: string): Promise<Report> => {
      const r = await cli(home, ['fleet', 'deploy', '--name', name, '-p', v2.path, '--stages', '10,50,100', '--halt-when', 'crashes > 1000', '--soak', '20s', '-o', 'json'])
      expect(r.code).toBe(0)
      return JSON.parse(r.stdout) as Report
    }
    const one = await deploy('one')
    const four = await deploy('four')
    expect(four.devices).toEqual(one.devices)
    expect(four.stages).toEqual(one.stages)
    expect(one.devices).toHaveLength(N)
    // the faults did what they say, per device
    const faultsOf = new Map(m1.map((m) => [m.index, m.faults]))
    for (const d of one.devices) {
      const f = faultsOf.get(d.index)!
      expect([d.index, d.powerLost]).toEqual([d.index, f.includes('power-loss-during-update') && d.outcome !== 'unreachable'])
      // a device without a flaky link takes the update at the first attempt; an unreachable one used all three
      expect([d.index, d.attempts]).toEqual([d.index, d.outcome === 'unreachable' ? 3 : f.includes('flaky-link') ? d.attempts : 1])
      const want = d.outcome === 'unreachable' ? 'unreachable' : f.includes('bad-sensor') ? 'rolled-back' : 'healthy'
      expect([d.index, d.outcome]).toEqual([d.index, want])
    }
    expect(one.devices.filter((d) => d.outcome === 'unreachable').length).toBeGreaterThan(0)
    expect(one.devices.filter((d) => d.powerLost).length).toBeGreaterThan(0)

    // afterwards both fleets hold the same images, and every device runs one
    const after1 = strip(await members(home, 'one'))
    expect(strip(await members(home, 'four'))).toEqual(after1)
    for (const m of after1) expect([m.index, m.apps]).toEqual([m.index, [expect.objectContaining({componentId: APP_CID, state: 'running'})]])
    const byOutcome = new Map(one.devices.map((d) => [d.index, d.outcome]))
    for (const m of after1) expect([m.index, m.apps[0]!.imageId]).toEqual([m.index, byOutcome.get(m.index) === 'healthy' ? v2.imageId : v1.imageId])
  }, 120_000)
})
