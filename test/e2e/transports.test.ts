import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {execFileSync, spawnSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {PeerCertificate, TLSSocket} from 'node:tls'
import {createSerialTransport} from '../../src/device/transport/index.js'
import {serverTls} from '../../src/os/services/tls.js'
import {buildFixturePackage} from '../helpers/apps.js'
import {runCli, tempHome} from '../helpers/cli.js'

const hasSocat = spawnSync('which', ['socat']).status === 0
const hasCurl = spawnSync('which', ['curl']).status === 0

/** The same commands over the PTY serial link (HTTPS on 192.168.35.2:443 over SLIP + userspace TCP) and over HTTPS on TCP. */
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
    const list = (await cli('device', 'image', 'list-installed', '-d', serial)) as {components: {uid: string}[]}
    expect(list.components.map((x) => x.uid)).not.toContain(pkg.componentId)
  })

  it('runs the device command tree over the serial link (HTTPS on 443, the CA found from the simulator state)', async () => {
    // read-only commands of every group, each over the PTY link; -o json parses
    const tree = [
      ['device', 'show-attached'],
      ['device', 'show-os-version'],
      ['device', 'image', 'list-installed'],
      ['device', 'capability', 'show-attached'],
      ['device', 'certificate', 'list'],
      ['device', 'certificate', 'show-quota'],
      ['device', 'manufacturing-state', 'show'],
      ['device', 'network', 'list-interfaces'],
      ['device', 'network', 'show-status'],
      ['device', 'network', 'list-firewall-rules'],
      ['device', 'network', 'proxy', 'show'],
      ['device', 'wifi', 'list'],
      ['device', 'wifi', 'show-status'],
      ['device', 'app', 'show-memory-stats'],
    ]
    // the same answers as over the simulator's Unix socket (show-attached names the path it used)
    const sansPath = (v: unknown): unknown => (v && typeof v === 'object' && 'ConnectionPath' in v ? {...v, ConnectionPath: '-'} : v)
    for (const cmd of tree) {
      const viaSerial = sansPath(await cli(...cmd, '-d', serial))
      expect(viaSerial).toEqual(sansPath(await cli(...cmd, '-d', 'sim:board')))
    }
  })

  it('the TLS handshake on 192.168.35.2:443 presents the simulator\'s device certificate; TLS off is refused', async () => {
    const ca = (await runCli(['sim', 'ca', '--name', 'board'], {env})).stdout
    const t = await createSerialTransport(serial, {ca})
    try {
      const sock = t.createConnection() as TLSSocket
      const cert = await new Promise<PeerCertificate>((resolve, reject) => {
        sock.once('secureConnect', () => resolve(sock.getPeerCertificate()))
        sock.once('error', reject)
      })
      sock.destroy()
      expect(cert.subjectaltname).toBe('DNS:*.devices.sphere.azure.local, DNS:localhost, IP Address:192.168.35.2')
      expect(new X509Certificate(cert.raw).verify(new X509Certificate(ca).publicKey)).toBe(true)
    } finally {
      await t.close()
    }
    const plain = await createSerialTransport(serial, {raw: true, port: 80})
    try {
      const r = await new Promise<string>((resolve) => {
        const req = http.request({createConnection: () => plain.createConnection() as never, path: '/status'}, () => resolve('answered'))
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
        req.end()
      })
      expect(r).toBe('TCP_CONNECTION_REFUSED')
    } finally {
      await plain.close()
    }
  })

  it('serves HTTPS with the simulator CA; -d IP:PORT needs no setup; the device ID matches across transports', async () => {
    const caPath = join(dir, 'ca.pem')
    const ca = await runCli(['sim', 'ca', '--name', 'board'], {env})
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/)
    writeFileSync(caPath, ca.stdout)
    const viaSocket = (await cli('device', 'show-attached', '-d', 'sim:board')) as {DeviceId: string}
    const viaSerial = (await cli('device', 'show-attached', '-d', serial)) as {DeviceId: string}
    // no SPHERE_DEVICE_CA: the CA is the one in the simulator's state
    const viaHttps = (await cli('device', 'show-attached', '-d', listen)) as {DeviceId: string}
    expect(viaSerial.DeviceId).toBe(viaSocket.DeviceId)
    expect(viaHttps.DeviceId).toBe(viaSocket.DeviceId)
    expect(viaSocket.DeviceId).toMatch(/^[0-9A-F]{128}$/)
    // SPHERE_DEVICE_CA as a file path, and as PEM text
    for (const value of [caPath, ca.stdout]) {
      const r = await runCli(['device', 'show-attached', '-d', listen, '-o', 'json'], {env: {...env, SPHERE_DEVICE_CA: value}})
      expect(r.code).toBe(0)
      expect((JSON.parse(r.stdout) as {DeviceId: string}).DeviceId).toBe(viaSocket.DeviceId)
    }
    if (hasCurl) {
      const out = execFileSync('curl', ['-s', '--cacert', caPath, '-H', 'Host: *.devices.sphere.azure.local', `https://${listen}/status`], {encoding: 'utf8'})
      expect(JSON.parse(out).uptime).toBeGreaterThan(0)
    }
  })

  it('a wrong or unreadable SPHERE_DEVICE_CA is one clear line', async () => {
    const missing = await runCli(['device', 'show-attached', '-d', serial], {env: {...env, SPHERE_DEVICE_CA: join(dir, 'nope.pem')}})
    expect(missing.code).toBe(1)
    expect(missing.stderr.split('\n')[0]).toBe(`Error: Cannot read the device CA file '${join(dir, 'nope.pem')}' (SPHERE_DEVICE_CA): no such file.`)
    // the CA of another device: the board's certificate does not chain to it, on either link
    const other = join(dir, 'other-ca.pem')
    writeFileSync(other, serverTls(join(dir, 'other-state'), '192.168.35.2').ca)
    for (const d of [serial, listen]) {
      const r = await runCli(['device', 'show-attached', '-d', d], {env: {...env, SPHERE_DEVICE_CA: other}})
      expect(r.code).toBe(1)
      expect(r.stderr.split('\n')[0]).toMatch(/^Error: Untrusted device certificate from .*: self[- ]signed certificate in certificate chain \(SELF_SIGNED_CERT_IN_CHAIN\)\.$/)
    }
  })

  it('a missing serial port is a clear one-line error', async () => {
    const r = await runCli(['device', 'show-os-version', '-d', '/dev/ttyNOPE9'], {env})
    expect(r.code).toBe(1)
    expect(r.stderr.split('\n')[0]).toBe('Error: Serial port /dev/ttyNOPE9 does not exist.')
  })
})
