// Serial link benchmark (run `npm run build` first): wire efficiency and throughput of HTTP over SLIP + our
// userspace TCP on a socat PTY pair, against a raw copy of the same bytes through the same PTY in the same run.
//   node bench/serial-link.js [--mib 8] [--json]
// Wire efficiency = payload bytes / all bytes written to the line in both directions (SLIP escaping, END bytes,
// IPv4 + TCP headers + our CRC option, ACKs, HTTP headers, heartbeats). Goal >= 0.97 for a large transfer. The same
// PUT as HTTPS on 443 (what a board and the simulator's --serial mode speak) is reported beside it: TLS records add
// ~29 bytes per 16 KiB.
import {createHash, randomBytes} from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createSerialTransport} from '../dist/device/transport/index.js'
import {openSerialPort, serveSerial} from '../dist/protocol/link/index.js'
import {startPtyPair} from '../dist/protocol/testing/index.js'
import {serverTls} from '../dist/os/services/tls.js'

const args = process.argv.slice(2)
const mib = Number(args[args.indexOf('--mib') + 1] || 8)
const asJson = args.includes('--json')
const SIZE = (args.includes('--mib') ? mib : 8) * 1024 * 1024
const payload = randomBytes(SIZE) // random bytes: ~0.8 % of them need SLIP escaping, the realistic worst case
const sha = (b) => createHash('sha256').update(b).digest('hex')

/** Raw copy: write the payload into end A, time until end B has read every byte. */
async function rawCopy(pty) {
  const a = await openSerialPort(pty.a)
  const b = await openSerialPort(pty.b)
  const t0 = performance.now()
  await new Promise((resolve) => {
    let got = 0
    b.on('data', (d) => {
      got += d.length
      if (got >= SIZE) resolve()
    })
    a.write(payload)
  })
  const ms = performance.now() - t0
  await Promise.all([new Promise((r) => a.close(r)), new Promise((r) => b.close(r))])
  return ms
}

/**
 * HTTP PUT of the payload over the link (client: createSerialTransport, device: serveSerial + http.Server); with
 * `tls`, HTTPS on 443 as a board serves it (https.Server with a 192.168.35.2 leaf, the client pinning its CA).
 */
async function httpOverLink(pty, tls) {
  let received = ''
  const handler = (req, res) => {
    const h = createHash('sha256')
    req.on('data', (d) => h.update(d))
    req.on('end', () => {
      received = h.digest('hex')
      res.end('{}')
    })
  }
  const server = tls ? https.createServer({key: tls.key, cert: tls.cert}, handler) : http.createServer(handler)
  const device = await serveSerial(pty.b, server, {heartbeatMs: 0})
  const host = await createSerialTransport(pty.a, tls ? {heartbeatMs: 0, ca: tls.ca} : {heartbeatMs: 0, raw: true})
  // warm-up request (JIT, first RTT samples) is not counted
  await put(host, Buffer.alloc(1024))
  const before = {h: host.stats(), d: device.stats()}
  const t0 = performance.now()
  await put(host, payload)
  const ms = performance.now() - t0
  const after = {h: host.stats(), d: device.stats()}
  await host.close()
  await device.close()
  if (received !== sha(payload)) throw new Error('payload corrupted over the link')
  const hostTx = after.h.link.txBytes - before.h.link.txBytes
  const deviceTx = after.d.link.txBytes - before.d.link.txBytes
  return {ms, hostTx, deviceTx, retransmits: after.h.tcp.retransmits - before.h.tcp.retransmits}
}

function put(t, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {createConnection: () => t.createConnection(), method: 'PUT', path: '/update/stage', host: '192.168.35.2'},
      (res) => {
        res.resume()
        res.on('end', resolve)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const pty = await startPtyPair()
try {
  const rawMs = Math.min(await rawCopy(pty), await rawCopy(pty))
  const link = await httpOverLink(pty)
  const tlsDir = mkdtempSync(join(tmpdir(), 'sphere-bench-tls-'))
  const secure = await httpOverLink(pty, serverTls(tlsDir, '192.168.35.2')).finally(() => rmSync(tlsDir, {recursive: true, force: true}))
  const wire = link.hostTx + link.deviceTx
  const result = {
    bytes: SIZE,
    rawCopyMs: Math.round(rawMs),
    rawMiBps: +(SIZE / 1048576 / (rawMs / 1000)).toFixed(2),
    linkMs: Math.round(link.ms),
    linkMiBps: +(SIZE / 1048576 / (link.ms / 1000)).toFixed(2),
    throughputRatio: +(rawMs / link.ms).toFixed(3),
    wireBytesForward: link.hostTx,
    wireBytesReverse: link.deviceTx,
    efficiencyForward: +(SIZE / link.hostTx).toFixed(4),
    efficiency: +(SIZE / wire).toFixed(4),
    retransmits: link.retransmits,
    httpsMs: Math.round(secure.ms),
    httpsMiBps: +(SIZE / 1048576 / (secure.ms / 1000)).toFixed(2),
    httpsThroughputRatio: +(rawMs / secure.ms).toFixed(3),
    httpsEfficiency: +(SIZE / (secure.hostTx + secure.deviceTx)).toFixed(4),
    efficiencyGoal: 0.97,
  }
  result.pass = result.efficiency >= result.efficiencyGoal
  if (asJson) console.log(JSON.stringify(result))
  else {
    console.log(`serial link, ${SIZE / 1048576} MiB of random bytes over a socat PTY`)
    console.log(`  raw copy through the PTY     ${result.rawCopyMs} ms  (${result.rawMiBps} MiB/s)  [baseline]`)
    console.log(
      `  HTTP PUT over SLIP+IP+TCP    ${result.linkMs} ms  (${result.linkMiBps} MiB/s)  ratio ${result.throughputRatio}`,
    )
    console.log(
      `  HTTPS PUT (TLS on 443, as a board) ${result.httpsMs} ms  (${result.httpsMiBps} MiB/s)  ratio ${result.httpsThroughputRatio}, wire efficiency ${result.httpsEfficiency}`,
    )
    console.log(`  wire bytes host->device ${result.wireBytesForward}, device->host ${result.wireBytesReverse}`)
    console.log(
      `  wire efficiency ${result.efficiency} (forward only ${result.efficiencyForward}), goal >= 0.97: ${result.pass ? 'PASS' : 'FAIL'}`,
    )
  }
  process.exitCode = result.pass ? 0 : 1
} finally {
  await pty.stop()
}
