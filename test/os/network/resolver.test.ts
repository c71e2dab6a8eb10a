/**
 * Name resolution through the OS (netdb.h, the sphere.resolve import): a C probe
 * (test/os/network/fixtures/resolve-probe.c) built with the SDK runs on two fast-forward devices, one with only
 * the world's hosts map and one in internet mode (`sphere sim start --internet`: names the device does not know
 * go to the host's resolver). Every lookup is an LSM decision on the name (dns.query): an unlisted name is
 * refused (EAI_FAIL) and never looked up; a listed name resolves from the hosts map, or in internet mode from
 * the host's resolver (here `localhost`, which the host resolves offline), and the firewall then allows exactly
 * the address it resolved to: a connect to 127.0.0.1 is refused before `localhost` was resolved and allowed
 * after, and reaches this test's real TCP server. The host of a DNS-SD instance the world advertises resolves
 * because the manifest lists its service type, and the app connects to it (a second real server).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device} from '../../../src/os/index.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {buildApp, createApp, type BuildResult} from '../../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

/** name=value lines of a log. */
function values(log: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of log.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0 && /^[a-z0-9_]+$/.test(line.slice(0, i))) m.set(line.slice(0, i), line.slice(i + 1))
  }
  return m
}

d('name resolution through the OS (C probe)', () => {
  let root: string
  let home: string
  let probe: BuildResult
  let server: net.Server
  let port: number
  let service: net.Server
  let svcPort: number
  const devs: Device[] = []

  const run = async (opts: {internet: boolean}): Promise<{dev: Device; cid: string; v: Map<string, string>}> => {
    const dev = await Device.boot({
      stateDir: join(root, opts.internet ? 'state-internet' : 'state-offline'),
      clock: 'fast-forward',
      trust: loadTrustStore(home),
      network: {internet: opts.internet},
    })
    devs.push(dev)
    applyWorldFile(
      dev,
      [
        'hosts:',
        '  example.com: 127.0.0.9',
        'dnsSd:',
        '  - {service: _sample-service._tcp.local, instance: Probe, host: sample-host.local, address: 127.0.0.3, port: ' +
          String(svcPort) +
          '}',
      ].join('\n'),
    )
    const st = await dev.installPackage(readFileSync(probe.apps[0]!.imagePackage), {start: true})
    for (let i = 0; i < 100 && !dev.appLog(st.componentId).includes('done=1'); i++) await dev.runFor(50)
    return {dev, cid: st.componentId, v: values(dev.appLog(st.componentId))}
  }

  beforeAll(async () => {
    root = tempDir('sphere-resolver-')
    home = join(root, 'home')
    server = net.createServer((s) => s.end('hello from the host\n'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as net.AddressInfo).port
    service = net.createServer((s) => s.end('hello from the service\n'))
    await new Promise<void>((r) => service.listen(0, '127.0.0.3', r))
    svcPort = (service.address() as net.AddressInfo).port
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    const app = createApp({template: 'c-eventloop', name: 'ResolveProbe', dir: root})
    const src = readFileSync(join(repoRoot, 'test/os/network/fixtures/resolve-probe.c'), 'utf8')
      .replaceAll('__SVC_PORT__', String(svcPort))
      .replaceAll('__PORT__', String(port))
    writeFileSync(join(app.projectDir, 'main.c'), src)
    const manifestPath = join(app.projectDir, 'app_manifest.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {Capabilities: Record<string, unknown>}
    manifest.Capabilities = {AllowedConnections: ['example.com', 'localhost', '_sample-service._tcp.local']}
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
    probe = await buildApp({dir: app.projectDir, env, sphereHome: home})
  }, 240_000)
  afterAll(async () => {
    for (const dev of devs) await dev.shutdown()
    server?.close()
    service?.close()
    removeDir(root)
  })

  test('offline: the hosts map answers listed names, other names do not resolve, unlisted names are refused', async () => {
    const {dev, cid, v} = await run({internet: false})
    expect(v.get('done')).toBe('1')
    expect(v.get('connect_before')).toBe('2 Permission denied')
    expect(v.get('gai_listed_hosts_map')).toBe(`0 127.0.0.9:${port}`)
    expect(v.get('gai_listed_host_resolver')).toBe('-2 Name does not resolve')
    expect(v.get('gai_unlisted')).toBe('-4 Non-recoverable failure in name resolution')
    expect(v.get('ghbn_unlisted')).toBe('null h_errno=3')
    expect(v.get('ghbn_listed')).toBe('127.0.0.9')
    expect(v.get('connect_after')).toBe('2 Permission denied')
    expect(v.get('resq_ptr')).toBe('1 _sample-service._tcp.local Probe._sample-service._tcp.local')
    expect(v.get('resq_unlisted')).toBe('-1 errno=2 h_errno=2') // EACCES: the resolver refused the name
    expect(v.get('gai_discovered')).toBe('0')
    expect(v.get('connect_discovered')).toBe('0')
    expect(v.get('read_discovered')).toBe('hello from the service')
    const svc = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect' && r.allowed)
    expect(svc.map((r) => [r.object, r.reason])).toEqual([
      [`host=127.0.0.3 port=${svcPort}`, '127.0.0.3 is _sample-service._tcp.local in Capabilities.AllowedConnections'],
    ])
    const denied = dev.auditLog({componentId: cid, deniedOnly: true}).filter((r) => r.operation === 'dns.query')
    // getaddrinfo, gethostbyname and res_query each asked (repeats of one denial may be coalesced)
    expect(denied.length).toBeGreaterThanOrEqual(1)
    expect(new Set(denied.map((r) => `${r.object}: ${r.reason}`))).toEqual(
      new Set([
        'name=unlisted.test: unlisted.test is not in Capabilities.AllowedConnections: the resolver answers only names the app may reach',
      ]),
    )
  })

  test('internet mode: a listed name resolves with the host resolver and its address becomes reachable', async () => {
    const {dev, cid, v} = await run({internet: true})
    expect(v.get('done')).toBe('1')
    expect(v.get('connect_before')).toBe('2 Permission denied')
    expect(v.get('gai_listed_hosts_map')).toBe(`0 127.0.0.9:${port}`)
    expect(v.get('gai_listed_host_resolver')).toBe(`0 127.0.0.1:${port}`)
    expect(v.get('gai_unlisted')).toBe('-4 Non-recoverable failure in name resolution')
    expect(v.get('connect_after')).toBe('0 ok')
    expect(v.get('read')).toBe('hello from the host')
    const connects = dev
      .auditLog({componentId: cid})
      .filter((r) => r.operation === 'net.connect' && r.object.endsWith(`port=${port}`))
    expect(connects.map((r) => [r.object, r.allowed, r.reason])).toEqual([
      [`host=127.0.0.1 port=${port}`, false, '127.0.0.1 is not in Capabilities.AllowedConnections'],
      [`host=127.0.0.1 port=${port}`, true, '127.0.0.1 is localhost in Capabilities.AllowedConnections'],
    ])
    expect(dev.network.addresses('localhost')).toEqual(['127.0.0.1'])
    // what an unlisted name would resolve to was never asked for, so nothing was learned for it
    expect(dev.network.addresses('unlisted.test')).toEqual([])
  })
})
