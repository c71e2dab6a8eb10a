import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

/** Capability files: issued by a simulator for itself; field servicing unlocks a DeviceComplete device for a session. */
describe('device capability', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-cap-'))
  let pkg: {path: string}
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  beforeAll(async () => {
    pkg = await buildFixturePackage(home, dir, 'blink', {n: 3, name: 'capblink'})
  })
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('field servicing session unlocks sideloading on a DeviceComplete device, and only for the session', async () => {
    const svc = join(dir, 'service.cap')
    expect(await cli('device', 'capability', 'download', '--type', 'FieldServicing', '--output-file', svc)).toMatchObject({capabilities: ['fieldServicing']})
    expect(await cli('device', 'capability', 'show-attached')).toMatchObject({device_capabilities: [11], capabilities: ['appDevelopment']})
    await cli('device', 'manufacturing-state', 'update', '--state', 'DeviceComplete')
    const refused = await runCli(['device', 'sideload', 'deploy', '-p', pkg.path], {env})
    expect(refused.code).toBe(1)
    expect(await cli('device', 'capability', 'apply', '--capability-file', svc)).toMatchObject({session: ['fieldServicing']})
    expect(await cli('device', 'sideload', 'deploy', '-p', pkg.path)).toMatchObject({state: 'running'})
    expect(await cli('device', 'capability', 'apply', '--none')).toMatchObject({session: []})
    expect((await runCli(['device', 'sideload', 'deploy', '-p', pkg.path], {env})).code).toBe(1)
    // a session does not survive a restart
    await cli('device', 'capability', 'apply', '--capability-file', svc)
    await cli('device', 'restart')
    expect(await cli('device', 'capability', 'show-attached')).toMatchObject({device_capabilities: [11], capabilities: ['appDevelopment']})
  })

  it('update persists; tampered files and files of another device are refused with a clear message', async () => {
    const none = join(dir, 'none.cap')
    // a named simulator is used only once it runs (-d sim:NAME never starts one)
    await cli('sim', 'start', '--name', 'other')
    await cli('device', 'capability', 'download', '--output-file', none, '-d', 'sim:other')
    // two simulators attached now: without --device the CLI refuses to guess, and lists them
    const amb = await runCli(['device', 'capability', 'show-attached'], {env})
    expect(amb.code).toBe(1)
    expect(amb.stderr.split('\n')[0]).toBe('Error: Several devices are attached: sim:default, sim:other.')
    await cli('config', 'set', 'defaults.device', 'sim:default')
    const dev = join(dir, 'dev.cap')
    await cli('device', 'capability', 'download', '--type', 'ApplicationDevelopment', '--type', 'FieldServicing', '--output-file', dev)
    const tampered = join(dir, 'tampered.cap')
    writeFileSync(tampered, readFileSync(dev, 'utf8').replace('fieldServicing', 'enableRfTestMode'))
    const t = await runCli(['device', 'capability', 'update', '--capability-file', tampered], {env})
    expect(t.code).toBe(1)
    expect(t.stderr.split('\n')[0]).toMatch(/signature does not verify/)
    const o = await runCli(['device', 'capability', 'update', '--capability-file', none], {env})
    expect(o.code).toBe(1)
    expect(o.stderr.split('\n')[0]).toMatch(/signature|another device/)
    const junk = join(dir, 'junk.cap')
    writeFileSync(junk, 'not a capability file')
    expect((await runCli(['device', 'capability', 'update', '--capability-file', junk], {env})).stderr).toMatch(/not a sphere capability file/)
    expect(await cli('device', 'capability', 'update', '--capability-file', dev)).toEqual({device_capabilities: [11, 13], capabilities: ['appDevelopment', 'fieldServicing']})
    await cli('device', 'restart')
    expect(await cli('device', 'capability', 'show-attached')).toMatchObject({device_capabilities: [11, 13], capabilities: ['appDevelopment', 'fieldServicing']})
  })
})
