import {createHash, randomBytes} from 'node:crypto'
import http from 'node:http'

import {describe, expect, test} from '@jest/globals'

import {attachTcp, SlipLink} from '../../../src/protocol/link/slip-link.js'
import {type TcpOptions, type TcpSocket, TcpStack} from '../../../src/protocol/link/tcp.js'
import {bytePipe, type BytePipeOptions} from '../../../src/protocol/testing/memory.js'

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

function pair(
  opts: BytePipeOptions = {},
  tcp: Parameters<typeof attachTcp>[1] extends infer T ? Partial<T> : never = {},
) {
  const {a, b, stats} = bytePipe(opts)
  const la = new SlipLink(a, {heartbeatMs: 0})
  const lb = new SlipLink(b, {heartbeatMs: 0})
  const client = attachTcp(la, {address: '192.168.35.1', ...tcp})
  const server = attachTcp(lb, {address: '192.168.35.2', ...tcp})
  const close = (): void => {
    la.close()
    lb.close()
    a.destroy()
    b.destroy()
  }
  return {client, server, la, lb, stats, close}
}

function collect(s: TcpSocket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    s.on('data', (d: Buffer) => parts.push(d))
    s.on('end', () => resolve(Buffer.concat(parts)))
    s.on('error', reject)
  })
}

function echoServer(server: TcpStack, port = 7): void {
  server.listen(port, (s) => {
    s.on('error', () => {})
    s.pipe(s)
  })
}

async function echo(client: TcpStack, payload: Buffer): Promise<Buffer> {
  const s = client.connect('192.168.35.2', 7)
  const got = collect(s)
  s.end(payload)
  return got
}

describe('userspace TCP over SLIP, in memory', () => {
  test('echo of 1 MiB in small read chunks', async () => {
    const p = pair({maxChunk: 1000})
    echoServer(p.server)
    const data = randomBytes(1 << 20)
    const got = await echo(p.client, data)
    expect(sha(got)).toBe(sha(data))
    p.close()
  })

  test('HTTP request/response via emit(connection) and createConnection', async () => {
    const p = pair()
    const srv = http.createServer((req, res) => {
      const parts: Buffer[] = []
      req.on('data', (d: Buffer) => parts.push(d))
      req.on('end', () => res.end(JSON.stringify({sha: sha(Buffer.concat(parts)), url: req.url})))
    })
    p.server.listen(80, (s) => srv.emit('connection', s))
    const body = randomBytes(100 * 1024)
    const res = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          createConnection: () => p.client.connect('192.168.35.2', 80),
          method: 'PUT',
          path: '/update/stage',
          host: '192.168.35.2',
        },
        (r) => {
          const parts: Buffer[] = []
          r.on('data', (d: Buffer) => parts.push(d))
          r.on('end', () => resolve(Buffer.concat(parts).toString()))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
    expect(JSON.parse(res)).toEqual({sha: sha(body), url: '/update/stage'})
    p.close()
  })

  test('lossy line (1% of bytes dropped/corrupted): echoes are intact', async () => {
    for (const seed of [1, 2]) {
      const p = pair({dropRate: 0.005, corruptRate: 0.005, seed, maxChunk: 300})
      echoServer(p.server)
      const data = randomBytes(1024)
      const got = await echo(p.client, data)
      expect(sha(got)).toBe(sha(data))
      expect(p.stats.aToB.dropped + p.stats.aToB.corrupted).toBeGreaterThan(0)
      p.close()
    }
  })

  test('connection refused on a closed port', async () => {
    const p = pair()
    const s = p.client.connect('192.168.35.2', 81)
    await expect(new Promise((_r, reject) => s.on('error', reject))).rejects.toMatchObject({
      code: 'TCP_CONNECTION_REFUSED',
    })
    p.close()
  })

  test('flow control: a reader that pauses closes the window; nothing is lost when it resumes', async () => {
    const p = pair({maxChunk: 4096})
    let serverSock: TcpSocket | undefined
    const received: Buffer[] = []
    const done = new Promise<void>((resolve) =>
      p.server.listen(9, (s) => {
        serverSock = s
        s.on('error', () => {})
        s.pause()
        s.on('data', (d: Buffer) => received.push(d))
        s.on('end', resolve)
      }),
    )
    const data = randomBytes(512 * 1024)
    const c = p.client.connect('192.168.35.2', 9)
    c.on('error', () => {})
    let sawBackpressure = false
    for (let o = 0; o < data.length; o += 16384) if (!c.write(data.subarray(o, o + 16384))) sawBackpressure = true
    c.end()
    await new Promise((r) => setTimeout(r, 300))
    expect(sawBackpressure).toBe(true)
    // the paused reader holds at most one receive window
    expect(serverSock!.readableLength).toBeLessThanOrEqual(65535)
    serverSock!.resume()
    await done
    expect(sha(Buffer.concat(received))).toBe(sha(data))
    p.close()
  })

  test('destroy(err) resets the peer; a write after the peer reset fails', async () => {
    const p = pair()
    const accepted = new Promise<TcpSocket>((resolve) => p.server.listen(10, resolve))
    const c = p.client.connect('192.168.35.2', 10)
    const cErr = new Promise<unknown>((resolve) => c.on('error', resolve))
    c.write('hello')
    const s = await accepted
    s.on('error', () => {})
    s.destroy(new Error('handler crashed'))
    expect(await cErr).toMatchObject({code: 'TCP_CONNECTION_RESET'})
    p.close()
  })

  test('window scaling: 256 KiB windows on both ends, or scaling refused by a 64 KiB peer', async () => {
    for (const serverWindow of [256 * 1024, 65535]) {
      const {a, b} = bytePipe({maxChunk: 8192})
      const client = attachTcp(new SlipLink(a, {heartbeatMs: 0}), {address: '192.168.35.1', receiveWindow: 256 * 1024})
      const server = attachTcp(new SlipLink(b, {heartbeatMs: 0}), {
        address: '192.168.35.2',
        receiveWindow: serverWindow,
      })
      echoServer(server)
      const data = randomBytes(1 << 20)
      expect(sha(await echo(client, data))).toBe(sha(data))
      a.destroy()
      b.destroy()
    }
  })

  test('interoperates with a peer that does not speak the CRC option', async () => {
    const {a, b} = bytePipe()
    const client = attachTcp(new SlipLink(a, {heartbeatMs: 0}), {address: '192.168.35.1'})
    const server = attachTcp(new SlipLink(b, {heartbeatMs: 0}), {address: '192.168.35.2', crc: false})
    echoServer(server)
    const s = client.connect('192.168.35.2', 7)
    const got = collect(s)
    s.end(Buffer.from('plain tcp'))
    expect((await got).toString()).toBe('plain tcp')
    expect(s.crcNegotiated).toBe(false)
    a.destroy()
    b.destroy()
  })

  test('many sequential connections: ports are reused, state stays bounded', async () => {
    const p = pair({}, {timeWaitMs: 50})
    echoServer(p.server)
    for (let i = 0; i < 60; i++) expect((await echo(p.client, Buffer.from(`n${i}`))).toString()).toBe(`n${i}`)
    await new Promise((r) => setTimeout(r, 300))
    expect(p.client.connectionCount).toBe(0)
    expect(p.server.connectionCount).toBe(0)
    p.close()
  })

  test('connections beyond maxConnections are refused', async () => {
    const {a, b} = bytePipe()
    const client = attachTcp(new SlipLink(a, {heartbeatMs: 0}), {address: '192.168.35.1'})
    const server = attachTcp(new SlipLink(b, {heartbeatMs: 0}), {address: '192.168.35.2', maxConnections: 2})
    server.listen(11, (s) => s.on('error', () => {}))
    const socks = [0, 1, 2].map(() => client.connect('192.168.35.2', 11))
    const results = await Promise.all(
      socks.map(
        (s) =>
          new Promise<string>((resolve) => {
            s.on('connect', () => resolve('connected'))
            s.on('error', (e: {code?: string}) => resolve(e.code ?? 'error'))
          }),
      ),
    )
    expect(results.filter((r) => r === 'connected')).toHaveLength(2)
    expect(results).toContain('TCP_CONNECTION_REFUSED')
    for (const s of socks) s.destroy()
    a.destroy()
    b.destroy()
  })
})

describe('dead peer detection', () => {
  /** Two stacks joined directly; `cut()` makes the line silently drop everything from then on. */
  function directPair(opts: TcpOptions = {}) {
    let dead = false
    const stacks: TcpStack[] = []
    const out = (to: () => TcpStack) => ({
      ready: true,
      send: (pkt: Buffer) => {
        if (!dead) setImmediate(() => to().input(pkt))
      },
    })
    stacks.push(
      new TcpStack(
        out(() => stacks[1]!),
        {address: '192.168.35.1', ...opts},
      ),
    )
    stacks.push(
      new TcpStack(
        out(() => stacks[0]!),
        {address: '192.168.35.2', ...opts},
      ),
    )
    return {client: stacks[0]!, server: stacks[1]!, cut: () => (dead = true)}
  }

  test('unacknowledged data to a vanished peer fails with TCP_TIMEOUT after the user timeout', async () => {
    const p = directPair({userTimeoutMs: 400, maxRtoMs: 100})
    p.server.listen(80, (s) => s.on('error', () => {}))
    const c = p.client.connect('192.168.35.2', 80)
    await new Promise((r) => c.once('connect', r))
    p.cut()
    const t0 = Date.now()
    const err = new Promise<unknown>((resolve) => c.on('error', resolve))
    c.write('request that never gets an answer')
    expect(await err).toMatchObject({code: 'TCP_TIMEOUT'})
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  test('an idle connection to a vanished peer fails by keepalive', async () => {
    const p = directPair({keepAliveIdleMs: 200, keepAliveIntervalMs: 100, keepAliveCount: 2})
    p.server.listen(80, (s) => s.on('error', () => {}))
    const c = p.client.connect('192.168.35.2', 80)
    await new Promise((r) => c.once('connect', r))
    p.cut()
    expect(await new Promise((resolve) => c.on('error', resolve))).toMatchObject({code: 'TCP_TIMEOUT'})
  })

  test('a live but idle peer answers keepalive probes', async () => {
    const p = directPair({keepAliveIdleMs: 200, keepAliveIntervalMs: 200, keepAliveCount: 5})
    p.server.listen(80, (s) => s.on('error', () => {}))
    const c = p.client.connect('192.168.35.2', 80)
    let failed = false
    c.on('error', () => (failed = true))
    await new Promise((r) => c.once('connect', r))
    await new Promise((r) => setTimeout(r, 800))
    expect(failed).toBe(false)
    expect(c.state).toBe('ESTABLISHED')
    c.destroy()
    p.client.destroy()
    p.server.destroy()
  })

  test('a link that closes fails every connection with LINK_DOWN', async () => {
    const p = pair()
    p.server.listen(80, (s) => s.on('error', () => {}))
    const c = p.client.connect('192.168.35.2', 80)
    await new Promise((r) => c.once('connect', r))
    const err = new Promise((resolve) => c.on('error', resolve))
    p.la.stream.destroy(new Error('EIO: i/o error, write'))
    expect(await err).toMatchObject({code: 'LINK_DOWN'})
    p.close()
  })
})
