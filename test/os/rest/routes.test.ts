/**
 * The route specs (src/protocol/api) and the server's handlers (src/os/rest/routes) are one table: every
 * spec has exactly one handler and every handler a spec; the DeviceClient builds every request from the
 * same specs, so what it sends is what the server routes.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {join} from 'node:path'
import {DeviceClient} from '../../../src/device/index.js'
import {
  checkCoverage,
  createRestServer,
  ensureDeviceCa,
  listenUnix,
  on,
  Router,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import {buildPath, pathPattern, paramNames, route, ROUTES, API} from '../../../src/protocol/api/index.js'
import {MemoryBackend} from './memory-backend.js'
import {APP_CID, makeSigningKey, tempDir} from './helpers.js'

describe('route specs and handlers', () => {
  let tmp: ReturnType<typeof tempDir>
  let handler: RestHandler
  let listener: RestListener
  let client: DeviceClient
  const seen: string[] = []

  beforeAll(async () => {
    tmp = tempDir()
    handler = createRestServer(new MemoryBackend([makeSigningKey().anchor]), {stateDir: tmp.dir, transport: 'unix', name: 'routes'})
    const socketPath = join(tmp.dir, 'api.sock')
    const recording = Object.assign(
      (req: Parameters<RestHandler>[0], res: Parameters<RestHandler>[1]) => {
        seen.push(`${req.method} ${req.url}`)
        handler(req, res)
      },
      {controller: handler.controller},
    )
    listener = await listenUnix(recording, socketPath)
    client = new DeviceClient({kind: 'unix', socketPath})
  })
  afterAll(async () => {
    await listener?.close()
    handler.controller.close()
    tmp.cleanup()
  })

  test('every route spec has exactly one handler, and every handler serves a spec', () => {
    const served = handler.controller.router.registrations.map((r) => r.spec)
    expect(new Set(served).size).toBe(served.length)
    expect([...served].map((s) => s.name).sort()).toEqual(ROUTES.map((s) => s.name).sort())
  })

  test('the router refuses to start when a spec has no handler, a handler has no spec, or a spec has two', () => {
    const regs = handler.controller.router.registrations
    const missing = regs.find((r) => r.spec === API.wifi.scan)!
    expect(() => new Router(regs.filter((r) => r !== missing))).toThrow(/route GET \/wifi\/scan \(wifi\.scan\) has no handler/)
    const stray = route()({name: 'stray.thing', method: 'GET', path: '/stray', summary: 'not in ROUTES'})
    expect(() => checkCoverage(ROUTES, [...regs, on(stray, () => ({}))])).toThrow(/handler for GET \/stray \(stray\.thing\) has no route spec/)
    expect(() => checkCoverage(ROUTES, [...regs, missing])).toThrow(/GET \/wifi\/scan has two handlers/)
    expect(() => checkCoverage(ROUTES, regs)).not.toThrow()
  })

  test('specs are unique by name and by method + path, and their templates round-trip parameters', () => {
    expect(new Set(ROUTES.map((s) => s.name)).size).toBe(ROUTES.length)
    expect(new Set(ROUTES.map((s) => `${s.method} ${s.path}`)).size).toBe(ROUTES.length)
    for (const s of ROUTES) {
      const names = paramNames(s.path)
      const values = Object.fromEntries(names.map((n, i) => [n, `v ${i}/%?`]))
      const path = buildPath(s, values).split('?')[0]!
      const m = pathPattern(s.path).exec(path)
      expect(m).not.toBeNull()
      expect(m!.slice(1).map(decodeURIComponent)).toEqual(names.map((n) => values[n]))
    }
  })

  test('query parameters a spec declares are sent; others are not', () => {
    expect(buildPath(API.sphere.appLog, {componentId: APP_CID, since: 0, follow: true})).toBe(`/sphere/apps/${APP_CID}/log?since=0&follow=1`)
    expect(buildPath(API.sphere.audit, {since: 7, other: 1} as never)).toBe('/sphere/audit?since=7')
    expect(() => buildPath(API.apps.appStatus, {} as never)).toThrow(/apps\.status: missing path parameter 'componentId'/)
  })

  test('the client reaches the handler of each spec it calls (no request falls through to 404)', async () => {
    seen.length = 0
    await client.status()
    expect(await client.osVersion()).toEqual({osversion: '25.02'})
    expect((await client.appStatus(APP_CID)).state).toBe('notPresent')
    expect(await client.certificates()).toEqual({identifiers: []})
    expect((await client.networkInterfaces()).interfaces.length).toBeGreaterThan(0)
    expect((await client.wifiScan()).values.length).toBeGreaterThan(0)
    expect(await client.deploymentTimeout()).toEqual({timeoutMinutes: null})
    expect(await client.audit(0)).toEqual([])
    await expect(client.certificate('nope')).rejects.toThrow(/No certificate with that identifier/)
    expect(seen).toEqual([
      'GET /status',
      'GET /osversion',
      `GET /app/status/${APP_CID}`,
      'GET /certstore/certs',
      'GET /net/interfaces',
      'GET /wifi/scan',
      'GET /sphere/sideload/timeout',
      'GET /sphere/audit?since=0',
      'GET /certstore/certs/nope',
    ])
  })

  test("GET /sphere/ca serves the device's CA certificate from its state directory", async () => {
    const {caPem} = await client.deviceCa()
    expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(caPem).toBe(ensureDeviceCa(tmp.dir).certPem)
  })
})
