import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

const hasSocat = spawnSync('which', ['socat']).status === 0
const hasCurl = spawnSync('which', ['curl']).status === 0

/** The same commands over the PTY serial link (SLIP + userspace TCP) and over HTTPS on TCP. */
describe('device commands over the serial link and HTTPS', () => {
  const {home, cleanup} = tempHome()
  const env = {SPHERE_HOME: home}
  const dir = mkdtempSync(join(tmpdir(), 'sphere-e2e-tr-'))
  let serial = ''
  let listen = ''
  const cli = async (...args: string[]): Promise<unknown> => {
    const r = await runCli([...args, '-o', 'json'], {env})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    if (!hasSocat) throw new Error('socat is required for the serial transport tests (apt-get install socat)')
    const s = (await cli('sim', 'start', '--name', 'board', '--serial', '--listen', '127.0.0.1:0')) as {serialPath: string; listen: string}
    serial = s.serialPath
    listen = s.listen
    expect(serial).toMatch(/ttyB$/)
    expect(listen).toMatch(/^127\.0\.0\.1:\d+$/)
  })
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
    rmSync(dir, {recursive: true, force: true})
  })

  it('sideloads, runs, stops and deletes over the PTY serial link', async () => {
    const pkg = await buildFixturePackage(home, dir, 'blink', {n: 7, name: 'serialblink'})
    const d = (await cli('device', 'sideload', 'deploy', '-p', pkg.path, '-d', serial)) as {state: string}
    expect(d.state).toBe('running')
    expect(await cli('device', 'app', 'show-status', '-i', pkg.componentId, '-d', serial)).toEqual([{componentId: pkg.componentId, state: 'running'}])
    // the unix-socket view of the same device agrees
    expect(await cli('device', 'app', 'show-status', '-i', pkg.componentId, '-d', 'sim:board')).toEqual([{componentId: pkg.componentId, state: 'running'}])
    expect(await cli('device', 'app', 'stop', '-i', pkg.componentId, '-d', serial)).toEqual([{componentId: pkg.componentId, state: 'stopped'}])
    await cli('device', 'sideload', 'delete', '-i', pkg.componentId, '-d', serial)
    const list = (await cli('device', 'image', 'list-installed', '-d', serial)) as {componentId: string}[]
    expect(list.map((x) => x.componentId)).not.toContain(pkg.componentId)
  })

  it('serves HTTPS with the simulator CA; the device ID matches across transports', async () => {
    const caPath = join(dir, 'ca.pem')
    const ca = await runCli(['sim', 'ca', '--name', 'board'], {env})
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/)
    writeFileSync(caPath, ca.stdout)
    const viaSocket = (await cli('device', 'show-attached', '-d', 'sim:board')) as {deviceId: string}
    const viaSerial = (await cli('device', 'show-attached', '-d', serial)) as {deviceId: string}
    const r = await runCli(['device', 'show-attached', '-d', listen, '-o', 'json'], {env: {...env, SPHERE_DEVICE_CA: ca.stdout}})
    expect(r.code).toBe(0)
    const viaHttps = JSON.parse(r.stdout) as {deviceId: string}
    expect(viaSerial.deviceId).toBe(viaSocket.deviceId)
    expect(viaHttps.deviceId).toBe(viaSocket.deviceId)
    expect(viaSocket.deviceId).toMatch(/^[0-9a-f]{128}$/)
    if (hasCurl) {
      const out = execFileSync('curl', ['-s', '--cacert', caPath, '-H', 'Host: *.devices.sphere.azure.local', `https://${listen}/status`], {encoding: 'utf8'})
      expect(JSON.parse(out).uptime).toBeGreaterThan(0)
    }
  })

  it('a missing serial port is a clear one-line error', async () => {
    const r = await runCli(['device', 'show-os-version', '-d', '/dev/ttyNOPE9'], {env})
    expect(r.code).toBe(1)
    expect(r.stderr.split('\n')[0]).toBe('Error: Serial port /dev/ttyNOPE9 does not exist.')
  })
})
