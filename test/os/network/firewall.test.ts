/**
 * Apps' sockets through the firewall (issue 7): AllowedConnections (names through the device's host map;
 * a name it does not list allows nothing), AllowedTcpServerPorts / AllowedUdpServerPorts; denials are audited and fail with
 * EACCES; allowed connections reach real sockets on the host loopback. Fast-forward devices.
 */
import {describe, expect, test} from '@jest/globals'
import dgram from 'node:dgram'
import net from 'node:net'
import {join} from 'node:path'
import {Device} from '../../../src/os/index.js'
import {DeviceRestBackend, createRestServer, listenUnix} from '../../../src/os/rest/index.js'
import {request} from '../rest/helpers.js'
import {cid, logged} from '../helpers.js'
import {Mode, deviceHarness, netImage, runUntil} from './helpers.js'

const EACCES = 2
const ENETUNREACH = 40

const {boot, dir} = deviceHarness('sphere-net-')

/**
 * Run until the app logged `done` (or `until` holds). Slices of virtual time alternate with host turns, so
 * bytes in flight on the host (to a test client) arrive too. Bounded: 100 slices of 200 ms.
 */
async function runApp(d: Device, id: string, until?: () => boolean): Promise<Record<string, number>> {
  await runUntil(d, () => (until ? until() : logged(d.appLog(id)).done === 1))
  return logged(d.appLog(id))
}

/** A TCP server on 127.0.0.1 that records what clients send and answers "welcome\n". */
async function tcpServer(): Promise<{
  port: number
  received: () => string
  connections: () => number
  close: () => Promise<void>
}> {
  let data = ''
  let conns = 0
  const open = new Set<net.Socket>()
  const server = net.createServer((s) => {
    conns++
    open.add(s)
    s.on('data', (d) => {
      data += d.toString()
      s.write('welcome\n')
    })
    s.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => data,
    connections: () => conns,
    close: () =>
      new Promise((r) => {
        for (const c of open) c.destroy()
        server.close(() => r())
      }),
  }
}

describe('outbound: AllowedConnections', () => {
  test('an allowed host (a name mapped to 127.0.0.1) is reached: the host server sees the bytes, the app the reply', async () => {
    const srv = await tcpServer()
    try {
      const d = await boot({network: {hosts: {'telemetry.contoso.test': '127.0.0.1'}}})
      await d.install(
        await netImage(1, Mode.tcpClient, srv.port, '127.0.0.1', {AllowedConnections: ['telemetry.contoso.test']}),
      )
      const log = await runApp(d, cid(1))
      expect(log).toMatchObject({ready: 1, connect: 0, sent: 15, recv: 8})
      expect(d.appLog(cid(1))).toContain('data:welcome\n')
      expect(srv.received()).toBe('hello from app\n')
      const audit = d.auditLog({componentId: cid(1)}).filter((r) => r.operation === 'net.connect')
      expect(audit).toEqual([expect.objectContaining({allowed: true, object: `host=127.0.0.1 port=${srv.port}`})])
      expect(d.usedCapabilities(cid(1))).toEqual(['AllowedConnections:telemetry.contoso.test'])
    } finally {
      await srv.close()
    }
  })

  test('a host not in AllowedConnections is refused with EACCES and audited; nothing reaches the network', async () => {
    const srv = await tcpServer()
    try {
      const d = await boot()
      await d.install(
        await netImage(2, Mode.tcpClient, srv.port, '10.20.30.40', {AllowedConnections: ['telemetry.contoso.test']}),
      )
      const log = await runApp(d, cid(2))
      expect(log.connect).toBe(-EACCES)
      const denied = d.auditLog({componentId: cid(2), deniedOnly: true})
      expect(denied).toEqual([
        expect.objectContaining({
          operation: 'net.connect',
          object: `host=10.20.30.40 port=${srv.port}`,
          allowed: false,
          errno: EACCES,
          reason: '10.20.30.40 is not in Capabilities.AllowedConnections',
        }),
      ])
      expect(srv.connections()).toBe(0)
    } finally {
      await srv.close()
    }
  })

  test("the device's host map decides what a name allows: mapped elsewhere, 127.0.0.1 is refused", async () => {
    const srv = await tcpServer()
    try {
      const d = await boot({network: {hosts: {'telemetry.contoso.test': '127.0.0.2'}}})
      await d.install(
        await netImage(3, Mode.tcpClient, srv.port, '127.0.0.1', {AllowedConnections: ['telemetry.contoso.test']}),
      )
      expect((await runApp(d, cid(3))).connect).toBe(-EACCES)
      expect(srv.connections()).toBe(0)
      expect(d.network.resolve('telemetry.contoso.test')).toBe('127.0.0.2')
      expect(d.network.resolve('other.test')).toBeUndefined() // an unlisted name resolves to nothing
    } finally {
      await srv.close()
    }
  })

  test('with wlan0 down, networking is not ready and connect fails with ENETUNREACH', async () => {
    const d = await boot()
    d.network.netConfig.setUp('wlan0', false)
    await d.install(await netImage(4, Mode.tcpClient, 9, '127.0.0.1', {AllowedConnections: ['127.0.0.1']}))
    expect(await runApp(d, cid(4))).toMatchObject({ready: 0, connect: -ENETUNREACH})
  })
})

describe('inbound: AllowedTcpServerPorts / AllowedUdpServerPorts', () => {
  test('an allowed TCP port listens on the host; a host client is accepted and echoed', async () => {
    const d = await boot({network: {ports: {'4711': 0}}})
    await d.install(await netImage(5, Mode.tcpServer, 4711, '0.0.0.0', {AllowedTcpServerPorts: [4711]}))
    await runApp(d, cid(5), () => d.network.listeners().some((l) => l.componentId === cid(5)))
    const l = d.network.listeners().find((x) => x.componentId === cid(5))!
    expect(l).toMatchObject({protocol: 'tcp', devicePort: 4711, hostAddress: '127.0.0.1'})
    const client = net.connect(l.hostPort, '127.0.0.1')
    let echoed = ''
    client.on('data', (b) => (echoed += b.toString()))
    client.write('abc\n')
    const log = await runApp(d, cid(5), () => echoed === 'abc\n')
    client.destroy()
    expect(echoed).toBe('abc\n')
    expect(log).toMatchObject({bind: 0, listen: 0, recv: 4, sent: 4})
    expect(log.accept).toBeGreaterThan(3)
    expect(d.usedCapabilities(cid(5))).toEqual(['AllowedTcpServerPorts:4711'])
  })

  test('listening on a port not in AllowedTcpServerPorts is refused with EACCES and audited', async () => {
    const d = await boot({network: {ports: {'4712': 0}}})
    await d.install(await netImage(6, Mode.tcpServer, 4712, '0.0.0.0', {AllowedTcpServerPorts: [4713]}))
    const log = await runApp(d, cid(6))
    expect(log.bind).toBe(-EACCES)
    expect(log.listen).toBe(-EACCES) // listen without a bound port needs an ephemeral port: refused too
    expect(d.network.listeners()).toEqual([])
    const denied = d.auditLog({componentId: cid(6), deniedOnly: true})
    expect(denied[0]).toMatchObject({operation: 'net.listen', object: 'protocol=tcp port=4712', errno: EACCES})
  })

  test('UDP: an allowed port receives a datagram and answers the sender; a refused one cannot bind', async () => {
    const d = await boot({network: {ports: {'4720': 0, '4721': 0}}})
    await d.install(await netImage(7, Mode.udpEcho, 4720, '0.0.0.0', {AllowedUdpServerPorts: [4720]}))
    await runApp(d, cid(7), () => d.network.listeners().some((l) => l.componentId === cid(7)))
    const l = d.network.listeners().find((x) => x.componentId === cid(7))!
    expect(l.protocol).toBe('udp')
    const sock = dgram.createSocket('udp4')
    const answer = new Promise<string>((r) => sock.once('message', (m) => r(m.toString())))
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
    sock.send('ping-udp', l.hostPort, '127.0.0.1')
    let got: string | undefined
    void answer.then((a) => (got = a))
    await runApp(d, cid(7), () => got !== undefined)
    sock.close()
    expect(got).toBe('ping-udp')
    expect(logged(d.appLog(cid(7)))).toMatchObject({bind: 0, recv: 8, sent: 8})

    await d.install(await netImage(8, Mode.udpEcho, 4721, '0.0.0.0', {AllowedUdpServerPorts: [4720]}))
    expect((await runApp(d, cid(8))).bind).toBe(-EACCES)
  })
})

describe('the REST firewall view', () => {
  test('GET /net/firewall/rulesets has one OUTPUT rule per resolved allowed host and INPUT rules per server port', async () => {
    const d = await boot({network: {hosts: {'backup.contoso.test': '10.0.0.7', 'telemetry.contoso.test': '127.0.0.1'}}})
    await d.install(
      await netImage(9, Mode.tcpClient, 1, '127.0.0.1', {
        AllowedConnections: ['telemetry.contoso.test', 'backup.contoso.test', '192.168.5.5'],
        AllowedTcpServerPorts: [8080],
        AllowedUdpServerPorts: [5353],
      }),
      {start: false},
    )
    const backend = DeviceRestBackend.fromDevice(d, {stateDir: join(dir(), 'rest')})
    const socketPath = join(dir(), 'rest.sock')
    const l = await listenUnix(createRestServer(backend, {}), socketPath)
    const reply = await request({kind: 'unix', socketPath}, 'GET', '/net/firewall/rulesets')
    await l.close()
    expect(reply.status).toBe(200)
    const body = reply.body.toString('utf8')
    const rulesets = (JSON.parse(body) as {rulesets: {hook: string; rules: Record<string, unknown>[]}[]}).rulesets
    const uid = d.appStatus(cid(9)).uid
    const out = rulesets.find((r) => r.hook === 'OUTPUT')!.rules.filter((r) => r.uid === uid)
    expect(out.map((r) => r.destinationIP).sort()).toEqual(['10.0.0.7', '127.0.0.1', '192.168.5.5'])
    expect(out.every((r) => r.action === 'accept' && r.state === 'new')).toBe(true)
    const inp = rulesets.find((r) => r.hook === 'INPUT')!.rules.filter((r) => r.uid === uid)
    expect(inp.map((r) => [r.protocol, (r.destinationPortRange as {min: number}).min])).toEqual([
      ['tcp', 8080],
      ['udp', 5353],
    ])
  })
})
