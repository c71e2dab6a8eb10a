/**
 * Issue 7 acceptance (least-privilege advisor), through the built CLI in subprocesses against the
 * auto-started simulator daemon: the PrivateNetworkServices sample, its manifest over-declared with five extra
 * capabilities (the same change a developer makes by hand; the source is unmodified), is deployed and runs;
 * `sphere device app audit` lists exactly those five as unused, the sample's own four as used, and suggests
 * the original manifest. The record survives a daemon restart.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {runCli} from '../../helpers/cli.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

const EXTRA = {
  Gpio: [8],
  AllowedConnections: ['unused.contoso.test'],
  AllowedUdpServerPorts: [5000],
  MutableStorage: {SizeKB: 8},
  SystemTime: true,
}

d('sphere device app audit (least-privilege advisor)', () => {
  let root: string
  let home: string
  let env: NodeJS.ProcessEnv
  let built: BuildResult
  let original: Record<string, unknown>
  let cid: string

  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env, timeoutMs: 120_000})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    root = tempDir('sphere-advisor-cli-')
    home = join(root, 'home')
    env = {SPHERE_HOME: home, SPHERE_SDK_CACHE: join(root, 'sdk-cache')}
    copySamples(root)
    const dir = join(root, 'Samples/PrivateNetworkServices')
    const manifestPath = join(dir, 'app_manifest.json')
    const m = JSON.parse(readFileSync(manifestPath, 'utf8').replace(/^\uFEFF/, '')) as {
      Capabilities: Record<string, unknown>
      ComponentId: string
    }
    original = {...m.Capabilities}
    cid = m.ComponentId
    m.Capabilities = {...m.Capabilities, ...EXTRA}
    writeFileSync(manifestPath, JSON.stringify(m, null, 2))
    built = await buildApp({dir, env: {...process.env, ...env}, sphereHome: home})
    // the daemon's device: the sample's ports on free host ports (state dir of sim "default")
    const stateDir = join(home, 'sims', 'default', 'state')
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(join(stateDir, 'network.json'), JSON.stringify({ports: {'11000': 0, '123': 0}}))
  }, 240_000)
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    removeDir(root)
  })

  test('lists exactly the over-declared capabilities as unused and suggests the tightened manifest', async () => {
    const dep = (await cli('device', 'sideload', 'deploy', '--image-package', built.apps[0]!.imagePackage)) as {
      state: string
    }
    expect(dep.state).toBe('running')
    // wait until the sample is listening (it configures eth0, SNTP and DHCP first)
    let text = ''
    for (let i = 0; i < 60 && !text.includes('Listening for client connection'); i++) {
      text = ((await cli('device', 'app', 'logs', '-i', cid)) as {text: string}[]).map((l) => l.text).join('')
      if (!text.includes('Listening')) await new Promise((r) => setTimeout(r, 250))
    }
    expect(text).toContain('INFO: TCP server: Listening for client connection')

    const r = await runCli(['device', 'app', 'audit', '--component-id', cid, '-o', 'json'], {env})
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      used: string[]
      unused: string[]
      untracked: string[]
      suggestedManifest: {Capabilities: Record<string, unknown>; ComponentId: string}
    }
    expect([...report.unused].sort()).toEqual([
      'AllowedConnections:unused.contoso.test',
      'AllowedUdpServerPorts:5000',
      'Gpio:8',
      'MutableStorage',
      'SystemTime',
    ])
    expect([...report.used].sort()).toEqual([
      'AllowedTcpServerPorts:11000',
      'DhcpService',
      'NetworkConfig',
      'SntpService',
    ])
    expect(report.untracked).toEqual([])
    expect(report.suggestedManifest.Capabilities).toEqual(original)
    expect(report.suggestedManifest.ComponentId).toBe(cid)
    expect(r.stderr).toContain('5 declared capabilities were never used')

    // --query works on the report; a table lists the app
    const q = await runCli(['device', 'app', 'audit', '-i', cid, '--query', 'length(unused)', '-o', 'json'], {env})
    expect(JSON.parse(q.stdout)).toBe(5)
  })

  test('the record survives a daemon restart; an unknown app is a clear error', async () => {
    const before = (await cli('device', 'app', 'audit', '-i', cid)) as {since: string; used: string[]}
    await cli('sim', 'stop', '--all')
    const after = (await cli('device', 'app', 'audit', '-i', cid)) as {since: string; used: string[]}
    expect(after.since).toBe(before.since)
    expect([...after.used].sort()).toEqual([...before.used].sort())
    const bad = await runCli(['device', 'app', 'audit', '-i', '00000000-0000-0000-0000-00000000dead'], {env})
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/not present|not installed/i)
  })
})
