/**
 * The device resolver's DNS messages (src/os/services/dns.ts), read by a real DNS client: Node's c-ares
 * resolver asks a UDP server that answers with `DnsRecords.answer`, so PTR / SRV / TXT / A answers and NXDOMAIN
 * are checked by a parser that is not ours. Malformed queries (responses, compression loops, truncation) get no
 * answer. The world file's `hosts` / `dnsSd` / `tlsRoots` keys refuse bad input with one line naming the
 * problem, and apply nothing when any part is bad.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import dgram from 'node:dgram'
import {Resolver} from 'node:dns/promises'
import {generateKeyPairSync} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildCertificate} from '../../../src/os/services/tls.js'
import {DnsRecords, parseQuestion} from '../../../src/os/services/dns.js'
import {NetworkStack} from '../../../src/os/services/network.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {World} from '../../../src/os/hw/world.js'
import {removeDir, tempDir} from '../../sdk/helpers.js'

const hosts: Record<string, string> = {'api.contoso.test': '10.1.2.3'}
const records = new DnsRecords((n) => hosts[n])
records.setInstances([
  {
    service: '_sample-service._tcp.local',
    instance: 'SampleInstance',
    host: 'sample-host.local',
    address: '127.0.0.1',
    port: 8080,
    txt: ['color=blue', 'v=1'],
  },
])

describe('the device resolver, read by c-ares', () => {
  let server: dgram.Socket
  let resolver: Resolver

  beforeAll(async () => {
    server = dgram.createSocket('udp4')
    server.on('message', (msg, from) => {
      const a = records.answer(msg)
      if (a) server.send(a, from.port, from.address)
    })
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r))
    resolver = new Resolver({timeout: 2000, tries: 1})
    resolver.setServers([`127.0.0.1:${server.address().port}`])
  })
  afterAll(() => {
    server.close()
  })

  test('PTR for a service type names its instances, case kept', async () => {
    expect(await resolver.resolvePtr('_sample-service._tcp.local')).toEqual([
      'SampleInstance._sample-service._tcp.local',
    ])
  })

  test('SRV and TXT for an instance, A for its host and for hosts-map names', async () => {
    expect(await resolver.resolveSrv('SampleInstance._sample-service._tcp.local')).toEqual([
      {name: 'sample-host.local', port: 8080, priority: 0, weight: 0},
    ])
    expect(await resolver.resolveTxt('sampleinstance._sample-service._tcp.local')).toEqual([['color=blue', 'v=1']])
    expect(await resolver.resolve4('sample-host.local')).toEqual(['127.0.0.1'])
    expect(await resolver.resolve4('API.contoso.test')).toEqual(['10.1.2.3'])
  })

  test('a name the device does not know is NXDOMAIN', async () => {
    await expect(resolver.resolve4('unknown.test')).rejects.toMatchObject({code: 'ENOTFOUND'})
  })
})

describe('malformed queries get no answer', () => {
  const query = (name: Buffer, flags = 0x0100): Buffer =>
    Buffer.concat([
      Buffer.from([0x12, 0x34, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, 0]),
      name,
      Buffer.from([0, 1, 0, 1]),
    ])

  test('a well-formed query parses', () => {
    expect(parseQuestion(query(Buffer.from('\x04test\x05local\x00', 'latin1')))).toMatchObject({
      name: 'test.local',
      type: 1,
    })
  })
  test('a response (QR set) is not a query', () => {
    expect(records.answer(query(Buffer.from('\x04test\x00', 'latin1'), 0x8100))).toBeUndefined()
  })
  test('a compression pointer to itself ends (no loop)', () => {
    expect(records.answer(query(Buffer.from([0xc0, 12])))).toBeUndefined()
  })
  test('a label running past the end, and a message under 12 bytes', () => {
    expect(records.answer(query(Buffer.from([40, 0x61])))).toBeUndefined()
    expect(records.answer(Buffer.from([1, 2, 3]))).toBeUndefined()
  })
})

describe('world file: hosts, dnsSd, tlsRoots', () => {
  let dir: string
  const device = (): {world: World; network: NetworkStack} => ({
    world: new World(),
    network: new NetworkStack('seed', () => 0),
  })
  beforeAll(() => {
    dir = tempDir('sphere-world-net-')
  })
  afterAll(() => removeDir(dir))

  test('valid keys apply', () => {
    const d = device()
    applyWorldFile(
      d,
      'hosts:\n  a.test: 10.0.0.1\ndnsSd:\n  - {service: _x._tcp.local, instance: I, host: h.local, address: 10.0.0.2, port: 99}\n',
    )
    expect(d.network.resolve('a.test')).toBe('10.0.0.1')
    expect(d.network.addresses('_x._tcp.local')).toEqual(['10.0.0.2'])
    expect(d.network.discovered('_x._tcp.local')).toEqual(['i._x._tcp.local', 'h.local'])
  })

  const bad: [string, string, string][] = [
    ['a bad hosts address', 'hosts:\n  a.test: 300.1.1.1\n', 'hosts.a.test: "300.1.1.1" is not an IPv4 address'],
    [
      'a dnsSd entry without a port',
      'dnsSd:\n  - {service: _x._tcp.local, instance: I, host: h.local, address: 10.0.0.2}\n',
      'dnsSd[0].port must be a port number (1-65535)',
    ],
    [
      'a dnsSd service that is not a service type',
      'dnsSd:\n  - {service: x.local, instance: I, host: h.local, address: 10.0.0.2, port: 1}\n',
      'dnsSd[0].service: x.local is not a DNS-SD service type (e.g. _http._tcp.local)',
    ],
    [
      'an unknown dnsSd key',
      'dnsSd:\n  - {service: _x._tcp.local, instance: I, host: h.local, address: 10.0.0.2, port: 1, colour: red}\n',
      'dnsSd[0].colour: unknown (use service, instance, host, address, port, txt, ttl)',
    ],
    [
      'a tlsRoots file that does not exist',
      'tlsRoots: [/nonexistent/ca.pem]\n',
      'tlsRoots[0]: cannot read /nonexistent/ca.pem: ENOENT',
    ],
    [
      'tlsRoots text that is not a certificate',
      'tlsRoots: ["-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----"]\n',
      'tlsRoots[0]: not a certificate',
    ],
  ]
  test.each(bad)('%s: one line naming the problem, nothing applied', (_label, text, message) => {
    const d = device()
    let err: Error | undefined
    try {
      applyWorldFile(
        d,
        `hosts:\n  before.test: 10.9.9.9\n${text.startsWith('hosts:') ? text.replace('hosts:\n', '') : text}`,
      )
    } catch (e) {
      err = e as Error
    }
    expect(err?.message.startsWith(message)).toBe(true)
    expect(err?.message).not.toContain('\n')
    expect(d.network.resolve('before.test')).toBeUndefined()
  })

  test("a tlsRoots file path is read: its certificates become the TLS clients' extra roots", () => {
    const k = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    const pem = buildCertificate({
      subject: {CN: 'world test root'},
      publicKey: k.publicKey,
      signingKey: k.privateKey,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3600_000),
      ca: true,
    })
    const file = join(dir, 'root.pem')
    writeFileSync(file, pem)
    const d = device()
    applyWorldFile(d, `tlsRoots: [${file}]\n`)
    expect(d.network.tlsRoots()).toEqual([pem.trim()])
  })
})
