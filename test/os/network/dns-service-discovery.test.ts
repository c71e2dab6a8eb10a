/**
 * Issue 14 acceptance (DNS): the unmodified DNSServiceDiscovery sample from Azure/azure-sphere-samples
 * (test/fixtures/samples/Samples/DNSServiceDiscovery, MIT, with its LICENSE.txt), built by the C SDK (netdb.h,
 * resolv.h, res_mkquery / ns_initparse / ns_parserr / dn_expand from sdk/libapplibs/resolv.c) and run on a
 * fast-forward device whose world file advertises one instance of `_sample-service._tcp.local` (the `dnsSd`
 * key, docs/world.md). The sample sends its PTR query to the device's resolver at 127.0.0.1:53, then the
 * instance-details query, and logs the instance's host, address, port and TXT data. The firewall then lets the
 * app reach the discovered address (the service type is in its AllowedConnections), while an address nothing
 * advertised stays out of reach. The sample itself stops at discovery (its README: the app "should then be able
 * to connect"), so a socket app with the sample's AllowedConnections then really connects to the instance, a
 * TCP server of this test at the advertised address and port, and is refused an address nothing advertised.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device} from '../../../src/os/index.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../../sdk/helpers.js'
import {cid as testCid, logged} from '../helpers.js'
import {Mode, netImage, runUntil as devUntil} from './helpers.js'

const d = toolchainPresent ? describe : describe.skip

d('DNSServiceDiscovery sample on the simulator', () => {
  let root: string
  let home: string
  let built: BuildResult
  let dev: Device
  let cid: string
  // the sample prints the port with %hd: one below 32768 reads back as itself
  const port = 8080
  /** A loopback address of its own, so the instance's port is free for this test's server. */
  const address = '127.0.88.21'

  const runUntil = (done: () => boolean, slices = 300): Promise<boolean> => devUntil(dev, done, slices, 100)
  const log = (): string => dev.appLog(cid)

  beforeAll(async () => {
    root = tempDir('sphere-dnssd-')
    home = join(root, 'home')
    copySamples(root)
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    built = await buildApp({dir: join(root, 'Samples/DNSServiceDiscovery'), env, sphereHome: home})
    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    applyWorldFile(
      dev,
      [
        'dnsSd:',
        '  - service: _sample-service._tcp.local',
        '    instance: SampleInstance',
        '    host: sample-host.local',
        `    address: ${address}`,
        `    port: ${port}`,
        '    txt: ["color=blue"]',
      ].join('\n'),
    )
    const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
    cid = st.componentId
  }, 240_000)
  afterAll(async () => {
    await dev?.shutdown()
    removeDir(root)
  })

  test('it finds the instance the world advertises, asks for its details and logs host, address, port and TXT', async () => {
    expect(await runUntil(() => log().includes('TXT Data:'))).toBe(true)
    const text = log()
    expect(text).toContain('INFO: DNS Service Discovery sample starting.')
    expect(text).toContain('INFO: Sending DNS query to resolve domain name [_sample-service._tcp.local]...')
    expect(text).toContain(
      'INFO: DNS Service Discovery has found an instance: SampleInstance._sample-service._tcp.local.',
    )
    expect(text).toContain('INFO: Requesting SRV and TXT details for the instance.')
    expect(text).toContain(
      'INFO: Sending DNS query to resolve domain name [SampleInstance._sample-service._tcp.local]...',
    )
    expect(text).toContain('\tName: SampleInstance._sample-service._tcp.local\n')
    expect(text).toContain('\tHost: sample-host.local\n')
    expect(text).toContain(`\tIPv4 Address: ${address}\n`)
    expect(text).toContain(`\tPort: ${port}\n`)
    // the TXT rdata as the sample prints it: the length byte, then the string
    expect(text).toContain('\tTXT Data: \ncolor=blue')
    expect(text).not.toContain('ERROR')
  })

  test('each query was an LSM decision on its name, allowed through the listed service type', () => {
    const queries = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'dns.query')
    expect(queries.map((r) => [r.object, r.allowed])).toEqual([
      ['name=_sample-service._tcp.local', true],
      ['name=sampleinstance._sample-service._tcp.local', true],
    ])
    expect(queries[1]!.reason).toBe(
      'sampleinstance._sample-service._tcp.local was discovered through _sample-service._tcp.local, which is in Capabilities.AllowedConnections',
    )
  })

  test('the firewall lets the app reach the discovered instance, and only it', () => {
    const pid = dev.kernel.processes().find((p) => p.componentId === cid)!.pid
    const subject = {kind: 'app' as const, componentId: cid, pid}
    const ok = dev.lsm.check(subject, {op: 'net.connect', host: address, port})
    expect(ok).toMatchObject({
      allowed: true,
      reason: `${address} is _sample-service._tcp.local in Capabilities.AllowedConnections`,
    })
    const other = dev.lsm.check(subject, {op: 'net.connect', host: '127.0.0.2', port})
    expect(other).toMatchObject({allowed: false, reason: '127.0.0.2 is not in Capabilities.AllowedConnections'})
  })

  test("an app with the sample's AllowedConnections connects to the discovered instance, and is refused another address", async () => {
    const got: string[] = []
    const server = net.createServer((c) => {
      c.on('data', (b) => {
        got.push(b.toString())
        c.end('hello from the instance\n')
      })
      c.on('error', () => undefined)
    })
    await new Promise<void>((r) => server.listen(port, address, r))
    try {
      const caps = {AllowedConnections: ['_sample-service._tcp.local']}
      // one high-level app per device: each install replaces the app before it
      await dev.install(await netImage(61, Mode.tcpClient, port, address, caps), {start: true})
      const a = (): Record<string, number> => logged(dev.appLog(testCid(61)))
      expect(await runUntil(() => a().done === 1)).toBe(true)
      expect(a().connect).toBe(0)
      expect(dev.appLog(testCid(61))).toContain('data:hello from the instance\n')
      expect(got).toEqual(['hello from app\n'])
      expect(
        dev
          .auditLog({componentId: testCid(61)})
          .filter((r) => r.operation === 'net.connect')
          .map((r) => [r.object, r.allowed, r.reason]),
      ).toEqual([
        [
          `host=${address} port=${port}`,
          true,
          `${address} is _sample-service._tcp.local in Capabilities.AllowedConnections`,
        ],
      ])
      await dev.install(await netImage(62, Mode.tcpClient, port, '127.0.88.22', caps), {start: true})
      const b = (): Record<string, number> => logged(dev.appLog(testCid(62)))
      expect(await runUntil(() => b().done === 1)).toBe(true)
      expect(b().connect).toBe(-Errno.EACCES)
      expect(got).toHaveLength(1)
    } finally {
      server.close()
    }
  })
})
