/**
 * The firewall's flow rules on a running device (issue 13 hole 1, issue 20 #10 and the host-state bounds):
 * a bind on port 0 is a net.listen decision; a datagram is accepted on a manifest port or as a reply within
 * a flow the socket opened (anything else is dropped and audited as net.inbound); a reply from a server port
 * is net.reply; the OS's own service ports are refused whatever AllowedConnections says; sockets per app are
 * bounded (EMFILE, audited) and charged to the app (Process.hostUsage). Fast-forward devices.
 */
import {describe, expect, test} from '@jest/globals'
import dgram from 'node:dgram'
import {join} from 'node:path'
import {HOST_LIMITS, osEndpoints} from '../../../src/os/index.js'
import {DeviceRestBackend, createRestServer, listenHttps, serverTls} from '../../../src/os/rest/index.js'
import {appImage, cid, logged} from '../helpers.js'
import {Mode, deviceHarness, netImage, runUntil} from './helpers.js'

const EACCES = 2
const EMFILE = 33

const {boot, dir} = deviceHarness('sphere-flows-')

const udpSocket = async (): Promise<dgram.Socket> => {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return s
}

describe('UDP flows', () => {
  test('a reply within a flow the app opened arrives; a datagram from another host port is dropped and audited', async () => {
    const server = await udpSocket()
    const stranger = await udpSocket()
    const port = server.address().port
    const strangerPort = stranger.address().port
    // the server answers "ping" only after a stranger has hit the app's (ephemeral) port
    server.on('message', (_m, rinfo) => {
      stranger.send('evil', rinfo.port, '127.0.0.1', () => {
        setTimeout(() => server.send('pong', rinfo.port, rinfo.address), 20)
      })
    })
    try {
      const d = await boot({network: {hosts: {'echo.contoso.test': '127.0.0.1'}}})
      await d.install(await netImage(1, Mode.udpClient, port, '127.0.0.1', {AllowedConnections: ['echo.contoso.test']}))
      await runUntil(d, () => logged(d.appLog(cid(1))).done === 1)
      expect(logged(d.appLog(cid(1)))).toMatchObject({sent: 4, recv: 4})
      expect(d.appLog(cid(1))).toContain('data:pong\n')
      expect(d.appLog(cid(1))).not.toContain('evil')
      const inbound = d.auditLog({componentId: cid(1)}).filter((r) => r.operation === 'net.inbound')
      expect(inbound).toEqual([
        expect.objectContaining({
          allowed: false,
          errno: EACCES,
          object: `protocol=udp port=0 from=127.0.0.1:${strangerPort} flow=none`,
        }),
        expect.objectContaining({allowed: true, object: `protocol=udp port=0 from=127.0.0.1:${port} flow=outbound`}),
      ])
    } finally {
      server.close()
      stranger.close()
    }
  })

  test('with no capabilities, a bind to UDP port 0 is refused as net.listen and nothing opens on the host', async () => {
    const d = await boot()
    await d.install(await netImage(2, Mode.udpEcho, 0, '0.0.0.0', {}))
    await runUntil(d, () => logged(d.appLog(cid(2))).done === 1)
    expect(logged(d.appLog(cid(2))).bind).toBe(-EACCES)
    expect(d.network.listeners().filter((l) => l.componentId === cid(2))).toEqual([])
    expect(d.auditLog({componentId: cid(2), deniedOnly: true})).toEqual([
      expect.objectContaining({operation: 'net.listen', object: 'protocol=udp port=0', errno: EACCES}),
    ])
  })

  test('a server port answers its client through net.reply; the client needs no AllowedConnections', async () => {
    const d = await boot({network: {ports: {'4730': 0}}})
    await d.install(await netImage(3, Mode.udpEcho, 4730, '0.0.0.0', {AllowedUdpServerPorts: [4730]}))
    await runUntil(d, () => d.network.listeners().some((l) => l.componentId === cid(3)))
    const l = d.network.listeners().find((x) => x.componentId === cid(3))!
    const client = await udpSocket()
    let got: string | undefined
    client.on('message', (m) => (got = m.toString()))
    client.send('hi-there', l.hostPort, '127.0.0.1')
    await runUntil(d, () => got !== undefined)
    client.close()
    expect(got).toBe('hi-there')
    const ops = d.auditLog({componentId: cid(3)}).map((r) => [r.operation, r.allowed])
    expect(ops).toEqual([
      ['net.listen', true],
      ['net.inbound', true],
      ['net.reply', true],
    ])
  })
})

describe("the OS's own service ports", () => {
  test('the HTTPS REST API on the loopback is refused to an app that allows the loopback; once closed, its port is ordinary again', async () => {
    const d = await boot()
    const backend = DeviceRestBackend.fromDevice(d, {stateDir: join(dir(), 'rest'), clock: 'fast-forward'})
    const rest = await listenHttps(
      createRestServer(backend, {}),
      '127.0.0.1',
      0,
      serverTls(join(dir(), 'rest-tls'), '127.0.0.1'),
    )
    try {
      expect(osEndpoints.find('127.0.0.1', rest.port)).toMatchObject({protocol: 'tcp', name: 'REST API'})
      await d.install(await netImage(4, Mode.tcpClient, rest.port, '127.0.0.1', {AllowedConnections: ['127.0.0.1']}))
      await runUntil(d, () => logged(d.appLog(cid(4))).done === 1)
      expect(logged(d.appLog(cid(4))).connect).toBe(-EACCES)
      expect(d.auditLog({componentId: cid(4), deniedOnly: true})).toEqual([
        expect.objectContaining({
          operation: 'net.connect',
          object: `host=127.0.0.1 port=${rest.port}`,
          reason: expect.stringContaining("is the device's REST API"),
        }),
      ])
    } finally {
      await rest.close()
    }
    // closed, the port is an ordinary loopback port again
    expect(osEndpoints.find('127.0.0.1', rest.port)).toBeUndefined()
  })
})

describe('bounded host state', () => {
  const socketLoop = `(module
    (import "sphere" "socket" (func $socket (param i32 i32 i32) (result i32)))
    (memory (export "memory") 1 1)
    (data (i32.const 0x400) "ok")
    (data (i32.const 0x410) "err")
    ;;@lib
    (func (export "_start")
      (local $i i32) (local $r i32) (local $ok i32) (local $err i32)
      (loop $l
        (local.set $r (call $socket (i32.const 2) (i32.const 2) (i32.const 0)))
        (if (i32.ge_s (local.get $r) (i32.const 0))
          (then (local.set $ok (i32.add (local.get $ok) (i32.const 1))))
          (else (local.set $err (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 40))))
      (call $log_num (i32.const 0x400) (i32.const 2) (local.get $ok))
      (call $log_num (i32.const 0x410) (i32.const 3) (local.get $err))
      (call $sleep_forever)))`

  test('sockets per app stop at the limit with EMFILE (audited once) and are charged to the process', async () => {
    const d = await boot()
    await d.install(await appImage(5, 'sockets', socketLoop, {AllowedConnections: ['127.0.0.1']}))
    await runUntil(d, () => logged(d.appLog(cid(5))).err !== undefined)
    expect(logged(d.appLog(cid(5)))).toEqual({ok: HOST_LIMITS.socketsPerApp, err: -EMFILE})
    const proc = d.apps.process(cid(5))!
    expect(proc.hostUsage.sockets).toBe(HOST_LIMITS.socketsPerApp)
    const limits = d.auditLog({componentId: cid(5), deniedOnly: true})
    expect(limits).toEqual([
      expect.objectContaining({operation: 'resource.limit', object: `resource=host sockets limit=${HOST_LIMITS.socketsPerApp}`}),
    ])
    await d.stopApp(cid(5))
    expect(proc.hostUsage.sockets).toBe(0)
  })
})
