import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

/** The full sideload flow against the auto-started simulator daemon, through the built CLI. */
describe('device flow against the auto-started simulator', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-e2e-'))
  let pkg: {path: string; componentId: string}
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    pkg = await buildFixturePackage(home, dir, 'blink', {name: 'blink'})
  })
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('auto-starts the daemon on first use and keeps it between commands', async () => {
    const v = (await cli('device', 'show-os-version')) as {osversion: string}
    expect(v.osversion).toMatch(/^\d+\.\d+/)
    const sims = (await cli('sim', 'list')) as {name: string; running: boolean; pid: number}[]
    expect(sims).toHaveLength(1)
    expect(sims[0]).toMatchObject({name: 'default', running: true})
    const again = (await cli('sim', 'list')) as {pid: number}[]
    expect(again[0]!.pid).toBe(sims[0]!.pid)
  })

  it('sideloads, runs, stops, starts, deletes', async () => {
    const d = (await cli('device', 'sideload', 'deploy', '--image-package', pkg.path)) as {componentId: string; state: string}
    expect(d).toMatchObject({componentId: pkg.componentId, state: 'running'})
    expect(await cli('device', 'app', 'show-status', '-i', pkg.componentId)).toEqual([{componentId: pkg.componentId, state: 'running'}])
    const {components: list} = (await cli('device', 'image', 'list-installed')) as {components: {uid: string; name: string}[]}
    expect(list.map((x) => x.uid)).toContain(pkg.componentId)
    expect(list.find((x) => x.uid === pkg.componentId)?.name).toBe('blink')
    expect(await cli('device', 'app', 'stop', '-i', pkg.componentId)).toEqual([{componentId: pkg.componentId, state: 'stopped'}])
    expect(await cli('device', 'app', 'show-status', '-i', pkg.componentId)).toEqual([{componentId: pkg.componentId, state: 'stopped'}])
    expect(await cli('device', 'app', 'start', '-i', pkg.componentId)).toEqual([{componentId: pkg.componentId, state: 'running'}])
    const logs = (await cli('device', 'app', 'logs', '-i', pkg.componentId)) as {text: string}[]
    expect(logs.map((l) => l.text).join('')).toContain('blink starting')
    expect(await cli('device', 'sideload', 'delete', '-i', pkg.componentId)).toEqual({deleted: [pkg.componentId]})
    expect(await cli('device', 'app', 'show-status', '-i', pkg.componentId)).toEqual([{componentId: pkg.componentId, state: 'notPresent'}])
    const after = (await cli('device', 'image', 'list-installed')) as {components: {uid: string}[]}
    expect(after.components.map((x) => x.uid)).not.toContain(pkg.componentId)
  })

  it('refuses sideloading without appDevelopment and after DeviceComplete', async () => {
    // enable-cloud-test removes appDevelopment
    await cli('device', 'enable-cloud-test')
    const r = await runCli(['device', 'sideload', 'deploy', '-p', pkg.path], {env})
    expect({code: r.code, stderr: r.stderr}).toEqual({
      code: 1,
      stderr: `Error: The device refused ${pkg.path}: the device is not in development mode; enable it with \`sphere device enable-development\` (device error 7340050).\n`,
    })
    await cli('device', 'enable-development')
    await cli('device', 'sideload', 'deploy', '-p', pkg.path)
    await cli('device', 'manufacturing-state', 'update', '--state', 'DeviceComplete')
    expect(await cli('device', 'manufacturing-state', 'show')).toEqual({manufacturingState: 'DeviceComplete'})
    const r2 = await runCli(['device', 'sideload', 'deploy', '-p', pkg.path], {env})
    expect({code: r2.code, stderr: r2.stderr}).toEqual({
      code: 1,
      stderr:
        `Error: The device refused ${pkg.path}: the device is DeviceComplete (a finished product) and takes sideloaded apps only with the ` +
        'fieldServicing capability; apply one with `sphere device capability apply --capability-file FILE` (device error 7340050).\n',
    })
  })

  it('replaces a stale daemon record left by a killed daemon', async () => {
    const sims = (await cli('sim', 'list')) as {pid: number}[]
    process.kill(sims[0]!.pid, 'SIGKILL')
    await new Promise((r) => setTimeout(r, 100))
    const v = (await cli('device', 'show-os-version')) as {osversion: string}
    expect(v.osversion).toMatch(/^\d+/)
    const now = (await cli('sim', 'list')) as {pid: number; running: boolean}[]
    expect(now[0]!.running).toBe(true)
    expect(now[0]!.pid).not.toBe(sims[0]!.pid)
  })
})
