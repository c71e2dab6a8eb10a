import {afterAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'

const hasClang = spawnSync('which', ['clang-14']).status === 0 && spawnSync('which', ['cmake']).status === 0

function httpsGet(listen: string, ca: string, path: string): Promise<{status: number; body: unknown}> {
  const [host, port] = listen.split(':')
  return new Promise((resolve, reject) => {
    const req = https.request(
      {host, port: Number(port), path, method: 'GET', ca, headers: {Host: '*.devices.sphere.azure.local'}, agent: false, checkServerIdentity: () => undefined},
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString())}))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** The edit-build-run loop with the real toolchain, and the REST API agreeing with the CLI about a C sample. */
describe('app create + app run, and a C sample over the HTTPS device API', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-apprun-'))
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('requires the C toolchain', () => {
    // CI installs it (.ci/run); without it the SDK's own error names the apt packages
    expect(hasClang).toBe(true)
  })

  it('creates a template app, runs it, and streams its log', async () => {
    const c = await runCli(['app', 'create', 'RunMe', '--template', 'c-blink', '--output-dir', dir, '-o', 'json'], {env})
    expect(c.code).toBe(0)
    const r = await runCli(['app', 'run', join(dir, 'RunMe'), '--timeout', '4', '-o', 'json'], {env, timeoutMs: 180_000})
    expect(r.code).toBe(0)
    const res = JSON.parse(r.stdout) as {name: string; state: string; logLines: number; componentId: string}
    expect(res.state).toBe('running')
    expect(res.logLines).toBeGreaterThan(0)
    expect(r.stderr.length).toBeGreaterThan(0) // the streamed log
  }, 240_000)

  it('a sideloaded C sample is reported running by GET app/status and by the CLI alike', async () => {
    const src = join(ROOT, 'test', 'fixtures', 'samples')
    const work = join(dir, 'samples')
    cpSync(src, work, {recursive: true})
    const proj = join(work, 'Samples', 'HelloWorld', 'HelloWorld_HighLevelApp')
    const b = await runCli(['app', 'build', proj, '-o', 'json'], {env, timeoutMs: 180_000})
    expect(b.code).toBe(0)
    const [app] = JSON.parse(b.stdout) as {componentId: string; imagePackage: string}[]
    const s = await runCli(['sim', 'start', '--name', 'api', '--listen', '127.0.0.1:0', '-o', 'json'], {env})
    expect(s.code).toBe(0)
    const listen = (JSON.parse(s.stdout) as {listen: string}).listen
    const d = await runCli(['device', 'sideload', 'deploy', '-p', app!.imagePackage, '-d', 'sim:api', '-o', 'json'], {env, timeoutMs: 120_000})
    expect(d.code).toBe(0)
    const ca = (await runCli(['sim', 'ca', '--name', 'api'], {env})).stdout
    const viaApi = await httpsGet(listen, ca, `/app/status/${app!.componentId}`)
    expect(viaApi).toEqual({status: 200, body: {state: 'running'}})
    const viaCli = await runCli(['device', 'app', 'show-status', '-i', app!.componentId, '-d', 'sim:api', '-o', 'json'], {env})
    expect(JSON.parse(viaCli.stdout)).toEqual([{componentId: app!.componentId, state: 'running'}])
  }, 300_000)
})
