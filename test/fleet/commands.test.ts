/**
 * The fleet commands around the members, through the built CLI: a member answers device commands with the
 * same JSON shapes as a single simulator; selection errors are one line; tags make groups that exec and
 * deploy honour; exec reports one row per device and fails when a device does; reset and stop; bad inputs
 * are one line, exit 2, and start nothing.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {APP_CID, appImage, appPackage, cli, cliJson, members, type Installed} from './helpers.js'

/** The shape of a JSON value: its keys and the types of its leaves, recursively. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : []
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, shape(x)]))
  return typeof v
}

describe('fleet commands', () => {
  const {home, cleanup} = tempHome('sphere-fleet-cmds-')
  const dir = mkdtempSync(join(tmpdir(), 'sphere-fleet-cmds-pkg-'))
  let v1: {path: string; imageId: string}
  let v2: {path: string; imageId: string}

  beforeAll(async () => {
    v1 = await appPackage(home, join(dir, 'v1.imagepackage'), {dir: 'os', name: 'blink'}, 1_700_000_000)
    v2 = await appPackage(home, join(dir, 'v2.imagepackage'), {dir: 'fleet', name: 'sensor-check'}, 1_700_000_500)
    const r = await cli(home, ['fleet', 'start', '--name', 'lab', '--devices', '6', '-p', v1.path, '--shards', '2'])
    if (r.code !== 0) throw new Error(r.stderr)
  }, 60_000)
  afterAll(async () => {
    await cli(home, ['fleet', 'stop', '--name', 'lab'])
    await cli(home, ['sim', 'stop', '--all'])
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('a member answers device commands with the JSON shapes of a simulator', async () => {
    // -d sim:NAME selects a running simulator only: start it first
    expect((await cli(home, ['sim', 'start', '--name', 'one'])).code).toBe(0)
    const sim = await cli(home, ['device', 'sideload', 'deploy', '-p', v1.path, '-d', 'sim:one'])
    expect(sim.code).toBe(0)
    for (const cmd of [['device', 'show-os-version'], ['device', 'image', 'list-installed'], ['device', 'app', 'show-status', '--component-id', APP_CID], ['device', 'ota', 'show'], ['device', 'show-attached']]) {
      const a = await cliJson(home, [...cmd, '-d', 'sim:one'])
      const b = await cliJson(home, [...cmd, '-d', 'fleet:lab/3'])
      expect([cmd.join(' '), shape(b)]).toEqual([cmd.join(' '), shape(a)])
    }
  }, 60_000)

  it('selection errors are one line naming the problem', async () => {
    const cases: [string, number, RegExp][] = [
      ['fleet:lab/6', 2, /^Error: Fleet 'lab' has 6 devices \(0\.\.5\): there is no device 6\.\n$/],
      ['fleet:nope/1', 1, /^Error: Fleet 'nope' is not running\.\n/],
      ['fleet:lab', 2, /^Error: Invalid --device 'fleet:lab': a fleet member is fleet:NAME\/N or fleet:NAME\/<device ID>\.\n  Try: Use sim, sim:NAME, fleet:NAME\/N, [^\n]*\.\n$/],
      [`fleet:lab/${'ab'.repeat(64)}`, 1, /^Error: Fleet 'lab' has no device with ID abababababababab…\n/],
    ]
    for (const [d, code, err] of cases) {
      const r = await cli(home, ['device', 'show-os-version', '-d', d])
      expect([d, r.code, r.stdout]).toEqual([d, code, ''])
      expect(r.stderr).toMatch(err)
    }
  })

  it('tags make groups that exec and deploy honour', async () => {
    expect(await cliJson(home, ['fleet', 'tag', '--name', 'lab', '--devices', '1-2,4', 'canary'])).toEqual({tag: 'canary', devices: 3, changed: 3})
    expect(await cliJson(home, ['fleet', 'tag', '--name', 'lab', '--devices', '4', 'canary', '--remove'])).toEqual({tag: 'canary', devices: 1, changed: 1})
    const rows = await cliJson<{index: number; ok: boolean; result: Installed}[]>(home, ['fleet', 'exec', '--name', 'lab', '--group', 'canary', '--', 'device', 'image', 'list-installed'])
    expect(rows.map((r) => [r.index, r.ok, appImage(r.result)])).toEqual([
      [1, true, v1.imageId],
      [2, true, v1.imageId],
    ])
    const rep = await cliJson<{group: string; result: string; devices: {index: number; outcome: string}[]}>(home, ['fleet', 'deploy', '--name', 'lab', '-p', v2.path, '--group', 'canary', '--stages', '100', '--soak', '6s'])
    expect(rep).toMatchObject({group: 'canary', result: 'completed'})
    expect(rep.devices.map((d) => [d.index, d.outcome])).toEqual([
      [1, 'healthy'],
      [2, 'healthy'],
    ])
    const ms = await members(home, 'lab')
    expect(ms.map((m) => [m.index, m.tags, m.apps[0]!.imageId])).toEqual([
      [0, [], v1.imageId],
      [1, ['canary'], v2.imageId],
      [2, ['canary'], v2.imageId],
      [3, [], v1.imageId],
      [4, [], v1.imageId],
      [5, [], v1.imageId],
    ])
    const empty = await cli(home, ['fleet', 'deploy', '--name', 'lab', '-p', v2.path, '--group', 'nobody'])
    expect([empty.code, empty.stderr.split('\n')[0]]).toEqual([1, "Error: No device of fleet 'lab' is in group 'nobody'."])
  }, 60_000)

  it('exec gives one row per device and fails when a device does', async () => {
    const r = await cli(home, ['fleet', 'exec', '--name', 'lab', '-o', 'json', '--', 'device', 'app', 'stop', '--component-id', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Error: the command failed on 6 of 6 devices.\n')
    const rows = JSON.parse(r.stdout) as {index: number; ok: boolean; error: {code: string; message: string}}[]
    expect(rows.map((x) => [x.index, x.ok])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, false]))
    for (const x of rows) expect(x.error.message).toMatch(/Application is not present \(component ID 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\)$/)
  }, 60_000)

  it('reset puts every device back to its first boot, with the same IDs', async () => {
    const before = await members(home, 'lab')
    expect(await cliJson(home, ['fleet', 'reset', '--name', 'lab'])).toEqual({name: 'lab', devices: 6})
    const after = await members(home, 'lab')
    expect(after.map((m) => [m.deviceId, m.apps[0]!.imageId, m.tags])).toEqual(before.map((m) => [m.deviceId, v1.imageId, m.tags]))
  }, 60_000)

  it('bad inputs are one line, exit 2, and start nothing', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'faults:\n  - {kind: bad-sensor, share: 150%, world: {gpios.44: 0}}\n')
    writeFileSync(join(dir, 'junk.imagepackage'), 'junk')
    const cases: [string[], RegExp][] = [
      [['fleet', 'start', '--name', 'x', '--devices', '2', '--scenario', join(dir, 'bad.yaml')], /^Error: .*bad\.yaml: faults\[0\]: share must be a percentage \(5%\) or a fraction 0\.\.1\n$/],
      [['fleet', 'start', '--name', 'x', '--devices', '2', '-p', join(dir, 'junk.imagepackage')], /^Error: --image-package: .*junk\.imagepackage is not an image package: /],
      [['fleet', 'start', '--name', 'x/y', '--devices', '2'], /^Error: Invalid fleet name 'x\/y'/],
      [['fleet', 'start', '--name', 'x', '--devices', '2', '--shards', '3'], /^Error: --shards 3 is more than --devices 2\.\n$/],
      [['fleet', 'deploy', '--name', 'lab', '-p', v2.path, '--halt-when', 'crashRate > 2'], /^Error: Invalid --halt-when 'crashRate > 2': crashRate is a rate, given in %\.\n$/],
      [['fleet', 'deploy', '--name', 'lab', '-p', v2.path, '--stages', '10,5,100'], /^Error: Invalid --stages '10,5,100': each stage must be larger than the one before\.\n$/],
      [['fleet', 'deploy', '--name', 'lab', '-p', v2.path, '--soak', 'forever'], /^Error: Invalid --soak 'forever'/],
      [['fleet', 'tag', '--name', 'lab', '--devices', '0-6', 'x'], /^Error: Invalid --devices '0-6': expected indices or ranges below 6/],
      [['fleet', 'exec', '--name', 'lab', '--', 'device', 'show-os-version', '-d', 'sim'], /^Error: Leave --device out of the command/],
      [['fleet', 'exec', '--name', 'lab', '--', 'sim', 'list'], /^Error: 'sim list' is not a device command/],
    ]
    for (const [args, err] of cases) {
      const r = await cli(home, args)
      expect([args.join(' '), r.code, r.stdout]).toEqual([args.join(' '), 2, ''])
      expect(r.stderr).toMatch(err)
    }
    expect(existsSync(join(home, 'fleets', 'x'))).toBe(false)
  }, 60_000)

  it('stop ends every shard and the members are gone', async () => {
    expect(await cliJson(home, ['fleet', 'stop', '--name', 'lab'])).toEqual({name: 'lab', stopped: true})
    const r = await cli(home, ['device', 'show-os-version', '-d', 'fleet:lab/0'])
    expect(r.code).toBe(1)
    expect(r.stderr.split('\n')[0]).toBe("Error: Fleet 'lab' is not running.")
    expect(await cliJson(home, ['fleet', 'list'])).toEqual([])
  })
})
