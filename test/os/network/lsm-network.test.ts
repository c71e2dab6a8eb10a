/**
 * The LSM's network decisions as a table (no device): net.listen on any port (0 included), net.inbound
 * (a manifest port, or a reply within a flow the socket opened to a host AllowedConnections permits),
 * net.reply from a server port, net.connect to the OS's own service ports and through the host map.
 * Every row is audited; refusals carry EACCES.
 */
import {describe, expect, test} from '@jest/globals'
import {Lsm, compilePolicy, osEndpoints, type Operation} from '../../../src/os/index.js'
import {cid} from '../helpers.js'

const EACCES = 2
const app = {kind: 'app' as const, componentId: cid(1), pid: 100}

function lsmFor(caps: Record<string, unknown>, hosts: Record<string, string> = {}): Lsm {
  const lsm = new Lsm()
  lsm.setPolicy(compilePolicy({SchemaVersion: 1, Name: 'n', ComponentId: cid(1), Capabilities: caps}))
  lsm.setHostResolver((name) => hosts[name])
  return lsm
}

const none = {}
const client = {AllowedConnections: ['api.contoso.test']}
const server = {AllowedUdpServerPorts: [5000], AllowedTcpServerPorts: [8080]}
const hosts = {'api.contoso.test': '10.0.0.5'}

const rows: [string, Record<string, unknown>, Operation, boolean][] = [
  ['UDP port 0, no capabilities', none, {op: 'net.listen', protocol: 'udp', port: 0}, false],
  ['UDP port 0, a client of AllowedConnections', client, {op: 'net.listen', protocol: 'udp', port: 0}, true],
  ['TCP port 0, even for a client', client, {op: 'net.listen', protocol: 'tcp', port: 0}, false],
  ['TCP port 0, a server of other ports', server, {op: 'net.listen', protocol: 'tcp', port: 0}, false],
  ['a listed UDP port', server, {op: 'net.listen', protocol: 'udp', port: 5000}, true],
  ['an unlisted UDP port', server, {op: 'net.listen', protocol: 'udp', port: 5001}, false],
  ['inbound on a listed UDP port, from anyone', server,
    {op: 'net.inbound', protocol: 'udp', port: 5000, from: '192.0.2.9:4444', flow: 'none'}, true],
  ['inbound on a listed TCP port', server,
    {op: 'net.inbound', protocol: 'tcp', port: 8080, from: '192.0.2.9:4444', flow: 'none'}, true],
  ['inbound on an ephemeral port, unsolicited', client,
    {op: 'net.inbound', protocol: 'udp', port: 0, from: '10.0.0.5:53', flow: 'none'}, false],
  ['inbound on an ephemeral port, within a flow to an allowed host', client,
    {op: 'net.inbound', protocol: 'udp', port: 0, from: '10.0.0.5:53', flow: 'outbound'}, true],
  ['inbound claimed as a flow to a host AllowedConnections does not permit', client,
    {op: 'net.inbound', protocol: 'udp', port: 0, from: '10.0.0.6:53', flow: 'outbound'}, false],
  ['inbound on port 0 is never a manifest port', {AllowedUdpServerPorts: [5000]},
    {op: 'net.inbound', protocol: 'udp', port: 0, from: '10.0.0.5:53', flow: 'none'}, false],
  ['a reply from a listed server port', server, {op: 'net.reply', protocol: 'udp', port: 5000, to: '192.0.2.9:4444'}, true],
  ['a reply from an unlisted port', client, {op: 'net.reply', protocol: 'udp', port: 5001, to: '192.0.2.9:4444'}, false],
  ['connect through the host map', client, {op: 'net.connect', host: '10.0.0.5', port: 443}, true],
  ['connect to an address no allowed name resolves to', client, {op: 'net.connect', host: '127.0.0.1', port: 443}, false],
]

describe('network operations', () => {
  test.each(rows)('%s', (_title, caps, op, allowed) => {
    const lsm = lsmFor(caps, hosts)
    const d = lsm.check(app, op)
    expect(d.allowed).toBe(allowed)
    if (!allowed) expect(d.errno).toBe(EACCES)
    const audit = lsm.auditLog({componentId: cid(1)})
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({operation: op.op, allowed})
  })

  test('an unlisted name allows no address: with nothing in the host map, AllowedConnections names reach nothing', () => {
    const lsm = lsmFor({AllowedConnections: ['anything.example']})
    expect(lsm.check(app, {op: 'net.connect', host: '127.0.0.1', port: 443}).allowed).toBe(false)
  })

  test("the OS's own service ports are refused whatever the manifest allows, on their address and through a wildcard", () => {
    const lsm = lsmFor({AllowedConnections: ['127.0.0.1', '192.0.2.5']})
    const removeExact = osEndpoints.add({protocol: 'tcp', host: '127.0.0.1', port: 47999, name: 'REST API'})
    const removeAny = osEndpoints.add({protocol: 'tcp', host: '0.0.0.0', port: 47998, name: 'device-list service'})
    try {
      const exact = lsm.check(app, {op: 'net.connect', host: '127.0.0.1', port: 47999})
      expect(exact).toMatchObject({allowed: false, errno: EACCES})
      expect(exact.reason).toContain("127.0.0.1:47999 is the device's REST API")
      expect(lsm.check(app, {op: 'net.connect', host: '127.0.0.1', port: 47998}).allowed).toBe(false)
      // a wildcard listener is the host's own, not a remote host's: 192.0.2.5 (TEST-NET, not this host) is not one
      expect(lsm.check(app, {op: 'net.connect', host: '192.0.2.5', port: 47998}).allowed).toBe(true)
      expect(lsm.check(app, {op: 'net.connect', host: '127.0.0.1', port: 48000}).allowed).toBe(true)
    } finally {
      removeExact()
      removeAny()
    }
    expect(lsm.check(app, {op: 'net.connect', host: '127.0.0.1', port: 47999}).allowed).toBe(true)
  })
})
