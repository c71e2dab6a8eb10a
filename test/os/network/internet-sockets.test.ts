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
import {describe, expect, test} from '@jest/globals'
import net, {type AddressInfo} from 'node:net'
import type {Device} from '../../../src/os/index.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {applyWorldFile} from '../../../src/os/services/world-file.js'
import {cid, logged} from '../helpers.js'
import {Mode, deviceHarness, netImage, runUntil} from './helpers.js'

const WORLD = ['internet:', '  sites:', '    example.com:', '      pages:', '        /: {body: "hi\\n"}'].join('\n')

const {boot} = deviceHarness('sphere-internet-sockets-', async (d) => {
  applyWorldFile(d, WORLD)
  await d.internet.ready()
})
const until = (d: Device, done: () => boolean): Promise<boolean> => runUntil(d, done, 200, 100)

describe("a local-internet site on the app's own socket", () => {
  test('device port 80 of the site reaches its HTTP server (not the host port 80 of its address)', async () => {
    const d = await boot()
    const site = d.internet.list().find((s) => s.name === 'example.com')!
    expect(site.httpPort).not.toBe(80)
    await d.install(await netImage(1, Mode.tcpClient, 80, site.address, {AllowedConnections: ['example.com']}), {
      start: true,
    })
    expect(await until(d, () => logged(d.appLog(cid(1))).done === 1)).toBe(true)
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
      expect(await until(d, () => logged(d.appLog(cid(2))).done === 1)).toBe(true)
      expect(logged(d.appLog(cid(2))).connect).toBe(-Errno.ECONNREFUSED)
      expect(reached).toBe(1)
    } finally {
      for (const c of open) c.destroy()
      await new Promise((r) => host.close(r))
    }
  })
})
