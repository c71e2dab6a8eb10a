/**
 * The REST API refuses what arrives on a transport that should not allow it: granting device capabilities
 * without a signed file, issuing capability files, and changing the simulated world are accepted only on
 * the local Unix socket (mode 0600), never over the HTTPS listener or the serial link (HTTPS over SLIP/TCP).
 * It also refuses malformed and oversize requests on every transport.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import http from 'node:http'
import net from 'node:net'
import {connect as tlsConnect} from 'node:tls'
import {checkDeviceIdentity} from '../../src/device/device-identity.js'
import {join} from 'node:path'
import {attachTcp, SlipLink} from '../../src/protocol/link/slip-link.js'
import {bytePipe} from '../../src/protocol/testing/memory.js'
import {
  DeviceRestBackend,
  serialServer,
  createRestServer,
  listenHttps,
  listenUnix,
  serverTls,
  type RestHandler,
  type RestListener,
} from '../../src/os/rest/index.js'
import {CACHE_DIR, tempDir} from '../os/helpers.js'
import {request, type Reply, type Target} from '../os/rest/helpers.js'

type Transport = 'unix' | 'https' | 'serial'

let tmp: {dir: string; cleanup: () => void}
let backend: DeviceRestBackend
let handler: RestHandler
let unix: RestListener
let httpsL: RestListener
let ca: string
let serial: {close(): void; request(method: string, path: string, body?: unknown): Promise<Reply>}

/** A real SLIP + userspace TCP link in memory; the device end feeds the handler's connection server. */
function serialLink(h: RestHandler) {
  const serialCa = serverTls(join(tmp.dir, 'state'), '192.168.35.2').ca
  const {a, b} = bytePipe()
  const host = new SlipLink(a, {heartbeatMs: 0})
  const dev = new SlipLink(b, {heartbeatMs: 0})
  const client = attachTcp(host, {address: '192.168.35.1'})
  const server = attachTcp(dev, {address: '192.168.35.2'})
  const conns = serialServer(h, serverTls(join(tmp.dir, 'state'), '192.168.35.2'))
  server.listen(443, (s) => conns.emit('connection', s))
  return {
    close() {
      host.close()
      dev.close()
      a.destroy()
      b.destroy()
    },
    request(method: string, path: string, body?: unknown): Promise<Reply> {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            // HTTPS as a board's service UART serves it: TLS over the userspace TCP connection to 192.168.35.2:443
            createConnection: () =>
              tlsConnect({socket: client.connect('192.168.35.2', 443), host: '192.168.35.2', ca: serialCa, checkServerIdentity: checkDeviceIdentity}) as unknown as net.Socket,
            method,
            path,
            headers: payload ? {'Content-Type': 'application/json', 'Content-Length': String(payload.length)} : {},
          },
          (res) => {
            const parts: Buffer[] = []
            res.on('data', (d: Buffer) => parts.push(d))
            res.on('end', () => {
              const buf = Buffer.concat(parts)
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: buf,
                json: () => JSON.parse(buf.toString()),
              })
            })
          },
        )
        req.on('error', reject)
        req.end(payload)
      })
    },
  }
}

function on(t: Transport, method: string, path: string, body?: unknown): Promise<Reply> {
  if (t === 'serial') return serial.request(method, path, body)
  const target: Target =
    t === 'unix' ? {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')} : {kind: 'https', port: httpsL.port, ca}
  return request(target, method, path, body)
}

beforeAll(async () => {
  tmp = tempDir('sphere-sec-rest-')
  backend = await DeviceRestBackend.boot({stateDir: join(tmp.dir, 'state'), clock: 'fast-forward', cacheDir: CACHE_DIR})
  handler = createRestServer(backend, {stateDir: join(tmp.dir, 'state'), transport: 'unix', heartbeatMs: 500})
  unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
  const tls = serverTls(join(tmp.dir, 'state'), '127.0.0.1')
  ca = tls.ca
  httpsL = await listenHttps(handler, '127.0.0.1', 0, tls)
  serial = serialLink(handler)
})
afterAll(async () => {
  serial.close()
  handler.controller.close()
  await unix.close()
  await httpsL.close()
  await backend.shutdown()
  tmp.cleanup()
})

const caps = async (): Promise<number[]> =>
  ((await on('unix', 'GET', '/device/capabilities')).json() as {device_capabilities: number[]}).device_capabilities

describe('privileged /sphere/ extensions are local-socket only', () => {
  test.each(['https', 'serial'] as const)(
    'over %s: grant, capability-file issue and world changes are refused with 403',
    async (t) => {
      const before = await caps()
      const grant = await on(t, 'POST', '/sphere/device/capabilities', {
        capabilities: ['fieldServicing', 'appDevelopment'],
      })
      expect(grant.status).toBe(403)
      expect(grant.json()).toMatchObject({error: 15728642})
      expect(JSON.stringify(grant.json())).toContain(`not over ${t}`)
      expect(await caps()).toEqual(before)
      // issuing a signed capability file on request would be the same grant in two steps
      expect((await on(t, 'POST', '/sphere/capability/file', {capabilities: ['fieldServicing']})).status).toBe(403)
      expect((await on(t, 'PATCH', '/sphere/world', {set: {'buttons.A': true}})).status).toBe(403)
      expect((await on(t, 'POST', '/sphere/world/press', {button: 'A', holdMs: 1})).status).toBe(403)
      // recovery erases the device: a peer off the local socket cannot ask for it (the uptime keeps growing)
      const up = ((await on('unix', 'GET', '/status')).json() as {uptime: number}).uptime
      expect((await on(t, 'POST', '/sphere/recover')).status).toBe(403)
      expect(((await on('unix', 'GET', '/status')).json() as {uptime: number}).uptime).toBeGreaterThanOrEqual(up)
      expect(
        (
          (await on('unix', 'GET', '/sphere/world')).json() as {buttons: {name: string; pressed: boolean}[]}
        ).buttons.every((b) => !b.pressed),
      ).toBe(true)
      // everything the device REST API defines still works there
      expect((await on(t, 'GET', '/status')).status).toBe(200)
      expect((await on(t, 'GET', '/sphere/device')).status).toBe(200)
    },
  )

  test('on the Unix socket the same requests are accepted; dropping a capability works on any transport', async () => {
    const g = await on('unix', 'POST', '/sphere/device/capabilities', {capabilities: ['fieldServicing']})
    expect(g.status).toBe(200)
    expect(await caps()).toEqual([11, 13])
    expect((await on('unix', 'POST', '/sphere/capability/file', {capabilities: ['appDevelopment']})).status).toBe(200)
    expect((await on('unix', 'PATCH', '/sphere/world', {set: {'buttons.A': true}})).status).toBe(200)
    expect((await on('unix', 'PATCH', '/sphere/world', {set: {'buttons.A': false}})).status).toBe(200)
    const r = await on('serial', 'POST', '/sphere/device/capabilities', {revoke: ['fieldServicing']})
    expect(r.status).toBe(200)
    expect(await caps()).toEqual([11])
    // the grant attempts were refused before they reached the device: no capability file or grant in between
    expect(backend.capabilityNames()).toEqual(['appDevelopment'])
  })
})

/** Send raw bytes on a new connection and collect whatever comes back until the server closes it. */
function raw(t: 'unix', bytes: Buffer | string, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(join(tmp.dir, 'api.sock'))
    const parts: Buffer[] = []
    const timer = setTimeout(() => s.destroy(), waitMs)
    s.on('data', (d: Buffer) => parts.push(d))
    s.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(parts).toString('latin1'))
    })
    s.on('error', () => undefined)
    s.end(bytes)
    void t
  })
}

describe('malformed and oversize requests are refused', () => {
  test('JSON bodies: not JSON, not an object, over 64 KiB, wrong content type', async () => {
    expect((await on('unix', 'PUT', '/device/manufacturing_state', '{"manufacturingState":')).status).toBe(400)
    const notJson = await request(
      {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')},
      'PUT',
      '/device/manufacturing_state',
      'not json',
    )
    expect(notJson.status).toBe(400)
    expect((await on('unix', 'PUT', '/device/manufacturing_state', [1, 2])).status).toBe(400)
    const big = {manufacturingState: 'x'.repeat(70 * 1024)}
    expect((await on('unix', 'PUT', '/device/manufacturing_state', big)).status).toBe(400)
    expect((await on('https', 'PUT', '/device/manufacturing_state', big)).status).toBe(400)
    const xml = await request(
      {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')},
      'PATCH',
      '/sphere/world',
      '<set/>',
      {
        'Content-Type': 'application/xml',
      },
    )
    expect(xml.status).toBe(415)
    expect(backend.manufacturingState()).toBe('Blank')
  })

  test('an image upload over the limit is refused from its Content-Length, before the body is read', async () => {
    const out = await raw(
      'unix',
      'PUT /update/stage HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 999999999\r\n\r\nabc',
    )
    expect(out).toMatch(/^HTTP\/1\.1 400 /)
    expect(out.toLowerCase()).toContain('connection: close')
    expect(((await on('unix', 'GET', '/images')).json() as {has_staged_updates: boolean}).has_staged_updates).toBe(
      false,
    )
  })

  test('broken HTTP: bad request lines, bad Content-Length, header floods and smuggling attempts get 4xx or a closed connection', async () => {
    const cases = [
      'GARBAGE\r\n\r\n',
      'GET /status HTTP/9.9\r\n\r\n',
      'GET /status HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      'POST /update/install HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}',
      'POST /update/install HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      `GET /status HTTP/1.1\r\n${'X-A: b\r\n'.repeat(5000)}\r\n`,
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\n\r\n`,
      'GET /../../etc/passwd HTTP/1.1\r\n\r\n',
      'GET /app/status/%00 HTTP/1.1\r\n\r\n',
      'DELETE /app/image/..%2f..%2fstate HTTP/1.1\r\n\r\n',
    ]
    for (const c of cases) {
      const out = await raw('unix', c)
      if (out !== '') expect(out).toMatch(/^HTTP\/1\.1 4\d\d /)
    }
    // the server is unharmed
    expect((await on('unix', 'GET', '/status')).status).toBe(200)
  })
})
