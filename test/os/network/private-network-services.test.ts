/**
 * Issue 7 acceptance (networking sample): the unmodified PrivateNetworkServices sample from
 * Azure/azure-sphere-samples (test/fixtures/samples/Samples/PrivateNetworkServices, MIT, with its LICENSE.txt),
 * built by the C SDK and run on a fast-forward device, behaves as its README describes against local
 * endpoints: it configures eth0 with 192.168.100.10, starts the SNTP and DHCP servers, and its TCP server on
 * port 11000 answers each line a client types with `Received "<line>"`, discarding input past 15 characters.
 * The host reaches the app's port 11000 and the SNTP server's port 123 through the device's port map.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import dgram from 'node:dgram'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device} from '../../../src/os/index.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../../sdk/helpers.js'
import {runUntil as devUntil} from './helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('PrivateNetworkServices sample on the simulator', () => {
  let root: string
  let home: string
  let built: BuildResult
  let dev: Device
  let cid: string

  const runUntil = (done: () => boolean, slices = 200): Promise<boolean> => devUntil(dev, done, slices, 100)
  const log = (): string => dev.appLog(cid)

  beforeAll(async () => {
    root = tempDir('sphere-pns-')
    home = join(root, 'home')
    copySamples(root)
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    built = await buildApp({dir: join(root, 'Samples/PrivateNetworkServices'), env, sphereHome: home})
    dev = await Device.boot({
      stateDir: join(root, 'state'),
      clock: 'fast-forward',
      trust: loadTrustStore(home),
      network: {ports: {'11000': 0, '123': 0}},
    })
    const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
    cid = st.componentId
  }, 240_000)
  afterAll(async () => {
    await dev?.shutdown()
    removeDir(root)
  })

  test('it configures eth0, starts the SNTP and DHCP servers and listens on TCP port 11000', async () => {
    expect(await runUntil(() => log().includes('Listening for client connection'))).toBe(true)
    const text = log()
    expect(text).toContain('INFO: Private Ethernet TCP server application starting.')
    expect(text).toContain('INFO: Networking_GetInterfaceCount: count=3')
    expect(text).toContain('INFO:   interfaceName="eth0"')
    expect(text).toContain('INFO: Set static IP address on network interface: eth0.')
    expect(text).toContain('INFO: SNTP server has started on network interface: eth0.')
    expect(text).toContain('INFO: DHCP server has started on network interface: eth0.')
    expect(dev.network.services().dhcp).toEqual([
      {
        interfaceName: 'eth0',
        config: {
          startIp: '192.168.100.11',
          count: 1,
          mask: '255.255.255.0',
          gateway: '0.0.0.0',
          leaseHours: 24,
          ntp: ['192.168.100.10'],
        },
      },
    ])
    const eth0 = dev.network.interfaces().find((i) => i.name === 'eth0')!
    expect(eth0).toMatchObject({up: true, ipType: 0, medium: 2, addresses: ['192.168.100.10']})
    const l = dev.network.listeners().find((x) => x.componentId === cid)
    expect(l).toMatchObject({protocol: 'tcp', deviceAddress: '192.168.100.10', devicePort: 11000})
  })

  test('the TCP server answers each line with Received "<line>" and discards input past 15 characters', async () => {
    const l = dev.network.listeners().find((x) => x.componentId === cid)!
    const client = net.connect(l.hostPort, '127.0.0.1')
    let reply = ''
    client.on('data', (b) => (reply += b.toString()))
    client.write('hello sphere\r\n')
    expect(await runUntil(() => reply.includes('\r\n'))).toBe(true)
    expect(reply).toBe('Received "hello sphere"\r\n')
    expect(log()).toContain('INFO: TCP server: Received "hello sphere"')

    reply = ''
    client.write('abcdefghijklmnop\r')
    expect(await runUntil(() => reply.includes('\r\n'))).toBe(true)
    expect(reply).toBe('Received "p"\r\n')
    expect(log()).toContain('INFO: TCP server: Input data overflow. Discarding 15 characters.')

    client.end()
    expect(await runUntil(() => log().includes('Client has closed connection'))).toBe(true)
    expect(await runUntil(() => log().includes('INFO: TCP server stopped: client closed the connection.'))).toBe(true)
    client.destroy()
  })

  test("the device's SNTP server answers with the device's clock", async () => {
    const l = dev.network.listeners().find((x) => x.componentId === 'os:sntp')!
    expect(l).toMatchObject({protocol: 'udp', devicePort: 123, deviceAddress: '192.168.100.10'})
    const sock = dgram.createSocket('udp4')
    const req = Buffer.alloc(48)
    req[0] = (4 << 3) | 3 // version 4, client
    req.writeUInt32BE(0x12345678, 40)
    const answer = new Promise<Buffer>((r) => sock.once('message', (m) => r(m)))
    sock.send(req, l.hostPort, '127.0.0.1')
    const res = await answer
    sock.close()
    expect(res[0]! & 7).toBe(4) // server mode
    expect(res.readUInt32BE(24)).toBe(0x12345678) // originate = our transmit timestamp
    const unix = res.readUInt32BE(40) - 2_208_988_800
    // fast-forward devices boot at 2025-01-01T00:00:00Z
    expect(unix).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1) / 1000)
    expect(unix).toBeLessThan(Date.UTC(2025, 0, 2) / 1000)
  })

  test('the advisor finds every declared capability used (the sample declares exactly what it needs)', () => {
    const report = dev.auditCapabilities(cid)
    expect([...report.declared].sort()).toEqual([
      'AllowedTcpServerPorts:11000',
      'DhcpService',
      'NetworkConfig',
      'SntpService',
    ])
    expect([...report.used].sort()).toEqual([
      'AllowedTcpServerPorts:11000',
      'DhcpService',
      'NetworkConfig',
      'SntpService',
    ])
    expect(report.unused).toEqual([])
    expect(report.untracked).toEqual([])
    expect(report.suggestedManifest.Capabilities).toEqual({
      AllowedTcpServerPorts: [11000],
      NetworkConfig: true,
      SntpService: true,
      DhcpService: true,
    })
  })
})
