/**
 * Issue 14 acceptance (wolfSSL): the unmodified WolfSSL_HighLevelApp sample from Azure/azure-sphere-samples
 * (test/fixtures/samples/Samples/WolfSSL/WolfSSL_HighLevelApp, MIT, with its LICENSE.txt), built by the C SDK
 * against the OS's wolfSSL (<wolfssl/ssl.h>, linked as `wolfssl`), completes its TLS 1.3 exchange with a real
 * Node tls server of this test: gethostbyname("example.com") goes through the device's resolver (the world
 * file's `hosts`), the app's non-blocking socket connects to it under the LSM, and the handshake runs on the
 * host side over that socket, verified against the CA file the app loads from its image package plus the
 * world's test root (`tlsRoots`), with the name check and SNI the app asks for. The page arrives 16 bytes at a
 * time in the app log. Without the test root the same app fails the handshake with wolfSSL's ASN_NO_SIGNER_E;
 * with example.com out of the hosts map gethostbyname fails. The same app also downloads the local internet's
 * example.com (the world the samples survey applies): device port 443 of the site's address maps to its server.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import {readFileSync} from 'node:fs'
import tls from 'node:tls'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device, NS_PER_MS} from '../../../src/os/index.js'
import {buildCertificate} from '../../../src/os/services/tls.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, repoRoot, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip

/** A loopback address of its own, so port 443 (the sample's) is free for this test's server. */
const SERVER_IP = '127.0.88.14'
const BODY = '<html><body>Hello from the local example.com over TLS 1.3</body></html>\n'

function testPki(): {caPem: string; keyPem: string; certPem: string} {
  const ca = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  const leaf = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
  const now = Date.now()
  const caName = {CN: 'sphere-sdk test root CA'}
  const caPem = buildCertificate({
    subject: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    ca: true,
  })
  const certPem = buildCertificate({
    subject: {CN: 'example.com'},
    issuer: caName,
    publicKey: leaf.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    dnsNames: ['example.com'],
  })
  return {caPem, certPem, keyPem: leaf.privateKey.export({type: 'pkcs8', format: 'pem'}) as string}
}

d('WolfSSL_HighLevelApp sample on the simulator', () => {
  let root: string
  let home: string
  let built: BuildResult
  let dev: Device
  let cid: string
  let server: tls.Server
  let pki: ReturnType<typeof testPki>
  const seen: {sni?: string; protocol?: string | null; request: string}[] = []

  const runUntil = async (done: () => boolean, slices = 400): Promise<boolean> => {
    for (let i = 0; i < slices && !done(); i++) {
      await dev.kernel.runUntil(done, 100 * NS_PER_MS)
      if (!done()) await new Promise((r) => setTimeout(r, 2))
    }
    return done()
  }
  const log = (): string => dev.appLog(cid)
  const world = (lines: string[]): void => applyWorldFile(dev, lines.join('\n'))

  beforeAll(async () => {
    root = tempDir('sphere-wolfssl-')
    home = join(root, 'home')
    copySamples(root)
    pki = testPki()
    server = tls.createServer({key: pki.keyPem, cert: pki.certPem, minVersion: 'TLSv1.2'}, (s) => {
      const rec = {sni: (s as tls.TLSSocket & {servername?: string}).servername, protocol: s.getProtocol(), request: ''}
      seen.push(rec)
      s.on('data', (b) => {
        rec.request += b.toString()
        if (rec.request.includes('\r\n\r\n'))
          s.end(
            `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`,
          )
      })
      s.on('error', () => undefined)
    })
    server.on('tlsClientError', () => undefined)
    await new Promise<void>((r) => server.listen(443, SERVER_IP, r))
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    built = await buildApp({dir: join(root, 'Samples/WolfSSL/WolfSSL_HighLevelApp'), env, sphereHome: home})
    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'fast-forward', trust: loadTrustStore(home)})
    world([
      'hosts:',
      `  example.com: ${SERVER_IP}`,
      'tlsRoots:',
      ...pki.caPem
        .trim()
        .split('\n')
        .map((l, i) => (i === 0 ? `  - |\n    ${l}` : `    ${l}`)),
    ])
    const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
    cid = st.componentId
  }, 240_000)
  afterAll(async () => {
    await dev?.shutdown()
    server?.close()
    removeDir(root)
  })

  test('it completes the TLS 1.3 exchange with the local example.com and logs the whole page', async () => {
    expect(await runUntil(() => log().includes('Exiting with code'))).toBe(true)
    const text = log()
    expect(text).toContain('Use a socket with wolfSSL to download page over HTTPS.')
    expect(text).toContain('Connecting to example.com.')
    expect(text).toContain(BODY)
    expect(text).toContain('HTTP/1.1 200 OK')
    const total =
      `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`
        .length
    expect(text).toContain(`Downloaded content (${total} bytes).`)
    expect(text).toContain('Exiting with code 0.')
    expect(seen).toHaveLength(1)
    expect(seen[0]).toEqual({
      sni: 'example.com',
      protocol: 'TLSv1.3',
      request: 'GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nAccept: */*\r\n\r\n',
    })
    expect(dev.appStatus(cid)).toMatchObject({exitCode: 0})
  })

  test('the connection and the CA file were LSM decisions: example.com by its address, the CA file in the package', () => {
    const audit = dev.auditLog({componentId: cid})
    expect(audit.filter((r) => r.operation === 'dns.query').map((r) => [r.object, r.allowed])).toEqual([
      ['name=example.com', true],
    ])
    expect(audit.filter((r) => r.operation === 'net.connect').map((r) => [r.object, r.allowed, r.reason])).toEqual([
      [`host=${SERVER_IP} port=443`, true, `${SERVER_IP} is example.com in Capabilities.AllowedConnections`],
    ])
    expect(audit.filter((r) => r.operation === 'storage.package-file').map((r) => [r.object, r.allowed])).toEqual([
      ['path=certs/DigiCertGlobalRootG3.crt.pem', true],
    ])
  })

  test('without the test root the handshake fails as wolfSSL reports it (ASN_NO_SIGNER_E)', async () => {
    world(['tlsRoots: []'])
    const before = log().length
    dev.startApp(cid)
    expect(await runUntil(() => log().slice(before).includes('Exiting with code'))).toBe(true)
    const text = log().slice(before)
    expect(text).toContain('ERROR: wolfSSL_connect -188')
    expect(text).toContain('Exiting with code 17.')
    expect(text).not.toContain('HTTP/1.1 200 OK')
  })

  test("the same app against the local internet (test/fixtures/internet/world.yaml): its own socket reaches example.com's HTTPS server, trusted through caStandsFor", async () => {
    const worldDir = join(repoRoot, 'test', 'fixtures', 'internet')
    applyWorldFile(dev, readFileSync(join(worldDir, 'world.yaml'), 'utf8'), {baseDir: worldDir})
    await dev.internet.ready()
    const site = dev.internet.list().find((x) => x.name === 'example.com')!
    expect(site.httpsPort).not.toBe(443)
    const page = readFileSync(join(worldDir, 'example.com.html'), 'utf8')
    const connects = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect').length
    const served = seen.length
    const before = log().length
    dev.startApp(cid)
    expect(await runUntil(() => log().slice(before).includes('Exiting with code'))).toBe(true)
    const text = log().slice(before)
    expect(text).toContain('HTTP/1.1 200 OK')
    expect(text).toContain(page)
    expect(text).toMatch(/Downloaded content \(\d+ bytes\)\./)
    expect(text).toContain('Exiting with code 0.')
    expect(seen).toHaveLength(served) // not this test's own server
    expect(
      dev
        .auditLog({componentId: cid})
        .filter((r) => r.operation === 'net.connect')
        .slice(connects)
        .map((r) => [r.object, r.allowed]),
    ).toEqual([[`host=${site.address} port=443`, true]])
  })

  test('with example.com out of the hosts map, gethostbyname fails and nothing connects', async () => {
    await dev.stopApp(cid)
    dev.network.removeHost('example.com')
    const connects = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect').length
    const before = log().length
    dev.startApp(cid)
    expect(await runUntil(() => log().slice(before).includes('Exiting with code'))).toBe(true)
    expect(log().slice(before)).toContain('Exiting with code 3.')
    expect(dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect')).toHaveLength(connects)
  })
})
