/**
 * The OS's libcurl on the host side (src/os/runtime/curl.ts), driven by a WebAssembly app that speaks the
 * curl_open / curl_next ABI directly (the C side is exercised by the sample tests): proxies (a CONNECT tunnel
 * through a real Node proxy, the proxy itself an LSM decision), timeouts in the device's clock, redirects with
 * their count, FAILONERROR, and curl's error texts in the DONE event.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import http from 'node:http'
import net from 'node:net'
import {Device, NS_PER_MS, type UnpackedImage} from '../../../src/os/index.js'
import {cid, logged, tempDir, wat, CACHE_DIR} from '../helpers.js'

/** TLV request of sdk/libapplibs/curl.c. */
function request(
  url: string,
  o: {flags?: number; proxy?: string; timeoutMs?: number; cainfo?: string; sslCert?: string} = {},
): Buffer {
  const parts: Buffer[] = []
  const put = (tag: number, v: Buffer): void => {
    const h = Buffer.alloc(8)
    h.writeUInt32LE(tag, 0)
    h.writeUInt32LE(v.length, 4)
    parts.push(h, v)
  }
  const int = (n: number): Buffer => {
    const b = Buffer.alloc(4)
    b.writeInt32LE(n, 0)
    return b
  }
  put(1, Buffer.from(url))
  put(13, int(o.flags ?? 0))
  if (o.proxy) put(9, Buffer.from(o.proxy))
  if (o.timeoutMs) put(14, int(o.timeoutMs))
  if (o.cainfo) put(6, Buffer.from(o.cainfo))
  if (o.sslCert) put(7, Buffer.from(o.sslCert))
  put(16, int(30))
  return Buffer.concat(parts)
}

const FOLLOW = 2
const VERIFY_PEER = 4
const FAIL_ON_ERROR = 32

/**
 * An app that runs each request in turn and logs `rN=<CURLcode>`, `bN=<body bytes>`, `hN=<HTTP code>`,
 * `dN=<redirects>` and the error text of the DONE event.
 */
function curlApp(reqs: Buffer[]): string {
  let addr = 0x2000
  const data: string[] = []
  const calls: string[] = []
  reqs.forEach((r, i) => {
    const hex = [...r].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')
    data.push(`(data (i32.const ${addr}) "${hex}")`)
    calls.push(`(call $one (i32.const ${i + 1}) (i32.const ${addr}) (i32.const ${r.length}))`)
    addr += Math.ceil(r.length / 16) * 16 + 16
  })
  return `(module
    (import "sphere" "curl_open" (func $curl_open (param i32 i32) (result i32)))
    (import "sphere" "curl_next" (func $curl_next (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
    (memory (export "memory") 3 3)
    ${data.join('\n')}
    (data (i32.const 0x1000) "rbhd")
    ;;@lib
    (func $one (param $i i32) (param $req i32) (param $len i32)
      (local $fd i32) (local $n i32) (local $bytes i32) (local $e i32)
      (local.set $fd (call $curl_open (local.get $req) (local.get $len)))
      (loop $l
        (local.set $n (call $curl_next (local.get $fd) (i32.const 0x10000) (i32.const 16392)))
        (if (i32.eq (i32.load (i32.const 0x10000)) (i32.const 2))
          (then (local.set $bytes (i32.add (local.get $bytes) (i32.load (i32.const 0x10004))))))
        (br_if $l (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.ne (i32.load (i32.const 0x10000)) (i32.const 3)))))
      (drop (call $fd_close (local.get $fd)))
      (call $label (i32.const 0x1000) (local.get $i) (i32.load (i32.const 0x10008)))
      (call $label (i32.const 0x1001) (local.get $i) (local.get $bytes))
      (call $label (i32.const 0x1002) (local.get $i) (i32.load (i32.const 0x1000c)))
      (call $label (i32.const 0x1003) (local.get $i) (i32.load (i32.const 0x10010)))
      ;; the error text: after the fixed part (92 bytes), the effective URL and the content type
      (local.set $e (i32.add (i32.const 0x10008) (i32.const 92)))
      (local.set $e (call $skip (local.get $e)))
      (local.set $e (call $skip (local.get $e)))
      (local.set $n (i32.sub (call $skip (local.get $e)) (i32.add (local.get $e) (i32.const 1))))
      (memory.copy (i32.const 0x1200) (local.get $e) (local.get $n))
      (i32.store8 (i32.add (i32.const 0x1200) (local.get $n)) (i32.const 10))
      (drop (call $log_write (i32.const 0x1200) (i32.add (local.get $n) (i32.const 1)))))
    (func $skip (param $p i32) (result i32)
      (loop $s (if (i32.load8_u (local.get $p)) (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $s))))
      (i32.add (local.get $p) (i32.const 1)))
    ;; "<letter><i>=<v>"
    (func $label (param $letter i32) (param $i i32) (param $v i32)
      (i32.store8 (i32.const 0x1100) (i32.load8_u (local.get $letter)))
      (i32.store8 (i32.const 0x1101) (i32.add (i32.const 48) (local.get $i)))
      (call $log_num (i32.const 0x1100) (i32.const 2) (local.get $v)))
    (func (export "_start")
      ${calls.join('\n      ')}
      (call $log_num (i32.const 0x1000) (i32.const 1) (i32.const 99))
      (call $sleep_ms (i32.const 100000)))
  )`
}

describe('libcurl on the host', () => {
  let t: ReturnType<typeof tempDir>
  let dev: Device
  let proxy: http.Server
  let proxyPort = 0
  const tunnels: string[] = []
  const open = new Set<net.Socket>()
  let n = 0x30

  const run = async (reqs: Buffer[], caps: Record<string, unknown>, files: [string, string][] = []): Promise<{log: string; v: Record<string, number>}> => {
    const id = cid(++n)
    const manifest = {SchemaVersion: 1, Name: `curl${n}`, ComponentId: id, EntryPoint: '/bin/app', CmdArgs: [], Capabilities: caps, ApplicationType: 'Default'}
    const img: UnpackedImage = {
      componentId: id,
      imageId: `${id.slice(0, 24)}${(0x200000 + n).toString(16).padStart(12, '0')}`,
      manifest: manifest as UnpackedImage['manifest'],
      files: new Map([['bin/app', await wat(curlApp(reqs))], ...files.map(([k, v]): [string, Uint8Array] => [k, Buffer.from(v)])]),
    }
    await dev.install(img)
    const done = (): boolean => /^r=99$/m.test(dev.appLog(id))
    for (let i = 0; i < 400 && !done(); i++) {
      await dev.kernel.runUntil(done, 50 * NS_PER_MS)
      if (!done()) await new Promise((r) => setTimeout(r, 5))
    }
    expect(done()).toBe(true)
    return {log: dev.appLog(id), v: logged(dev.appLog(id))}
  }

  beforeAll(async () => {
    t = tempDir('sphere-curl-host-')
    dev = await Device.boot({stateDir: t.dir, clock: 'fast-forward', cacheDir: CACHE_DIR})
    dev.internet.configure(
      {
        sites: {
          'example.test': {
            pages: {
              '/': {body: 'hello from example.test\n', type: 'text/plain'},
              '/hop1': {redirect: 'https://example.test/hop2'},
              '/hop2': {redirect: 'https://example.test/', status: 307},
              '/slow': {body: 'late', delayMs: 3000},
              '/missing': {body: 'nope', status: 404},
            },
          },
          'mtls.test': {clientAuth: true, pages: {'/': {body: 'device accepted'}}},
        },
      },
      t.dir,
    )
    await dev.internet.ready()
    // a real HTTP proxy on the host: CONNECT tunnels to wherever the device's internet says the name is
    proxy = http.createServer((_q, r) => r.writeHead(405).end())
    proxy.on('connect', (q: http.IncomingMessage, client: net.Socket) => {
      tunnels.push(q.url ?? '')
      const [host, port] = (q.url ?? '').split(':')
      const ip = dev.internet.resolve(host!)
      const to = ip === undefined ? undefined : dev.internet.endpoint(ip, Number(port))
      if (!to) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
        return
      }
      open.add(client)
      const up = net.connect(to.port, to.host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        up.pipe(client)
        client.pipe(up)
      })
      open.add(up)
      up.on('error', () => client.destroy())
      client.on('error', () => up.destroy())
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
    proxyPort = (proxy.address() as net.AddressInfo).port
  }, 60_000)

  afterAll(async () => {
    await dev?.shutdown()
    for (const s of open) s.destroy()
    proxy?.closeAllConnections()
    proxy?.close()
    t?.cleanup()
  })

  test('HTTPS through an HTTP proxy: a CONNECT tunnel, the test CA verified from the package CA file', async () => {
    const ca = dev.internet.caPem()
    const {v, log} = await run(
      [
        request('https://example.test/', {flags: VERIFY_PEER, proxy: `127.0.0.1:${proxyPort}`, cainfo: `/mnt/apps/${cid(n + 1)}/certs/ca.pem`}),
        request('https://example.test/', {proxy: `unlisted.proxy.test:${proxyPort}`}),
      ],
      {AllowedConnections: ['example.test', '127.0.0.1']},
      [['certs/ca.pem', ca]],
    )
    expect(v.r1).toBe(0)
    expect(v.h1).toBe(200)
    expect(v.b1).toBe('hello from example.test\n'.length)
    expect(tunnels).toContain('example.test:443')
    // a proxy the app may not reach is the proxy failing to resolve (CURLE_COULDNT_RESOLVE_PROXY)
    expect(v.r2).toBe(5)
    expect(log).toContain('Could not resolve proxy: unlisted.proxy.test')
  }, 60_000)

  test('redirects are followed and counted; FAILONERROR turns a 404 into curl error 22', async () => {
    const {v, log} = await run(
      [request('https://example.test/hop1', {flags: FOLLOW}), request('https://example.test/missing', {flags: FAIL_ON_ERROR}),
        request('https://example.test/missing')],
      {AllowedConnections: ['example.test']},
    )
    expect([v.r1, v.h1, v.d1, v.b1]).toEqual([0, 200, 2, 'hello from example.test\n'.length])
    expect([v.r2, v.h2]).toEqual([22, 404])
    expect(log).toContain('The requested URL returned error: 404')
    expect([v.r3, v.h3, v.b3]).toEqual([0, 404, 4])
  }, 60_000)

  test('CURLOPT_TIMEOUT_MS ends a slow transfer with curl error 28; no CA file means the peer is not verified', async () => {
    const {v, log} = await run(
      [request('https://example.test/slow', {timeoutMs: 300}), request('https://example.test/', {flags: VERIFY_PEER})],
      {AllowedConnections: ['example.test']},
    )
    expect(v.r1).toBe(28)
    expect(log).toMatch(/Operation timed out after \d+ milliseconds with 0 bytes received/)
    expect(v.r2).toBe(60)
    expect(log).toContain('SSL certificate problem: self-signed certificate in certificate chain')
  }, 60_000)

  test('mutual TLS with the device certificate (DeviceAuth path) needs the DeviceAuthentication capability', async () => {
    const device = '/run/deviceauth/certificate.pem'
    const withTenant = await run([request('https://mtls.test/', {sslCert: device}), request('https://mtls.test/')], {
      AllowedConnections: ['mtls.test'],
      DeviceAuthentication: '7d7a1b6e-3e3f-4d59-9a1f-0123456789ab',
    })
    expect([withTenant.v.r1, withTenant.v.h1, withTenant.v.b1]).toEqual([0, 200, 'device accepted'.length])
    // the server asks for a client certificate: without one the handshake (or the first read) fails
    expect(withTenant.v.r2).not.toBe(0)
    const without = await run([request('https://mtls.test/', {sslCert: device})], {AllowedConnections: ['mtls.test']})
    expect(without.v.r1).toBe(58)
    expect(without.log).toContain(`could not load PEM client certificate from ${device}`)
    const denied = dev.auditLog({deniedOnly: true}).filter((r) => r.operation === 'capability' && r.subject.includes(cid(n)))
    expect(denied.length).toBe(1)
  }, 60_000)
})
