/**
 * The install-policy hole as a user meets it, through the CLI and the auto-started daemon: after
 * `device manufacturing-state update --state DeviceComplete`, `device ota deploy` of a package signed with
 * the development key is refused as `device sideload deploy` is, and the installed image stays; an update
 * signed with a key in SPHERE_HOME/trust (trusted for cloud deployments) still installs.
 */
import {afterAll, describe, expect, it} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {packApplication, signingKeyFromPem, type AppManifest} from '../../src/image/index.js'
import {assembleFixture, buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

describe('over-the-air delivery to a finished device', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-ota-policy-'))
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }
  const imageOf = async (cid: string): Promise<string | undefined> => {
    const list = (await cli('device', 'image', 'list-installed')) as {components: {uid: string; images: {uid: string}[]}[]}
    return list.components.find((x) => x.uid === cid)?.images[0]?.uid
  }
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('refuses a development-signed update after DeviceComplete and installs a cloud-signed one', async () => {
    // a key trusted for cloud deployments, in place before the daemon starts
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    mkdirSync(join(home, 'trust'), {recursive: true})
    writeFileSync(join(home, 'trust', 'cloud.pem'), publicKey.export({type: 'spki', format: 'pem'}).toString())
    const cloudKey = signingKeyFromPem(privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), 'cloud')

    const v1 = await buildFixturePackage(home, dir, 'blink', {n: 7, name: 'v1'})
    const v2 = await buildFixturePackage(home, dir, 'blink', {n: 7, name: 'v2'})
    await cli('device', 'sideload', 'deploy', '-p', v1.path)
    const installed = await imageOf(v1.componentId)
    expect(installed).toBeDefined()
    await cli('device', 'manufacturing-state', 'update', '--state', 'DeviceComplete')

    const sideload = await runCli(['device', 'sideload', 'deploy', '-p', v2.path], {env})
    expect(sideload.code).toBe(1)
    const ota = await runCli(['device', 'ota', 'deploy', '-p', v2.path], {env})
    expect(ota.code).toBe(1)
    expect(ota.stderr.split('\n')[0]).toMatch(/^Error: /)
    expect(await imageOf(v1.componentId)).toBe(installed)

    const manifest = {
      SchemaVersion: 1,
      Name: 'v3',
      ComponentId: v1.componentId,
      EntryPoint: '/bin/app',
      CmdArgs: [],
      Capabilities: {Gpio: [8, 9, 10]},
      ApplicationType: 'Default',
    } as unknown as AppManifest
    const v3 = join(dir, 'v3.imagepackage')
    writeFileSync(v3, packApplication({manifest, files: {'bin/app': await assembleFixture('blink')}, key: cloudKey}))
    expect(await cli('device', 'ota', 'deploy', '-p', v3)).toMatchObject({componentId: v1.componentId})
    expect(await imageOf(v1.componentId)).not.toBe(installed)
  }, 120_000)
})
