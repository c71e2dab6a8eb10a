/**
 * One trust rule for the OS's two TLS libraries (src/os/runtime/trust.ts), and one proxy store.
 *
 * An SDK-built app (test/fixtures/tls-trust/main.c) asks libcurl and then wolfSSL to reach two real Node TLS
 * servers of this test with the same CA file of its image package (the public DigiCert Global Root G3 the
 * samples carry). The device's trust store holds this test's root standing in for that CA (the world's
 * `tlsRoots` with `standsFor`): the server whose certificate the test root issued is trusted by both libraries,
 * the one another root issued is refused by both, each with its own error code (curl 60, wolfSSL -188); when
 * the stand-in answers for another CA, both refuse both servers.
 *
 * Then a proxy is applied on the device through the REST API (POST net/proxy, what `sphere device network proxy
 * apply` sends): Networking_Proxy_Get reports it, and the app's libcurl request (Networking_Curl_SetDefaultProxy)
 * goes through a real HTTP CONNECT proxy of this test; wolfSSL, on the app's own socket, does not.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {NS_PER_MS} from '../../../src/os/index.js'
import {DeviceRestBackend, createRestServer} from '../../../src/os/rest/index.js'
import {buildCertificate} from '../../../src/os/services/tls.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {buildApp} from '../../../src/sdk/index.js'
import {removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

const GOOD_IP = '127.0.88.31'
const BAD_IP = '127.0.88.32'
const G3 = 'DigiCert Global Root G3'

/** A root CA and a server certificate for `name` it issued. */
function pki(rootName: string, name: string): {rootPem: string; certPem: string; keyPem: string} {
  const ca = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  const leaf = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  const now = Date.now()
  const subject = {CN: rootName}
  const rootPem = buildCertificate({
    subject,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    ca: true,
  })
  const certPem = buildCertificate({
    subject: {CN: name},
    issuer: subject,
    publicKey: leaf.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    dnsNames: [name],
  })
  return {rootPem, certPem, keyPem: leaf.privateKey.export({type: 'pkcs8', format: 'pem'}) as string}
}

const pemYaml = (pem: string, indent: string): string[] =>
  pem
    .trim()
    .split('\n')
    .map((l, i) => (i === 0 ? `|\n${indent}${l}` : `${indent}${l}`))

d('one trust rule for wolfSSL and libcurl; the device proxy', () => {
  let root: string
  let backend: DeviceRestBackend
  let rest: http.Server
  let restPort = 0
  let cid = ''
  let trusted: ReturnType<typeof pki>
  const servers: https.Server[] = []
  let proxy: http.Server
  let proxyPort = 0
  const tunnels: string[] = []

  const dev = () => backend.device
  const log = (): string => dev().appLog(cid)
  /** Start the app, wait for it to finish, and return what this run logged. */
  const runApp = async (): Promise<string> => {
    const before = log().length
    dev().startApp(cid)
    const done = (): boolean => log().slice(before).includes('tls trust done')
    for (let i = 0; i < 600 && !done(); i++) {
      await dev().kernel.runUntil(done, 50 * NS_PER_MS)
      if (!done()) await new Promise((r) => setTimeout(r, 5))
    }
    expect(done()).toBe(true)
    return log().slice(before)
  }
  const world = (standsFor: string): void =>
    applyWorldFile(
      dev(),
      [
        'hosts:',
        `  good.test: ${GOOD_IP}`,
        `  bad.test: ${BAD_IP}`,
        '  proxy.test: 127.0.0.1',
        'tlsRoots:',
        `  - root: ${pemYaml(trusted.rootPem, '      ').join('\n')}`,
        `    standsFor: [${standsFor}]`,
      ].join('\n'),
    )

  beforeAll(async () => {
    root = tempDir('sphere-tls-trust-')
    const home = join(root, 'home')
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    trusted = pki('sphere-sdk trust test root', 'good.test')
    const other = pki('sphere-sdk untrusted root', 'bad.test')
    for (const [p, ip, body] of [
      [trusted, GOOD_IP, 'good page\n'],
      [other, BAD_IP, 'bad page\n'],
    ] as const) {
      const s = https.createServer({key: p.keyPem, cert: p.certPem}, (_q, r) => r.end(body))
      s.on('tlsClientError', () => undefined)
      await new Promise<void>((ok) => s.listen(443, ip, ok))
      servers.push(s)
    }
    // a real HTTP proxy: CONNECT tunnels to the device-visible address the name has in this test
    proxy = http.createServer((_q, r) => r.writeHead(405).end())
    proxy.on('connect', (q: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(q.url ?? '')
      const [host, port] = (q.url ?? '').split(':')
      const ip = host === 'good.test' ? GOOD_IP : host === 'bad.test' ? BAD_IP : '0.0.0.0'
      const up = net.connect(Number(port), ip, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        up.write(head)
        up.pipe(client)
        client.pipe(up)
      })
      up.on('error', () => client.destroy())
      client.on('error', () => up.destroy())
    })
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok))
    proxyPort = (proxy.address() as net.AddressInfo).port

    const project = join(root, 'app')
    cpSync(join(repoRoot, 'test', 'fixtures', 'tls-trust'), project, {recursive: true})
    mkdirSync(join(project, 'certs'))
    writeFileSync(
      join(project, 'certs', 'ca.pem'),
      readFileSync(
        join(repoRoot, 'test/fixtures/samples/Samples/WolfSSL/WolfSSL_HighLevelApp/certs/DigiCertGlobalRootG3.crt.pem'),
      ),
    )
    const built = await buildApp({dir: project, env, sphereHome: home})
    backend = await DeviceRestBackend.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    rest = http.createServer(createRestServer(backend, {stateDir: join(root, 'state')}))
    await new Promise<void>((ok) => rest.listen(0, '127.0.0.1', ok))
    restPort = (rest.address() as net.AddressInfo).port
    world(`${G3}`)
    cid = (await dev().installPackage(readFileSync(built.apps[0]!.imagePackage), {start: false})).componentId
  }, 240_000)
  afterAll(async () => {
    await backend?.shutdown()
    rest?.close()
    for (const s of servers) s.close()
    proxy?.closeAllConnections()
    proxy?.close()
    removeDir(root)
  })

  test('the same CA file: both libraries trust the stand-in\'s server and refuse the other, with their own codes', async () => {
    const text = await runApp()
    expect(text).toContain(`proxy get rc=-1 errno=${Errno.ENOENT}`)
    expect(text).toContain("curl good.test rc=0 'No error' http=200 bytes=10 setproxy=0")
    expect(text).toContain("wolfssl good.test load=1 rc=1 err=0 status='HTTP/1.1 200 OK'")
    expect(text).toContain("curl bad.test rc=60 'SSL peer certificate or SSH remote key was not OK' http=0 bytes=0")
    expect(text).toMatch(/wolfssl bad\.test load=1 rc=-?\d+ err=-188 status=''/)
  }, 60_000)

  test('a stand-in for another CA: both libraries refuse both servers', async () => {
    world('Some Other Root CA')
    try {
      const text = await runApp()
      for (const host of ['good.test', 'bad.test']) {
        expect(text).toContain(`curl ${host} rc=60 'SSL peer certificate or SSH remote key was not OK' http=0`)
        expect(text).toMatch(new RegExp(`wolfssl ${host.replace('.', '\\.')} load=1 rc=-?\\d+ err=-188 status=''`))
      }
    } finally {
      world(`${G3}`)
    }
  }, 60_000)

  test('a proxy applied through the REST API: Networking_Proxy_Get reports it and libcurl goes through it', async () => {
    const body = {enabled: true, address: 'proxy.test', port: proxyPort, noProxyAddresses: ['bad.test'], authenticationType: 'anonymous'}
    const res = await fetch(`http://127.0.0.1:${restPort}/net/proxy`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject(body)
    const text = await runApp()
    expect(text).toContain(`proxy get rc=0 enabled=1 address=proxy.test port=${proxyPort} noproxy='bad.test'`)
    expect(text).toContain("curl good.test rc=0 'No error' http=200 bytes=10 setproxy=0")
    // good.test went through the proxy; bad.test is in noProxyAddresses and went direct (and is refused)
    expect(tunnels).toEqual(['good.test:443'])
    expect(text).toContain("curl bad.test rc=60 'SSL peer certificate or SSH remote key was not OK'")
    const audit = dev()
      .auditLog({componentId: cid})
      .filter((r) => r.operation === 'net.connect' && r.object.startsWith('host=proxy.test'))
    expect(audit.map((r) => [r.object, r.allowed])).toEqual([[`host=proxy.test port=${proxyPort}`, true]])
    // the status the REST API serves follows the same store
    const st = (await (await fetch(`http://127.0.0.1:${restPort}/net/status`)).json()) as {proxy: string}
    expect(st.proxy).toBe('enabled')
  }, 60_000)

  test('deleting it through the REST API: Networking_Proxy_Get says ENOENT and libcurl goes direct', async () => {
    const res = await fetch(`http://127.0.0.1:${restPort}/net/proxy`, {method: 'DELETE'})
    expect(res.status).toBe(200)
    const n = tunnels.length
    const text = await runApp()
    expect(text).toContain(`proxy get rc=-1 errno=${Errno.ENOENT}`)
    expect(text).toContain("curl good.test rc=0 'No error' http=200 bytes=10 setproxy=0")
    expect(tunnels).toHaveLength(n)
  }, 60_000)
})
