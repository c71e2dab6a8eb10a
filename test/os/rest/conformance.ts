/**
 * The device REST API conformance suite (device-rest-api reference §1-§10), driven through a plain HTTPS
 * client: the simulator's CA pinned, `Host: *.devices.sphere.azure.local`, a new connection per request.
 * `defineConformance` registers it for one backend factory (in-memory double or the real Device).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import tls from 'node:tls'
import {
  buildCertificate,
  createRestServer,
  listenHttps,
  serverTls,
  type RestBackend,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import type {AnyRoute} from '../../../src/protocol/api/index.js'
import {REST_ERRORS} from '../../../src/protocol/rest-api.js'
import {APP2_CID, APP_CID, request, sleep, tempDir, until, type Reply, type Target} from './helpers.js'

export interface ConformanceEnv {
  backend: RestBackend
  /** Signed packages the backend's trust store accepts. */
  app: Uint8Array
  app2: Uint8Array
  /** A package signed with a key the device does not trust. */
  untrusted: Uint8Array
  /** MutableStorage SizeKB of `app`. */
  appLimitKB: number
  stateDir: string
  close(): Promise<void>
}

const ERR = (r: Reply) => r.json() as {error: number}

function expectError(r: Reply, status: number, code: number): void {
  expect({status: r.status, body: r.json()}).toEqual({status, body: {error: code}})
  expect(r.headers['content-type']).toBe('application/json')
}

function expectOkEmpty(r: Reply): void {
  expect(r.status).toBe(200)
  const text = r.body.toString('utf8')
  expect(text === '' || JSON.stringify(JSON.parse(text)) === '{}').toBe(true)
}

function expectJson(r: Reply, status = 200): unknown {
  expect(r.status).toBe(status)
  expect(r.headers['content-type']).toBe('application/json')
  return r.json()
}

function testCert(opts: {
  cn: string
  o?: string
  issuer?: {cn: string; o?: string}
  notBefore: Date
  notAfter: Date
}): string {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return buildCertificate({
    subject: opts.o ? {O: opts.o, CN: opts.cn} : {CN: opts.cn},
    issuer: opts.issuer ? (opts.issuer.o ? {O: opts.issuer.o, CN: opts.issuer.cn} : {CN: opts.issuer.cn}) : undefined,
    publicKey,
    signingKey: privateKey,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    ca: !opts.issuer,
  })
}

export function defineConformance(label: string, make: () => Promise<ConformanceEnv>): void {
  describe(`device REST API conformance over HTTPS: ${label}`, () => {
    let env: ConformanceEnv
    let handler: RestHandler
    let listener: RestListener
    let t: Target
    const answered: {spec: AnyRoute; code: number}[] = []
    const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      request(t, method, path, body, headers)

    beforeAll(async () => {
      env = await make()
      handler = createRestServer(env.backend, {
        stateDir: env.stateDir,
        heartbeatMs: 1000,
        onRouteError: (spec, e) => answered.push({spec, code: e.code}),
      })
      const material = serverTls(env.stateDir, '127.0.0.1')
      listener = await listenHttps(handler, '127.0.0.1', 0, material)
      t = {kind: 'https', port: listener.port, ca: material.ca}
    })
    afterAll(async () => {
      // every device error the suite provoked is one its route spec declares (or a generic one)
      const generic: number[] = [REST_ERRORS.invalidUri.code, REST_ERRORS.busy.code]
      const undeclared = answered
        .filter(({spec, code}) => !generic.includes(code) && !spec.errors.some((n) => REST_ERRORS[n].code === code))
        .map(({spec, code}) => `${spec.name}: ${code}`)
      expect(answered.length).toBeGreaterThan(10)
      expect([...new Set(undeclared)]).toEqual([])
      handler?.controller.close()
      await listener?.close()
      await env?.close()
    })

    test('TLS: no SNI needed, the pinned CA verifies, the leaf names *.devices.sphere.azure.local', async () => {
      // IP literal, no servername (clients send no SNI for an IP)
      const sock = tls.connect({
        host: '127.0.0.1',
        port: t.kind === 'https' ? t.port : 0,
        ca: (t as {ca: string}).ca,
        checkServerIdentity: () => undefined,
      })
      await new Promise<void>((resolve, reject) => {
        sock.once('secureConnect', resolve)
        sock.once('error', reject)
      })
      expect(sock.authorized).toBe(true)
      const peer = sock.getPeerCertificate()
      expect(peer.subjectaltname).toContain('DNS:*.devices.sphere.azure.local')
      expect(peer.subjectaltname).toContain('IP Address:127.0.0.1')
      sock.destroy()
      // a client holding another CA fails chain verification
      const other = tempDir()
      try {
        await expect(
          request({kind: 'https', port: listener.port, ca: serverTls(other.dir, '127.0.0.1').ca}, 'GET', '/status'),
        ).rejects.toThrow()
      } finally {
        other.cleanup()
      }
    })

    test('§5 status: uptime, REST-API-Version 4.4.0, strictly increasing', async () => {
      const r = await req('GET', '/status')
      const body = expectJson(r) as {uptime: number}
      expect(typeof body.uptime).toBe('number')
      expect(r.headers['rest-api-version']).toBe('4.4.0')
      await sleep(1050)
      const r2 = (await req('GET', '/status')).json() as {uptime: number}
      expect(r2.uptime).toBeGreaterThan(body.uptime)
    })

    test('§5 device: security state, capabilities, manufacturing state, log, memory, osversion', async () => {
      const sec = expectJson(await req('GET', '/device/security_state')) as Record<string, unknown>
      expect(typeof sec.deviceIdentifier).toBe('string')
      expect(expectJson(await req('GET', '/device/capabilities'))).toEqual({device_capabilities: [11]})
      expect(expectJson(await req('GET', '/device/manufacturing_state'))).toEqual({manufacturingState: 'Blank'})
      const log = await req('GET', '/log')
      expect(log.status).toBe(200)
      expect(log.headers['content-type']).toBe('application/octet-stream')
      expect(log.body.length).toBeGreaterThan(0)
      const mem = expectJson(await req('GET', '/stats/memory/groups/applications')) as {
        memoryStats: Record<string, unknown>
      }
      expect(Object.keys(mem)).toEqual(['memoryStats'])
      expect(Object.keys(mem.memoryStats).sort()).toEqual([
        'currentMemoryUsageInBytes',
        'peakUserModeMemoryUsageInBytes',
        'userModeMemoryUsageInBytes',
      ])
      for (const v of Object.values(mem.memoryStats)) expect(Number.isInteger(v)).toBe(true)
      expect(expectJson(await req('GET', '/osversion'))).toEqual({osversion: expect.any(String)})
    })

    test('§5 telemetry: octet-stream exactly, >= 5 bytes, length at bytes 3-4; DELETE clears at once', async () => {
      const g = await req('GET', '/telemetry')
      expect(g.status).toBe(200)
      expect(g.headers['content-type']).toBe('application/octet-stream')
      expect(g.body.length).toBeGreaterThanOrEqual(5)
      expect(g.body.length).toBe(5 + g.body.readUInt16BE(3))
      expectOkEmpty(await req('DELETE', '/telemetry'))
      const g2 = await req('GET', '/telemetry')
      expect(g2.headers['content-type']).toBe('application/octet-stream')
      expect(g2.body.length).toBe(5)
      expect(g2.body.readUInt16BE(3)).toBe(0)
    })

    test('§6 apps: notPresent, stage (not installed), install Auto, quota, stop/start/debug, delete', async () => {
      expect(expectJson(await req('GET', `/app/status/${APP_CID}`))).toEqual({state: 'notPresent'})
      expectError(await req('GET', `/app/quota/${APP_CID}`), 404, 14680076)
      expectError(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'start'}), 409, 14680076)
      expectOkEmpty(await req('POST', '/update/install', {appControlMode: 'Auto'})) // nothing staged: not an error

      expect(expectJson(await req('PUT', '/update/stage', env.app))).toEqual({})
      expect(expectJson(await req('GET', `/app/status/${APP_CID}`))).toEqual({state: 'notPresent'})
      const imgs0 = expectJson(await req('GET', '/images')) as {
        has_staged_updates: boolean
        components: {uid: string}[]
      }
      expect(imgs0.has_staged_updates).toBe(true)
      expect(imgs0.components.map((c) => c.uid)).not.toContain(APP_CID)

      expect(expectJson(await req('POST', '/update/install', {appControlMode: 'Auto'}))).toEqual({})
      expect(expectJson(await req('GET', `/app/status/${APP_CID}`))).toEqual({state: 'running'})
      const imgs = expectJson(await req('GET', '/images')) as {
        is_ota_update_in_progress: boolean
        has_staged_updates: boolean
        restart_required: boolean
        components: {uid: string; image_type: number; name: string; images: {uid: string; length_in_bytes: number}[]}[]
      }
      expect(imgs.has_staged_updates).toBe(false)
      expect(typeof imgs.is_ota_update_in_progress).toBe('boolean')
      expect(typeof imgs.restart_required).toBe('boolean')
      const comp = imgs.components.find((c) => c.uid === APP_CID)!
      expect(comp).toMatchObject({image_type: 10, name: 'RestApp'})
      expect(comp.images[0]).toEqual({
        uid: expect.any(String),
        length_in_bytes: expect.any(Number),
        uncompressed_length_in_bytes: expect.any(Number),
        replica_type: expect.any(Number),
      })

      expect(expectJson(await req('GET', `/app/quota/${APP_CID}`))).toEqual({UsageKB: 0, LimitKB: env.appLimitKB})
      expect(expectJson(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'stop'}))).toEqual({state: 'stopped'})
      expect(expectJson(await req('GET', `/app/status/${APP_CID}`))).toEqual({state: 'stopped'})
      expect(expectJson(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'start'}))).toEqual({state: 'running'})
      expect(expectJson(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'start'}))).toEqual({state: 'running'})
      const dbg = expectJson(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'startDebug'})) as Record<
        string,
        unknown
      >
      expect(dbg).toEqual({state: 'debugging', gdbPort: expect.any(Number), outPort: expect.any(Number)})
      expect((expectJson(await req('GET', `/app/status/${APP_CID}`)) as {state: string}).state).toBe('debugging')
      expect(expectJson(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'start'}))).toEqual({state: 'running'})
      expectError(await req('PATCH', `/app/status/${APP_CID}`, {trigger: 'explode'}), 400, 15728642)

      // Manual install of a second app: stopped
      expectOkEmpty(await req('PUT', '/update/stage', env.app2))
      expectOkEmpty(await req('POST', '/update/install', {appControlMode: 'Manual'}))
      expect(expectJson(await req('GET', `/app/status/${APP2_CID}`))).toEqual({state: 'stopped'})
      expect(expectJson(await req('GET', `/app/quota/${APP2_CID}`))).toEqual({UsageKB: 0, LimitKB: 0})

      // every type-10 component is deletable
      const before = ((await req('GET', '/images')).json() as {components: {image_type: number}[]}).components.filter(
        (c) => c.image_type === 10,
      ).length
      expectOkEmpty(await req('DELETE', `/app/image/${APP2_CID}`))
      const after = (
        (await req('GET', '/images')).json() as {components: {image_type: number; uid: string}[]}
      ).components.filter((c) => c.image_type === 10)
      expect(after.length).toBe(before - 1)
      expect(after.map((c) => c.uid)).not.toContain(APP2_CID)
      expect(expectJson(await req('GET', `/app/status/${APP2_CID}`))).toEqual({state: 'notPresent'})
      expectError(await req('GET', `/app/quota/${APP2_CID}`), 404, 14680076)
      expectOkEmpty(await req('DELETE', `/app/image/${APP2_CID}`)) // not installed: still 200
    })

    test('§6 sideload: bad packages are refused and nothing is staged; oversize, wrong type, interrupted uploads', async () => {
      const staged = async () =>
        ((await req('GET', '/images')).json() as {has_staged_updates: boolean}).has_staged_updates
      const garbage = await req('PUT', '/update/stage', new Uint8Array(4096).fill(7))
      expect(garbage.status).toBe(400)
      expect(ERR(garbage).error).toBe(7340050)
      const untrusted = await req('PUT', '/update/stage', env.untrusted)
      expectError(untrusted, 403, 7340050)
      const corrupt = Buffer.from(env.app)
      corrupt[100] = corrupt[100]! ^ 0xff
      const c = await req('PUT', '/update/stage', corrupt)
      expect([400, 403]).toContain(c.status)
      expect(ERR(c).error).toBe(7340050)
      expectError(await req('PUT', '/update/stage', env.app, {'Content-Type': 'text/plain'}), 415, 7340050)
      expect(await staged()).toBe(false)

      // declared oversize: refused before the body is read
      const big = await rawHttps(
        t,
        `PUT /update/stage HTTP/1.1\r\nHost: *.devices.sphere.azure.local\r\nContent-Type: application/octet-stream\r\nContent-Length: ${9 * 1024 * 1024}\r\n\r\n` +
          'x'.repeat(1000),
      )
      expect(big).toMatch(/^HTTP\/1\.1 400 /)
      expect(big).toContain('{"error":14680082}')

      // interrupted upload: half the package, then the connection drops
      const half = Buffer.from(env.app).subarray(0, Math.floor(env.app.length / 2))
      await rawHttps(
        t,
        Buffer.concat([
          Buffer.from(
            `PUT /update/stage HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${env.app.length}\r\n\r\n`,
          ),
          half,
        ]),
        150,
      )
      await sleep(100)
      expect(await staged()).toBe(false)
      expectOkEmpty(await req('POST', '/update/install', {appControlMode: 'Auto'}))
      expect(expectJson(await req('GET', `/app/status/${APP2_CID}`))).toEqual({state: 'notPresent'})
    })

    test('§3 errors: unknown paths, wrong methods, malformed and oversize JSON are refused with table codes', async () => {
      expectError(await req('GET', '/no/such/thing'), 404, 15728642)
      expectError(await req('GET', '/'), 404, 15728642)
      expectError(await req('DELETE', '/status'), 404, 15728642)
      expectError(await req('POST', '/images'), 404, 15728642)
      expectError(await req('PATCH', `/app/status/${APP_CID}`, '{"trigger": '), 400, 15728642)
      expectError(await req('PATCH', `/app/status/${APP_CID}`, '[1,2]'), 400, 15728642)
      expectError(await req('POST', '/net/proxy', 'x'.repeat(70 * 1024)), 400, 15728642)
      expectError(await req('POST', '/net/proxy', '{}', {'Content-Type': 'text/plain'}), 415, 15728642)
      expectError(await req('GET', '/app/status/not-a-uuid'), 404, 15728642)
      // header-only garbage never stalls: the server answers or closes
      const raw = await rawHttps(t, 'GARBAGE\r\n\r\n')
      expect(raw === '' || /^HTTP\/1\.1 400/.test(raw)).toBe(true)
    })

    test('§7 certificate store: add/list/show/delete, exact shapes, AvailableSpace as a 5-digit string', async () => {
      expect(expectJson(await req('GET', '/certstore/certs'))).toEqual({identifiers: []})
      expect(expectJson(await req('GET', '/certstore/space'))).toEqual({AvailableSpace: '24514'})
      // expired certificate, several RDNs, issued by another CA: accepted as rootca
      const expired = testCert({
        cn: 'Old Root',
        o: 'Contoso',
        issuer: {cn: 'Other CA', o: 'Fabrikam'},
        notBefore: new Date(Date.UTC(2001, 2, 3, 4, 5, 6)),
        notAfter: new Date(Date.UTC(2002, 2, 3, 4, 5, 6)),
      })
      expectOkEmpty(
        await req('POST', '/certstore/certs/RootOne', {certType: 'rootca', publicCert: expired, privateKey: 'ignored'}),
      )
      const selfSigned = testCert({
        cn: 'Self',
        notBefore: new Date(Date.UTC(2030, 0, 1)),
        notAfter: new Date(Date.UTC(2060, 0, 1)),
      })
      const s1 = ((await req('GET', '/certstore/space')).json() as {AvailableSpace: string}).AvailableSpace
      expectOkEmpty(
        await req('POST', '/certstore/certs/Client_2', {
          certType: 'client',
          publicCert: selfSigned,
          privateKey: '-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n',
          password: 'pw',
        }),
      )
      const s2 = ((await req('GET', '/certstore/space')).json() as {AvailableSpace: string}).AvailableSpace
      for (const s of [s1, s2]) expect(s).toMatch(/^[0-9]{5}$/)
      expect(s1 < '24514').toBe(true)
      expect(s2 < s1).toBe(true)
      expect(expectJson(await req('GET', '/certstore/certs'))).toEqual({identifiers: ['RootOne', 'Client_2']})
      expect(expectJson(await req('GET', '/certstore/certs/RootOne'))).toEqual({
        id: 'RootOne',
        notBefore: '2001-03-03T04:05:06',
        notAfter: '2002-03-03T04:05:06',
        subjectName: '/O=Contoso/CN=Old Root',
        issuerName: '/O=Fabrikam/CN=Other CA',
      })
      const self = expectJson(await req('GET', '/certstore/certs/Client_2')) as {
        subjectName: string
        issuerName: string
        notBefore: string
        notAfter: string
      }
      expect(self.subjectName).toBe('/CN=Self')
      expect(self.issuerName).toBe(self.subjectName)
      expect(self.notAfter).toBe('2060-01-01T00:00:00')
      expectError(
        await req('POST', '/certstore/certs/Bad', {certType: 'server', publicCert: selfSigned}),
        400,
        38797324,
      )
      expectError(await req('GET', '/certstore/certs/Nope'), 404, 38797319)
      expectOkEmpty(await req('DELETE', '/certstore/certs/RootOne'))
      expectError(await req('DELETE', '/certstore/certs/RootOne'), 404, 38797319)
      expectError(await req('GET', '/certstore/certs/RootOne'), 404, 38797319)
      expect(((await req('GET', '/certstore/space')).json() as {AvailableSpace: string}).AvailableSpace > s2).toBe(true)
      expectOkEmpty(await req('DELETE', '/certstore/certs/Client_2'))
      expect(expectJson(await req('GET', '/certstore/space'))).toEqual({AvailableSpace: '24514'})
    })

    test('§8 network: interfaces, status, firewall, proxy echo', async () => {
      const ifs = expectJson(await req('GET', '/net/interfaces')) as {interfaces: {interfaceName: string}[]}
      expect(ifs.interfaces.map((i) => i.interfaceName)).toEqual(expect.arrayContaining(['wlan0', 'azspheresvc']))
      expect(expectJson(await req('GET', '/net/interfaces/azspheresvc'))).toEqual({
        interfaceName: 'azspheresvc',
        interfaceUp: true,
        connectedToNetwork: false,
        ipAcquired: false,
        connectedToInternet: false,
        ipAddresses: ['192.168.35.2'],
      })
      expect((expectJson(await req('GET', '/net/interfaces/wlan0')) as {interfaceUp: boolean}).interfaceUp).toBe(true)
      expectError(await req('GET', '/net/interfaces/InvalidInterface!'), 404, 15728642)
      expect(expectJson(await req('GET', '/net/status'))).toEqual({
        deviceAuthenticationIsReady: false,
        networkTimeSync: 'incomplete',
        proxy: 'disabled',
      })
      const fw = expectJson(await req('GET', '/net/firewall/rulesets')) as {
        rulesets: {hook: string; isValid: boolean; rules: unknown[]}[]
      }
      expect(fw.rulesets.length).toBeGreaterThan(0)
      for (const rs of fw.rulesets) {
        expect(typeof rs.hook).toBe('string')
        expect(typeof rs.isValid).toBe('boolean')
        expect(Array.isArray(rs.rules)).toBe(true)
      }
      expect(expectJson(await req('GET', '/net/proxy'))).toEqual({})
      const anon = {
        enabled: true,
        address: 'proxy.contoso.com',
        port: 8080,
        noProxyAddresses: ['10.0.0.1'],
        authenticationType: 'anonymous',
      }
      expect(expectJson(await req('POST', '/net/proxy', anon))).toEqual(anon)
      expect(expectJson(await req('GET', '/net/proxy'))).toEqual(anon)
      expect((expectJson(await req('GET', '/net/status')) as {proxy: string}).proxy).toBe('enabled')
      const basic = {...anon, authenticationType: 'basic', username: 'u', password: 'p4ss'}
      expect(expectJson(await req('POST', '/net/proxy', basic))).toEqual(basic)
      expect(expectJson(await req('GET', '/net/proxy'))).toEqual(basic)
      expectOkEmpty(await req('DELETE', '/net/proxy'))
      expect(expectJson(await req('GET', '/net/proxy'))).toEqual({})
      expectOkEmpty(await req('DELETE', '/net/proxy'))
      expect((expectJson(await req('GET', '/net/status')) as {proxy: string}).proxy).toBe('disabled')
      expectError(await req('POST', '/net/proxy', {enabled: true}), 400, 15728642)
    })

    test('§9 Wi-Fi: add/list/show/patch/delete, exact views, lowest free ID, PSK check order, wlan0 down', async () => {
      expect(expectJson(await req('GET', '/wifi/config/networks'))).toEqual({values: []})
      expect(
        expectJson(
          await req('POST', '/wifi/config/networks', {
            ssid: 'Home',
            securityState: 'psk',
            configState: 'enabled',
            psk: 'secret-psk',
          }),
        ),
      ).toEqual({
        id: 0,
        ssid: 'Home',
        configState: 'enabled',
        connectionState: 'unknown',
        securityState: 'psk',
        targetedScan: false,
      })
      expect(
        expectJson(
          await req('POST', '/wifi/config/networks', {
            ssid: 'Open',
            securityState: 'open',
            configState: 'disabled',
            configName: 'cfg1',
            targetScan: true,
          }),
        ),
      ).toEqual({
        id: 1,
        ssid: 'Open',
        configState: 'disabled',
        connectionState: 'unknown',
        securityState: 'open',
        targetedScan: true,
        configName: 'cfg1',
      })
      const eap = expectJson(
        await req('POST', '/wifi/config/networks', {
          ssid: 'Corp',
          securityState: 'eaptls',
          configState: 'enabled',
          clientCertStoreIdentifier: 'NoSuchCert',
          clientIdentity: 'me',
          rootCaCertStoreIdentifier: 'Root',
        }),
      )
      expect(eap).toEqual({
        id: 2,
        ssid: 'Corp',
        configState: 'enabled',
        connectionState: 'unknown',
        securityState: 'eaptls',
        targetedScan: false,
        clientCertStoreIdentifier: 'NoSuchCert',
      })
      const list = expectJson(await req('GET', '/wifi/config/networks')) as {
        values: {id: number; connectionState: string; psk?: string}[]
      }
      expect(list.values.map((v) => v.id)).toEqual([0, 1, 2])
      for (const v of list.values) {
        expect(v.connectionState).toBe('disconnected')
        expect(v).not.toHaveProperty('psk')
      }
      expect(expectJson(await req('GET', '/wifi/config/networks/0'))).toEqual({
        id: 0,
        ssid: 'Home',
        configState: 'enabled',
        connectionState: 'disconnected',
        securityState: 'psk',
        targetedScan: false,
      })
      expectError(await req('GET', '/wifi/config/networks/9'), 404, 13631491)
      expectError(await req('PATCH', '/wifi/config/networks/0', {psk: 'short'}), 400, 13631513)
      expectError(await req('PATCH', '/wifi/config/networks/9', {psk: 'short'}), 400, 13631513)
      expectError(
        await req('PATCH', '/wifi/config/networks/9', {configState: 'enabled', psk: '12345678'}),
        404,
        13631491,
      )
      expect(expectJson(await req('PATCH', '/wifi/config/networks/0', {configState: 'disabled'}))).toEqual({
        id: 0,
        ssid: 'Home',
        configState: 'disabled',
        connectionState: 'disconnected',
        securityState: 'psk',
        targetedScan: false,
      })
      expectOkEmpty(await req('DELETE', '/wifi/config/networks/0'))
      expectError(await req('DELETE', '/wifi/config/networks/0'), 404, 13631491)
      expectError(await req('GET', '/wifi/config/networks/0'), 404, 13631491)
      expect(
        (
          expectJson(
            await req('POST', '/wifi/config/networks', {ssid: 'Again', securityState: 'open', configState: 'enabled'}),
          ) as {id: number}
        ).id,
      ).toBe(0)

      const iface = expectJson(await req('GET', '/wifi/interface')) as Record<string, unknown>
      for (const k of ['type', 'required', 'properties', 'enum', 'items', 'pattern', 'format', 'minimum', '$ref'])
        expect(iface).not.toHaveProperty(k)
      expectOkEmpty(await req('PATCH', '/wifi/interface', {reloadConfig: true}))
      expectOkEmpty(await req('PATCH', '/wifi/interface', {reloadConfig: false}))
      const scan = expectJson(await req('GET', '/wifi/scan')) as {values: Record<string, unknown>[]}
      for (const v of scan.values)
        expect(Object.keys(v).sort()).toEqual(['bssid', 'freq', 'securityState', 'signal_level', 'ssid'])
      expect(expectJson(await req('GET', '/wifi/diagnostics/networks'))).toEqual({values: []})

      // wlan0 down: 500 / 13631506 on the listed endpoints, the network list survives the toggle
      expectOkEmpty(await req('PATCH', '/net/interfaces/wlan0', {interfaceUp: false}))
      expect((expectJson(await req('GET', '/net/interfaces/wlan0')) as {interfaceUp: boolean}).interfaceUp).toBe(false)
      expectError(await req('GET', '/wifi/scan'), 500, 13631506)
      expectError(await req('GET', '/wifi/config/networks'), 500, 13631506)
      expectError(await req('DELETE', '/wifi/config/networks/77'), 500, 13631506)
      expectError(await req('GET', '/wifi/diagnostics/networks'), 500, 13631506)
      expectOkEmpty(await req('PATCH', '/net/interfaces/wlan0', {interfaceUp: true}))
      expect(
        ((await req('GET', '/wifi/config/networks')).json() as {values: {id: number}[]}).values.map((v) => v.id),
      ).toEqual([0, 1, 2])
      expectError(await req('PATCH', '/net/interfaces/eth9', {interfaceUp: true}), 404, 15728642)
      for (const id of [0, 1, 2]) expectOkEmpty(await req('DELETE', `/wifi/config/networks/${id}`))
    })

    test('§6 sideload refused without appDevelopment / after DeviceComplete unless fieldServicing', async () => {
      // manufacturing state is irreversible: this test runs last on this device
      expectOkEmpty(await req('PUT', '/device/manufacturing_state', {manufacturingState: 'Module1Complete'}))
      expect(expectJson(await req('GET', '/device/manufacturing_state'))).toEqual({
        manufacturingState: 'Module1Complete',
      })
      expectError(await req('PUT', '/device/manufacturing_state', {manufacturingState: 'Blank'}), 400, 15728642)
      expectOkEmpty(await req('PUT', '/device/manufacturing_state', {manufacturingState: 'DeviceComplete'}))
      expect((await req('PUT', '/device/manufacturing_state', {manufacturingState: 'Module1Complete'})).status).toBe(
        409,
      )
      expectError(await req('PUT', '/update/stage', env.app2), 403, 7340050)
      expect(((await req('GET', '/images')).json() as {has_staged_updates: boolean}).has_staged_updates).toBe(false)
      // granting capabilities is a local operator action: refused over HTTPS (the network), done on the device
      expect((await req('POST', '/sphere/device/capabilities', {capabilities: ['fieldServicing']})).status).toBe(403)
      env.backend.grantCapabilities(['fieldServicing'])
      const g = expectJson(await req('GET', '/device/capabilities')) as {device_capabilities: number[]}
      expect(g.device_capabilities).toContain(13)
      expectOkEmpty(await req('PUT', '/update/stage', env.app2))
      expectOkEmpty(await req('POST', '/update/install', {appControlMode: 'Manual'}))
      expect(expectJson(await req('GET', `/app/status/${APP2_CID}`))).toEqual({state: 'stopped'})
    })

    test('§10 restart: full reply, connections refused (never a bad answer), back within seconds, uptime reset, apps survive', async () => {
      await until(async () => ((await req('GET', '/status')).json() as {uptime: number}).uptime >= 1, 3000, 100)
      const before = ((await req('GET', '/status')).json() as {uptime: number}).uptime
      const r = await req('POST', '/restart')
      expect(r.status).toBe(200)
      expect(r.body.toString()).toBe('{"restartingSystem":true}')
      const started = Date.now()
      let up: Reply | undefined
      const failures: string[] = []
      const bad: number[] = []
      while (Date.now() - started < 8000) {
        try {
          up = await req('GET', '/status')
          if (up.status !== 200) bad.push(up.status)
          else if ((up.json() as {uptime: number}).uptime < before) break
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message
          failures.push(code)
        }
        await sleep(50)
      }
      expect(bad).toEqual([])
      expect(up?.status).toBe(200)
      expect(Date.now() - started).toBeLessThan(5000)
      for (const f of failures) expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']).toContain(f)
      expect((up!.json() as {uptime: number}).uptime).toBeLessThan(before)
      expect(expectJson(await req('GET', `/app/status/${APP_CID}`))).toEqual({state: 'running'})
      expect(expectJson(await req('GET', `/app/status/${APP2_CID}`))).toEqual({state: 'stopped'})
    })
  })
}

/** Send raw bytes over a new TLS connection and collect whatever comes back until close (or `ms` idle). */
export function rawHttps(t: Target, data: string | Buffer, dropAfterMs?: number): Promise<string> {
  if (t.kind !== 'https') throw new Error('https only')
  return new Promise((resolve) => {
    const sock = tls.connect({host: '127.0.0.1', port: t.port, ca: t.ca, checkServerIdentity: () => undefined})
    let out = ''
    const timers: NodeJS.Timeout[] = []
    const done = () => {
      for (const x of timers) clearTimeout(x)
      sock.destroy()
      resolve(out)
    }
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')))
    sock.on('error', done)
    sock.on('close', done)
    sock.once('secureConnect', () => {
      sock.write(data)
      if (dropAfterMs !== undefined) timers.push(setTimeout(done, dropAfterMs))
    })
    timers.push(setTimeout(done, 5000))
  })
}
