/**
 * The same handler over a Unix socket (our CLI), over Duplex connections emitted on a server (the serial
 * link), with curl over HTTPS, plus the /sphere/ extensions against the real Device and a real app.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {execFile} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type {TLSSocket} from 'node:tls'
import {checkDeviceIdentity} from '../../../src/device/device-identity.js'
import net from 'node:net'
import {join} from 'node:path'
import {sdkTestTrustAnchor} from '../../../src/image/index.js'
import {
  serialServer,
  createRestServer,
  DeviceRestBackend,
  listenHttps,
  listenService,
  listenUnix,
  serverTls,
  type RestHandler,
  type RestListener,
} from '../../../src/os/rest/index.js'
import type {SphereEvent, SphereLogEntry} from '../../../src/protocol/rest-api.js'
import {APP_CID, makeSigningKey, packApp, request, sleep, tempDir, until, watFixture, type Target} from './helpers.js'

const which = (bin: string) => ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, bin)))

/** Read NDJSON lines from a streaming GET until `stop(lines)` says enough (bounded by ms). */
function streamLines(
  socketPath: string,
  path: string,
  stop: (lines: unknown[]) => boolean,
  ms = 8000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const lines: unknown[] = []
    let buf = ''
    const req = http.request({socketPath, path, headers: {Host: 'x'}, agent: false}, (res) => {
      expect(res.headers['content-type']).toBe('application/x-ndjson')
      res.on('data', (d: Buffer) => {
        buf += d.toString('utf8')
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)))
          buf = buf.slice(i + 1)
        }
        if (stop(lines)) {
          clearTimeout(timer)
          req.destroy()
          resolve(lines)
        }
      })
    })
    const timer = setTimeout(() => {
      req.destroy()
      reject(new Error(`stream ${path}: condition not met; got ${JSON.stringify(lines).slice(0, 500)}`))
    }, ms)
    req.on('error', (e) => {
      if (!req.destroyed) reject(e)
    })
    req.end()
  })
}

describe('REST handler over a Unix socket, emitted Duplex connections and curl; /sphere/ extensions on the real Device', () => {
  let tmp: {dir: string; cleanup: () => void}
  let backend: DeviceRestBackend
  let handler: RestHandler
  let unix: RestListener
  let httpsL: RestListener
  let t: Target
  let pkg: Uint8Array

  beforeAll(async () => {
    tmp = tempDir()
    const {key, anchor} = makeSigningKey()
    backend = await DeviceRestBackend.boot({
      stateDir: tmp.dir,
      clock: 'realtime',
      trust: [sdkTestTrustAnchor(), anchor],
      stopGraceMs: 200,
    })
    handler = createRestServer(backend, {stateDir: tmp.dir, name: 'resttest', transport: 'unix', heartbeatMs: 500})
    unix = await listenUnix(handler, join(tmp.dir, 'api.sock'))
    httpsL = await listenHttps(handler, '127.0.0.1', 0, serverTls(tmp.dir, '127.0.0.1'))
    t = {kind: 'unix', socketPath: join(tmp.dir, 'api.sock')}
    pkg = packApp({cid: APP_CID, name: 'RestApp', wasm: await watFixture('hello-loop'), key})
  })
  afterAll(async () => {
    handler.controller.close()
    await unix.close()
    await httpsL.close()
    await backend.shutdown()
    tmp.cleanup()
  })

  test('sideload over the Unix socket: the .wat app is reported running and its output is served as NDJSON', async () => {
    expect((await request(t, 'PUT', '/update/stage', pkg)).status).toBe(200)
    expect((await request(t, 'POST', '/update/install', {appControlMode: 'Auto'})).json()).toEqual({})
    expect((await request(t, 'GET', `/app/status/${APP_CID}`)).json()).toEqual({state: 'running'})
    const apps = (await request(t, 'GET', '/sphere/apps')).json() as {
      componentId: string
      name: string
      state: string
      memory: {limitBytes: number}
    }[]
    expect(apps).toEqual([
      expect.objectContaining({
        componentId: APP_CID,
        name: 'RestApp',
        memory: expect.objectContaining({limitBytes: 262144}),
      }),
    ])
    expect(['running', 'blocked']).toContain(apps[0]!.state)
    const log = await until(async () => {
      const r = await request(t, 'GET', `/sphere/apps/${APP_CID}/log?since=0`)
      expect(r.headers['content-type']).toBe('application/x-ndjson')
      const entries = r.body
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as SphereLogEntry)
      return entries.some((e) => e.text === 'tick') ? entries : undefined
    })
    expect(log.some((e) => e.text === 'hello from rest app')).toBe(true)
    const last = log.at(-1)!.seq
    const newer = (await request(t, 'GET', `/sphere/apps/${APP_CID}/log?since=${last}`)).body
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SphereLogEntry)
    for (const e of newer) expect(e.seq).toBeGreaterThan(last)
    expect((await request(t, 'GET', `/sphere/apps/${APP_CID}/log?since=-1`)).status).toBe(400)
  })

  test('log follow pushes new lines; the event stream starts with a snapshot and pushes changes', async () => {
    const since = (await request(t, 'GET', `/sphere/apps/${APP_CID}/log?since=0`)).body
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SphereLogEntry)
      .at(-1)!.seq
    const followed = (await streamLines(
      unix.url.slice(5),
      `/sphere/apps/${APP_CID}/log?since=${since}&follow=1`,
      (l) => l.length >= 2,
    )) as SphereLogEntry[]
    expect(followed[0]!.seq).toBeGreaterThan(since)
    expect(followed[1]!.seq).toBeGreaterThan(followed[0]!.seq)

    const pressed = streamLines(
      unix.url.slice(5),
      '/sphere/events',
      (l) =>
        (l as SphereEvent[]).some((e) => e.type === 'world') &&
        (l as SphereEvent[]).some((e) => e.type === 'heartbeat'),
    )
    await sleep(100)
    expect((await request(t, 'PATCH', '/sphere/world', {set: {'buttons.A': true}})).status).toBe(200)
    const events = (await pressed) as SphereEvent[]
    expect(events[0]!.type).toBe('snapshot')
    const snap = events[0] as Extract<SphereEvent, {type: 'snapshot'}>
    expect(snap.device).toMatchObject({name: 'resttest', transport: 'unix', osVersion: expect.any(String)})
    expect(snap.apps.map((a) => a.componentId)).toEqual([APP_CID])
    const world = events.find((e) => e.type === 'world') as Extract<SphereEvent, {type: 'world'}>
    expect(world.world.buttons.find((b) => b.name === 'A')?.pressed).toBe(true)
    const w = (await request(t, 'POST', '/sphere/world/press', {button: 'A', holdMs: 10})).json() as {
      buttons: {name: string; pressed: boolean}[]
    }
    expect(w.buttons.find((b) => b.name === 'A')?.pressed).toBe(false)
    expect((await request(t, 'POST', '/sphere/world/press', {button: 'Z'})).status).toBe(400)
    // /sphere/ extensions add a human-readable message next to the standard error code
    expect((await request(t, 'PATCH', '/sphere/world', {set: {'nonsense.path': 1}})).json()).toEqual({
      error: 15728642,
      message: expect.stringMatching(/unknown world path nonsense\.path/),
    })
  })

  test('/sphere/ device info, audit, capabilities grant and deployment timeout', async () => {
    const info = (await request(t, 'GET', '/sphere/device')).json() as Record<string, unknown>
    expect(info).toMatchObject({
      deviceId: expect.stringMatching(/^[0-9a-f]{128}$/),
      manufacturingState: 'Blank',
      capabilities: ['appDevelopment'],
      name: 'resttest',
    })
    const audit = (await request(t, 'GET', '/sphere/audit?since=0')).json() as {seq: number; allowed: boolean}[]
    expect(Array.isArray(audit)).toBe(true)
    for (const r of audit) expect(typeof r.allowed).toBe('boolean')
    expect((await request(t, 'POST', '/sphere/device/capabilities', {capabilities: ['nope']})).json()).toEqual({
      error: 15728642,
      message: 'unknown device capability nope',
    })
    expect(
      (await request(t, 'POST', '/sphere/device/capabilities', {capabilities: ['enableRfTestMode']})).json(),
    ).toMatchObject({device_capabilities: [11, 12]})
    expect((await request(t, 'GET', '/sphere/sideload/timeout')).json()).toEqual({timeoutMinutes: null})
    expect((await request(t, 'PUT', '/sphere/sideload/timeout', {timeoutMinutes: 30})).json()).toEqual({
      timeoutMinutes: 30,
    })
    expect((await request(t, 'PUT', '/sphere/sideload/timeout', {timeoutMinutes: -1})).status).toBe(400)
  })

  test('emitted Duplex connections (serial link style) get TLS with the 192.168.35.2 leaf and the same handler', async () => {
    const tls = serverTls(tmp.dir, '192.168.35.2')
    const server = serialServer(handler, tls)
    // a plain TCP socket stands in for the serial link's TCP stream
    const relay = net.createServer((sock) => server.emit('connection', sock))
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
    const port = (relay.address() as net.AddressInfo).port
    const get = (path: string) =>
      new Promise<{status: number; headers: http.IncomingHttpHeaders; body: string; peer: string}>((resolve, reject) => {
        const req = https.request(
          {host: '127.0.0.1', port, path, ca: tls.ca, agent: false, headers: {Host: '*.devices.sphere.azure.local'}, checkServerIdentity: checkDeviceIdentity},
          (res) => {
            let body = ''
            res.on('data', (d: Buffer) => (body += d.toString()))
            res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body, peer: (res.socket as TLSSocket).getPeerCertificate().subjectaltname ?? ""}))
          },
        )
        req.on('error', reject)
        req.end()
      })
    try {
      const r = await get('/status')
      expect(r.status).toBe(200)
      expect(r.headers['rest-api-version']).toBe('4.4.0')
      expect(r.peer).toBe('DNS:*.devices.sphere.azure.local, DNS:localhost, IP Address:192.168.35.2')
      expect(JSON.parse((await get(`/app/status/${APP_CID}`)).body)).toEqual({state: 'running'})
      // plain HTTP to the same server gets no HTTP answer
      const plain = await new Promise<string>((resolve) => {
        const req = http.request({host: '127.0.0.1', port, path: '/status', agent: false}, () => resolve('answered'))
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
        req.end()
      })
      expect(plain).toBe('ECONNRESET')
    } finally {
      await new Promise<void>((r) => relay.close(() => r()))
    }
  })

  test('curl with the simulator CA and Host: *.devices.sphere.azure.local', async () => {
    if (!which('curl')) return
    const caFile = join(tmp.dir, 'ca-for-curl.pem')
    writeFileSync(caFile, serverTls(tmp.dir, '127.0.0.1').ca)
    const out = await new Promise<{code: number; stdout: string}>((resolve) =>
      execFile(
        'curl',
        [
          '-sS',
          '-i',
          '--cacert',
          caFile,
          '-H',
          'Host: *.devices.sphere.azure.local',
          `https://127.0.0.1:${httpsL.port}/status`,
        ],
        (e, stdout) => resolve({code: e ? 1 : 0, stdout}),
      ),
    )
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^HTTP\/1\.1 200/)
    expect(out.stdout.toLowerCase()).toContain('rest-api-version: 4.4.0')
    expect(out.stdout).toMatch(/\{"uptime":\d+\}$/)
  })

  test('restart over the Unix socket: refused while down, back with uptime reset and the app running again', async () => {
    await until(async () => ((await request(t, 'GET', '/status')).json() as {uptime: number}).uptime >= 1, 3000, 100)
    expect((await request(t, 'POST', '/restart')).body.toString()).toBe('{"restartingSystem":true}')
    const errors = new Set<string>()
    const up = await until(
      async () => {
        try {
          const r = await request(t, 'GET', '/status')
          expect(r.status).toBe(200)
          return (r.json() as {uptime: number}).uptime < 1 ? r : undefined
        } catch (e) {
          errors.add((e as NodeJS.ErrnoException).code ?? 'other')
          return undefined
        }
      },
      5000,
      20,
    )
    expect(up.status).toBe(200)
    for (const e of errors) expect(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']).toContain(e)
    await until(
      async () => ((await request(t, 'GET', `/app/status/${APP_CID}`)).json() as {state: string}).state === 'running',
    )
  })

  test('device-list service: GET /api/service/devices', async () => {
    const svc = await listenService(() => [{IpAddress: '192.168.35.2', DeviceConnectionPath: ''}], '127.0.0.1', 0)
    try {
      const body = await new Promise<{status: number; json: unknown}>((resolve, reject) => {
        http
          .get(
            {host: '127.0.0.1', port: svc.port, path: '/api/service/devices', headers: {Accept: 'application/json'}},
            (res) => {
              let s = ''
              res.on('data', (d: Buffer) => (s += d.toString()))
              res.on('end', () => resolve({status: res.statusCode ?? 0, json: JSON.parse(s)}))
            },
          )
          .on('error', reject)
      })
      expect(body).toEqual({status: 200, json: [{IpAddress: '192.168.35.2', DeviceConnectionPath: ''}]})
    } finally {
      await svc.close()
    }
  })
})

describe('sideloading needs appDevelopment', () => {
  test('a device without capabilities refuses PUT update/stage with 403 / 7340050 and stages nothing', async () => {
    const tmp = tempDir()
    const {key, anchor} = makeSigningKey()
    const backend = await DeviceRestBackend.boot({
      stateDir: tmp.dir,
      clock: 'fast-forward',
      capabilities: [],
      trust: [anchor],
    })
    const handler = createRestServer(backend, {stateDir: tmp.dir})
    const l = await listenUnix(handler, join(tmp.dir, 's.sock'))
    try {
      const t: Target = {kind: 'unix', socketPath: join(tmp.dir, 's.sock')}
      expect((await request(t, 'GET', '/device/capabilities')).json()).toEqual({device_capabilities: []})
      const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
      const r = await request(t, 'PUT', '/update/stage', packApp({cid: APP_CID, name: 'X', wasm, key}))
      expect({status: r.status, body: r.json()}).toEqual({status: 403, body: {error: 7340050}})
      expect(((await request(t, 'GET', '/images')).json() as {has_staged_updates: boolean}).has_staged_updates).toBe(
        false,
      )
    } finally {
      handler.controller.close()
      await l.close()
      await backend.shutdown()
      tmp.cleanup()
    }
  })
})
