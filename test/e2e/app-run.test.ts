import {afterAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
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

  it('creates a template app and runs it: without a terminal it returns once the app runs', async () => {
    const c = await runCli(['app', 'create', 'RunMe', '--template', 'c-blink', '--output-dir', dir, '-o', 'json'], {env})
    expect(c.code).toBe(0)
    const r = await runCli(['app', 'run', join(dir, 'RunMe'), '-o', 'json'], {env, timeoutMs: 180_000})
    expect(r.code).toBe(0)
    const res = JSON.parse(r.stdout) as {name: string; state: string; logLines: number; ended: string}
    expect(res).toMatchObject({name: 'RunMe', state: 'running', ended: 'started', logLines: 0})
  }, 240_000)

  it('--follow streams the log; --timeout fails when the app is still running then', async () => {
    const r = await runCli(['app', 'run', join(dir, 'RunMe'), '--follow', '--timeout', '3', '-o', 'json'], {env, timeoutMs: 180_000})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/\[os\] started RunMe as pid \d+/) // the streamed log of this run
    expect(r.stderr).toMatch(/RunMe was still running after 3 s \(--timeout\)/)
    // the reinstall stopped the previous run: a stop, not a crash
    expect(r.stderr).not.toMatch(/crashed/)
  }, 240_000)

  it('a start that fails (the app may not open its LED GPIO) is reported with its reason and exits 1', async () => {
    // one high-level app at a time, as on a real MT3620: remove RunMe first
    expect((await runCli(['device', 'sideload', 'delete', '-o', 'json'], {env})).code).toBe(0)
    const c = await runCli(['app', 'create', 'NoGpio', '--template', 'c-blink', '--output-dir', dir, '-o', 'json'], {env})
    expect(c.code).toBe(0)
    // the manifest no longer declares the GPIO: the LSM refuses GPIO_OpenAsOutput and the app exits non-zero
    const manifestPath = join(dir, 'NoGpio', 'app_manifest.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {Capabilities: Record<string, unknown>}
    manifest.Capabilities = {}
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
    const r = await runCli(['app', 'run', join(dir, 'NoGpio'), '-o', 'json'], {env, timeoutMs: 180_000})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: NoGpio failed to start: it crashed \(exit code \d+\)\.$/)
    await runCli(['device', 'sideload', 'delete', '-o', 'json'], {env})
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
