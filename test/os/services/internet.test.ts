/**
 * The local internet (src/os/services/internet.ts): the world file's `internet` key refuses bad input with one
 * line naming the thing, sites get their own loopback address in the host map, the servers answer pages, files
 * of a root directory (never outside it) and httpstat-style statuses, and the test CA stands in only for the CA
 * certificates the world file lists.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {X509Certificate} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {join} from 'node:path'
import {verifyRoots} from '../../../src/os/runtime/trust.js'
import {LocalInternet} from '../../../src/os/services/internet.js'
import {NetworkStack} from '../../../src/os/services/network.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {World} from '../../../src/os/hw/world.js'
import {repoRoot} from '../../sdk/helpers.js'
import {tempDir} from '../helpers.js'

const digicertG3 = readFileSync(
  join(repoRoot, 'test/fixtures/samples/Samples/HTTPS/HTTPS_Curl_Easy/certs/DigiCertGlobalRootG3.crt.pem'),
  'utf8',
)

describe('the local internet', () => {
  let t: ReturnType<typeof tempDir>
  let net: NetworkStack
  let inet: LocalInternet

  const get = (name: string, path: string): Promise<{status: number; body: string}> => {
    const ip = inet.resolve(name)!
    const to = inet.endpoint(ip, 443)!
    return new Promise((ok, fail) => {
      https
        .get({host: to.host, port: to.port, path, servername: name, ca: inet.caPem(), agent: false}, (res) => {
          let body = ''
          res.on('data', (b: Buffer) => (body += b.toString()))
          res.on('end', () => ok({status: res.statusCode ?? 0, body}))
        })
        .on('error', fail)
    })
  }

  beforeAll(async () => {
    t = tempDir('sphere-internet-')
    mkdirSync(join(t.dir, 'www'))
    writeFileSync(join(t.dir, 'www', 'index.html'), 'root index')
    writeFileSync(join(t.dir, 'secret.txt'), 'outside the root')
    net = new NetworkStack('seed', () => 0)
    inet = new LocalInternet(join(t.dir, 'state'), net)
    inet.configure(
      {
        caStandsFor: ['DigiCert Global Root G3'],
        sites: {
          'Example.COM': {pages: {'/hi': {body: 'hi', type: 'text/plain'}}, root: 'www'},
          'httpstat.us': {httpstat: true},
          'api.test': {address: '127.0.0.42', pages: {'/': {body: '{}'}}},
        },
      },
      t.dir,
    )
    await inet.ready()
  })
  afterAll(() => {
    inet?.shutdown()
    t?.cleanup()
  })

  test('each site has its own loopback address in the device host map, and HTTPS with a certificate for its name', async () => {
    expect(net.resolve('example.com')).toBe('127.0.0.10')
    expect(net.resolve('httpstat.us')).toBe('127.0.0.11')
    expect(net.resolve('api.test')).toBe('127.0.0.42')
    expect(inet.endpoint('127.0.0.10', 8443)).toBeUndefined()
    expect(await get('example.com', '/hi')).toEqual({status: 200, body: 'hi'})
    expect(await get('example.com', '/')).toEqual({status: 200, body: 'root index'})
    expect((await get('example.com', '/../secret.txt')).status).toBe(404)
    expect((await get('example.com', '/%2e%2e/secret.txt')).status).toBe(404)
    expect(await get('httpstat.us', '/418')).toEqual({status: 418, body: "418 I'm a Teapot"})
  })

  test('the test CA stands in only for the CA certificates the world file names', () => {
    const ca = inet.caPem()
    expect(new X509Certificate(ca).ca).toBe(true)
    expect(verifyRoots([digicertG3], inet)).toEqual([digicertG3, ca])
    const other = readFileSync(
      join(repoRoot, 'test/fixtures/samples/Samples/HTTPS/HTTPS_Curl_Multi/certs/DigiCertGlobalRootCA.pem'),
      'utf8',
    )
    expect(verifyRoots([other], inet)).toEqual([other])
    expect(verifyRoots([], inet)).toEqual([])
    // a CA file holding the test CA itself trusts it directly (once)
    expect(verifyRoots([ca], inet)).toEqual([ca])
    // the world's tlsRoots join the same store: a plain entry stands in for any CA, a named one for its names
    net.setTlsRoots([other, {pem: ca, standsFor: ['Nobody Root']}])
    try {
      expect(verifyRoots([digicertG3], inet)).toEqual([digicertG3, other, ca])
      expect(verifyRoots([], inet)).toEqual([])
      net.setTlsRoots([{pem: other, standsFor: ['Nobody Root']}])
      expect(verifyRoots([digicertG3], inet)).toEqual([digicertG3, ca])
    } finally {
      net.setTlsRoots([])
    }
  })

  test('bad internet values are refused with one line naming the problem', () => {
    const world = new World()
    const dev = {world, internet: inet}
    const bad = (doc: string): string => {
      try {
        applyWorldFile(dev, doc, {baseDir: t.dir})
      } catch (e) {
        return (e as Error).message
      }
      return 'accepted'
    }
    expect(bad('internet: 3')).toBe('internet must be a mapping')
    expect(bad('internet: {mirrors: {}}')).toBe('internet.mirrors: unknown (use caStandsFor, sites)')
    expect(bad('internet: {caStandsFor: DigiCert}')).toBe('internet.caStandsFor must be a list of CA certificate common names')
    expect(bad('internet: {sites: {"bad_name!": {}}}')).toBe('internet.sites.bad_name!: not a host name')
    expect(bad('internet: {sites: {"10.0.0.1": {}}}')).toBe('internet.sites.10.0.0.1: not a host name')
    expect(bad('internet: {sites: {a.test: {address: 10.1.2.3}}}')).toBe('internet.sites.a.test.address must be a 127.x.y.z address')
    expect(bad('internet: {sites: {a.test: {pagez: {}}}}')).toBe('internet.sites.a.test.pagez: unknown (use pages, root, httpstat, clientAuth, address)')
    expect(bad('internet: {sites: {a.test: {pages: {nope: {}}}}}')).toBe('internet.sites.a.test.pages: nope must start with /')
    expect(bad('{}')).toBe('accepted')
    expect(() => applyWorldFile({world}, 'internet: {sites: {}}')).toThrow('internet: this device has no local internet')
  })
})
