/**
 * The local internet on an app's own TCP sockets (issue 14, "A local internet for tests"; docs/world.md): a
 * site's servers listen on free host ports, and device ports 443 / 80 of the site's address map to them for a
 * plain `connect` as they do for the OS's libcurl, so an app that opens its own socket to example.com (the
 * WolfSSL sample does) reaches the same server. Any other port of a site refuses the connection: the site's
 * loopback address is no way to a host service listening on all addresses, which an app allowed only the site
 * must not reach. The socket app
 * (net-app.wat, TCP client mode) connects to the site's address, sends "hello from app\n" and logs the answer:
 * from the site's HTTP server, a 400 (the line is not an HTTP request).
 */
import {afterAll, afterEach, beforeAll, describe, expect, test} from '@jest/globals'
import net, {type AddressInfo} from 'node:net'
import {join} from 'node:path'
import {Device, NS_PER_MS} from '../../../src/os/index.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {CACHE_DIR, cid, logged, tempDir} from '../helpers.js'
import {Mode, netAppBinary, netImage} from './helpers.js'

const WORLD = ['internet:', '  sites:', '    example.com:', '      pages:', '        /: {body: "hi\\n"}'].join('\n')

let tmp: {dir: string; cleanup: () => void}
let dev: Device | undefined
let n = 0

beforeAll(async () => {
  tmp = tempDir('sphere-internet-sockets-')
  await netAppBinary()
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  await dev?.shutdown()
  dev = undefined
})

async function boot(): Promise<Device> {
  dev = await Device.boot({stateDir: join(tmp.dir, `d${++n}`), clock: 'fast-forward', cacheDir: CACHE_DIR})
  applyWorldFile(dev, WORLD)
  await dev.internet.ready()
  return dev
}

/** Alternate slices of virtual time with host turns until `until` holds (bounded: 200 slices of 100 ms). */
async function runUntil(d: Device, until: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !until(); i++) {
    await d.kernel.runUntil(until, 100 * NS_PER_MS)
    if (!until()) await new Promise((r) => setTimeout(r, 5))
  }
  return until()
}

describe("a local-internet site on the app's own socket", () => {
  test('device port 80 of the site reaches its HTTP server (not the host port 80 of its address)', async () => {
    const d = await boot()
    const site = d.internet.list().find((s) => s.name === 'example.com')!
    expect(site.httpPort).not.toBe(80)
    await d.install(await netImage(1, Mode.tcpClient, 80, site.address, {AllowedConnections: ['example.com']}), {
      start: true,
    })
    expect(await runUntil(d, () => logged(d.appLog(cid(1))).done === 1)).toBe(true)
    const got = logged(d.appLog(cid(1)))
    expect(got.connect).toBe(0)
    expect(got.recv).toBeGreaterThan(0)
    expect(d.appLog(cid(1))).toMatch(/^data:HTTP\/1\.1 400 Bad Request\r$/m)
    expect(
      d
        .auditLog({componentId: cid(1)})
        .filter((r) => r.operation === 'net.connect')
        .map((r) => [r.object, r.allowed]),
    ).toEqual([[`host=${site.address} port=80`, true]])
  })

  test('a port the site does not serve refuses the connection, though a host service listens on all addresses there', async () => {
    const d = await boot()
    const site = d.internet.list().find((s) => s.name === 'example.com')!
    let reached = 0
    const open = new Set<net.Socket>()
    const host = net.createServer((c) => {
      reached++
      open.add(c)
      c.on('error', () => undefined)
    })
    await new Promise<void>((r) => host.listen(0, '0.0.0.0', r))
    const port = (host.address() as AddressInfo).port
    try {
      // the host itself does reach that service through the site's address
      const probe = await new Promise<net.Socket>((ok, fail) => {
        const p = net.connect(port, site.address, () => ok(p)).once('error', fail)
      })
      probe.destroy()
      expect(await new Promise((r) => setTimeout(() => r(reached), 50))).toBe(1)
      await d.install(await netImage(2, Mode.tcpClient, port, site.address, {AllowedConnections: ['example.com']}), {
        start: true,
      })
      expect(await runUntil(d, () => logged(d.appLog(cid(2))).done === 1)).toBe(true)
      expect(logged(d.appLog(cid(2))).connect).toBe(-Errno.ECONNREFUSED)
      expect(reached).toBe(1)
    } finally {
      for (const c of open) c.destroy()
      await new Promise((r) => host.close(r))
    }
  })
})
