import {createHash, randomBytes} from 'node:crypto'
import http from 'node:http'

import {describe, expect, test} from '@jest/globals'

import {attachTcp, SlipLink} from '../../../src/protocol/link/slip-link.js'
import type {TcpSocket, TcpStack} from '../../../src/protocol/link/tcp.js'
import {bytePipe, type BytePipeOptions} from '../../../src/protocol/testing/memory.js'

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

function pair(opts: BytePipeOptions = {}, tcp: Parameters<typeof attachTcp>[1] extends infer T ? Partial<T> : never = {}) {
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
        {createConnection: () => p.client.connect('192.168.35.2', 80), method: 'PUT', path: '/update/stage', host: '192.168.35.2'},
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

  test('lossy line (1% bytes dropped/corrupted): echo is intact', async () => {
    const p = pair({dropRate: 0.005, corruptRate: 0.005, seed: 42, maxChunk: 300})
    echoServer(p.server)
    const data = randomBytes(4096)
    const got = await echo(p.client, data)
    expect(sha(got)).toBe(sha(data))
    p.close()
  })

  test('connection refused on a closed port', async () => {
    const p = pair()
    const s = p.client.connect('192.168.35.2', 81)
    await expect(new Promise((_r, reject) => s.on('error', reject))).rejects.toMatchObject({code: 'TCP_CONNECTION_REFUSED'})
    p.close()
  })
})
