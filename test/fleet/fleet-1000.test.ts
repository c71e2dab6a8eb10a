/**
 * A fleet of 1,000 simulated devices through the built CLI: it starts, every member answers show-os-version
 * through --device fleet:NAME/N (all of them via `fleet exec`, some by a direct command, one by its device ID),
 * and a staged rollout of a good image reaches 100 % with every device Running the new version.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {APP_CID, appImage, appPackage, cli, cliJson, members, type Installed} from './helpers.js'

const N = 1000

describe('a fleet of 1,000 devices', () => {
  const {home, cleanup} = tempHome('sphere-fleet-1k-')
  const dir = mkdtempSync(join(tmpdir(), 'sphere-fleet-1k-pkg-'))
  let v1: {path: string; imageId: string}
  let v2: {path: string; imageId: string}
  let ids: string[] = []

  beforeAll(async () => {
    v1 = await appPackage(home, join(dir, 'v1.imagepackage'), {dir: 'os', name: 'blink'}, 1_700_000_000)
    v2 = await appPackage(home, join(dir, 'v2.imagepackage'), {dir: 'fleet', name: 'sensor-check'}, 1_700_000_500)
  }, 60_000)
  afterAll(async () => {
    await cli(home, ['fleet', 'stop', '--name', 'big'])
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('starts with the image package on every device', async () => {
    const r = await cliJson<{devices: number; shards: number}>(home, ['fleet', 'start', '--name', 'big', '--devices', String(N), '--image-package', v1.path, '--seed', 'ci'])
    expect(r).toMatchObject({devices: N, shards: 1})
    const ms = await members(home, 'big')
    expect(ms).toHaveLength(N)
    expect(ms.map((m) => m.index)).toEqual([...Array(N).keys()])
    ids = ms.map((m) => m.deviceId)
    expect(new Set(ids).size).toBe(N)
    for (const m of ms) expect(m.apps).toEqual([expect.objectContaining({componentId: APP_CID, imageId: v1.imageId, state: 'running'})])
  }, 120_000)

  it('every member answers show-os-version through --device fleet:big/N', async () => {
    const rows = await cliJson<{index: number; deviceId: string; ok: boolean; result: unknown}[]>(home, ['fleet', 'exec', '--name', 'big', '--', 'device', 'show-os-version'])
    expect(rows).toHaveLength(N)
    rows.forEach((r, i) => expect(r).toEqual({index: i, deviceId: ids[i], ok: true, result: {osversion: '25.02'}}))
    // and directly, as any device command, by index and by device ID
    for (const i of [0, 517, N - 1]) expect(await cliJson(home, ['device', 'show-os-version', '-d', `fleet:big/${i}`])).toEqual({osversion: '25.02'})
    const attached = await cliJson<{DeviceId: string}>(home, ['device', 'show-attached', '-d', `fleet:big/${ids[42]}`])
    expect(attached.DeviceId).toBe(ids[42]!.toUpperCase())
  }, 120_000)

  it('a staged rollout of a good image reaches 100 % and every device runs the new version', async () => {
    const report = await cliJson<{
      result: string
      stages: {percent: number; cumulative: number; updated: number; healthy: number; crashed: number; devices: number[]}[]
      totals: {targeted: number; healthy: number; crashed: number; rolledBack: number}
      notUpdated: number
    }>(home, ['fleet', 'deploy', '--name', 'big', '-p', v2.path, '--stages', '1,10,50,100', '--halt-when', 'crashRate > 2%', '--soak', '6s'])
    expect(report.result).toBe('completed')
    expect(report.stages.map((s) => [s.percent, s.cumulative])).toEqual([
      [1, 10],
      [10, 100],
      [50, 500],
      [100, 1000],
    ])
    expect(report.totals).toMatchObject({targeted: N, healthy: N, crashed: 0, rolledBack: 0})
    expect(report.notUpdated).toBe(0)
    // every device exactly once over the stages
    expect(report.stages.flatMap((s) => s.devices).sort((a, b) => a - b)).toEqual([...Array(N).keys()])
    const ms = await members(home, 'big')
    for (const m of ms) expect(m.apps).toEqual([expect.objectContaining({componentId: APP_CID, imageId: v2.imageId, version: 1_700_000_500, state: 'running'})])
    // the device's own view agrees (a sample, through the device API)
    const installed = await cliJson<Installed>(home, ['device', 'image', 'list-installed', '-d', 'fleet:big/999'])
    expect(appImage(installed)).toBe(v2.imageId)
  }, 180_000)
})
