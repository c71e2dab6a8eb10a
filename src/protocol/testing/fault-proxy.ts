import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {startPtyPair} from '../link/pty-pair.js'
import type {FaultOptions, FaultStats} from './prng.js'

/**
 * Test/bench helper for the serial link (shipped in dist/ so bench scripts can use it): two socat PTY pairs
 * with a separate Node process in between that forwards bytes both ways and drops / corrupts a configurable
 * fraction of them. Needs `socat` on the PATH (apt-get install socat).
 */

export interface FaultProxy {
  /** The client's end (open it like a device's serial port). */
  readonly clientPath: string
  /** The server's (simulated device's) end. */
  readonly serverPath: string
  /** Byte counts per direction, from the proxy process. */
  stats(): Promise<{clientToServer: FaultStats; serverToClient: FaultStats}>
  stop(): Promise<void>
}

// The proxy process: opens both inner PTY ends with serialport and forwards with seeded faults.
const PROXY_SOURCE = `
const [serialportUrl, p1, p2, optsJson] = process.argv.slice(1)
const {SerialPort} = await import(serialportUrl)
const opts = JSON.parse(optsJson)
// same algorithm as prng.ts (mulberry32 + per-byte drop/corrupt), inlined: this runs as plain JS
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
function faultInjector(o, stats) {
  const rnd = mulberry32(o.seed)
  return (chunk) => {
    stats.bytes += chunk.length
    const out = Buffer.allocUnsafe(chunk.length)
    let n = 0
    for (let i = 0; i < chunk.length; i++) {
      const r = rnd()
      if (r < o.dropRate) { stats.dropped++; continue }
      let b = chunk[i]
      if (r < o.dropRate + o.corruptRate) { b = (b ^ (1 + Math.floor(rnd() * 255))) & 0xff; stats.corrupted++ }
      out[n++] = b
    }
    return out.subarray(0, n)
  }
}
const open = (path) => new Promise((res, rej) => {
  const port = new SerialPort({path, baudRate: 115200, autoOpen: false})
  port.open((e) => (e ? rej(e) : res(port)))
})
const a = await open(p1)
const b = await open(p2)
const stats = {clientToServer: {bytes: 0, dropped: 0, corrupted: 0}, serverToClient: {bytes: 0, dropped: 0, corrupted: 0}}
const ab = faultInjector({...opts, seed: opts.seed}, stats.clientToServer)
const ba = faultInjector({...opts, seed: opts.seed + 1}, stats.serverToClient)
const pipe = (from, to, inject) => {
  from.on('data', (d) => { const out = inject(d); if (out.length && !to.write(out)) { from.pause(); to.once('drain', () => from.resume()) } })
}
pipe(a, b, ab)
pipe(b, a, ba)
for (const p of [a, b]) p.on('error', () => process.exit(3))
process.on('message', (m) => { if (m === 'stats') process.send({stats}) })
process.on('disconnect', () => process.exit(0)) // the test/bench process is gone
process.send({ready: true})
`

/**
 * Two socat PTY pairs joined by a separate Node process that forwards bytes both ways, dropping `dropRate` and
 * corrupting `corruptRate` of them (seeded, reproducible). Client and server each open one outer end.
 */
export async function startFaultProxy(opts: FaultOptions & {dir?: string} = {}): Promise<FaultProxy> {
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sphere-fault-'))
  const p1 = await startPtyPair({dir, name: 'client'})
  const p2 = await startPtyPair({dir, name: 'server'})
  const require = createRequire(import.meta.url)
  const serialportUrl = pathToFileURL(require.resolve('serialport')).href
  const options = {dropRate: opts.dropRate ?? 0.005, corruptRate: opts.corruptRate ?? 0.005, seed: opts.seed ?? 1}
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', PROXY_SOURCE, serialportUrl, p1.b, p2.a, JSON.stringify(options)],
    {stdio: ['ignore', 'ignore', 'pipe', 'ipc']},
  )
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stopAll = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await p1.stop()
    await p2.stop()
    if (ownDir) rmSync(dir, {recursive: true, force: true})
  }
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`fault proxy did not start: ${stderr.trim()}`)), 10000)
    child.once('message', () => {
      clearTimeout(t)
      resolve()
    })
    child.once('exit', () => {
      clearTimeout(t)
      reject(new Error(`fault proxy exited: ${stderr.trim()}`))
    })
  }).catch(async (e: unknown) => {
    await stopAll()
    throw e
  })
  return {
    clientPath: p1.a,
    serverPath: p2.b,
    stats: () =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('fault proxy did not answer')), 5000)
        child.once('message', (m: unknown) => {
          clearTimeout(t)
          resolve((m as {stats: {clientToServer: FaultStats; serverToClient: FaultStats}}).stats)
        })
        child.send('stats')
      }),
    stop: stopAll,
  }
}
