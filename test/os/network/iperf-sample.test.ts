/**
 * Issue 14 acceptance (Iperf): the unmodified Iperf sample from Azure/azure-sphere-samples
 * (test/fixtures/samples/Samples/Iperf, MIT, with its LICENSE.txt; its `iperf` submodule is esnet/iperf at the
 * commit the sample pins, 76bd67f6 = iperf 3.11, with its LICENSE) builds with the C SDK and runs a client
 * session against a real `iperf3` server on the host (Debian's iperf3). The manifest's placeholders are filled as
 * the sample's README says (server address and port in CmdArgs and AllowedConnections) and the test length is
 * set to 3 s with the same CmdArgs (`-t`), which the README documents as the place to configure it. The device
 * runs in real time so the throughput iperf reports is wall-clock throughput; the test checks the report in the
 * app log against what the server itself received.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {loadTrustStore} from '../../../src/image/index.js'
import {Device} from '../../../src/os/index.js'
import {buildApp, type BuildResult} from '../../../src/sdk/index.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../../sdk/helpers.js'

const iperf3Present = spawnSync('iperf3', ['--version']).status === 0
const d = toolchainPresent && iperf3Present ? describe : describe.skip

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Does a TCP socket listen on 127.0.0.1:port (Linux /proc/net/tcp, state 0A)? */
function listening(port: number): boolean {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/)
      return f[1] === hex && f[3] === '0A'
    })
}

/** A transfer as iperf prints it ("141 MBytes") in bytes (iperf's units are powers of 1024). */
function bytesOf(amount: string, unit: string): number {
  const k = {Bytes: 1, KBytes: 1024, MBytes: 1024 ** 2, GBytes: 1024 ** 3}[unit]
  if (k === undefined) throw new Error(`unknown unit ${unit}`)
  return Number(amount) * k
}

d('Iperf sample on the simulator against a real iperf3 server', () => {
  let root: string
  let home: string
  let built: BuildResult
  let dev: Device
  let cid: string
  let server: ChildProcess
  let serverJson = ''
  let serverExit: Promise<number | null>
  let port: number

  beforeAll(async () => {
    root = tempDir('sphere-iperf-')
    home = join(root, 'home')
    copySamples(root)
    port = await freePort()
    const dir = join(root, 'Samples/Iperf')
    const manifestPath = join(dir, 'app_manifest.json')
    const text = readFileSync(manifestPath, 'utf8')
      .replaceAll('<IPERF SERVER IP ADDRESS>', '127.0.0.1')
      .replaceAll('<IPERF SERVER PORT>', String(port))
    const manifest = JSON.parse(text) as {CmdArgs: string[]}
    manifest.CmdArgs[manifest.CmdArgs.indexOf('-t') + 1] = '3'
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
    const env = {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}
    built = await buildApp({dir, env, sphereHome: home})

    server = spawn('iperf3', ['-s', '-1', '-J', '-B', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    server.stdout!.on('data', (b: Buffer) => (serverJson += b.toString()))
    serverExit = new Promise((r) => server.on('exit', (code) => r(code)))
    // the server is up once its port listens (a probe connection would be the one session `-1` serves)
    for (let i = 0; i < 200 && !listening(port); i++) await new Promise((r) => setTimeout(r, 25))
    expect(listening(port)).toBe(true)
    dev = await Device.boot({stateDir: join(root, 'state'), clock: 'realtime', trust: loadTrustStore(home)})
    const st = await dev.installPackage(readFileSync(built.apps[0]!.imagePackage), {start: true})
    cid = st.componentId
  }, 300_000)
  afterAll(async () => {
    await dev?.shutdown()
    server?.kill()
    removeDir(root)
  })

  test('the client session runs to the end and reports its throughput in the app log', async () => {
    const t0 = Date.now()
    while (Date.now() - t0 < 60_000 && !/iperf Done\.|exited with code|crashed/.test(dev.appLog(cid)))
      await dev.runFor(200)
    const log = dev.appLog(cid)
    expect(log).toContain(`Connecting to host 127.0.0.1, port ${port}`)
    expect(log).toMatch(
      new RegExp(`\\[\\s*\\d+\\] local 127\\.0\\.0\\.1 port \\d+ connected to 127\\.0\\.0\\.1 port ${port}`),
    )
    expect(log).toContain('iperf Done.')
    expect(log).toContain('[os] pid')
    expect(log).toMatch(/exited with code 0/)
    // three one-second intervals, then the summary: sender and receiver lines with a bitrate
    expect(log.match(/sec\s+[\d.]+ [KMG]?Bytes\s+[\d.]+ [KMG]?bits\/sec\s*\n/g)?.length).toBeGreaterThanOrEqual(3)
    const sender = /0\.00-(\d+\.\d+)\s+sec\s+([\d.]+) ([KMG]?Bytes)\s+([\d.]+) ([KMG]?)bits\/sec\s+sender/.exec(log)
    const receiver = /0\.00-(\d+\.\d+)\s+sec\s+([\d.]+) ([KMG]?Bytes)\s+([\d.]+) ([KMG]?)bits\/sec\s+receiver/.exec(log)
    expect(sender).not.toBeNull()
    expect(receiver).not.toBeNull()
    expect(Number(sender![1])).toBeGreaterThanOrEqual(3)
    expect(Number(sender![4])).toBeGreaterThan(0)

    // the server's own account of the bytes it received matches what the app reports for the receiver
    expect(await serverExit).toBe(0)
    const report = JSON.parse(serverJson) as {end: {sum_received: {bytes: number}}}
    const received = report.end.sum_received.bytes
    expect(received).toBeGreaterThan(1024 * 1024)
    const logged = bytesOf(receiver![2]!, receiver![3]!)
    // iperf prints three significant digits
    expect(Math.abs(logged - received) / received).toBeLessThan(0.01)
    process.stdout.write(
      `iperf: ${sender![4]} ${sender![5]}bit/s sender, ${(received / 1048576).toFixed(1)} MiB received by the host's iperf3\n`,
    )
  }, 90_000)

  test('the connection was an LSM decision on the server address the manifest lists', () => {
    const connects = dev.auditLog({componentId: cid}).filter((r) => r.operation === 'net.connect')
    expect(connects.length).toBeGreaterThanOrEqual(2) // iperf's control connection and its data stream
    for (const r of connects) {
      expect(r).toMatchObject({allowed: true, object: `host=127.0.0.1 port=${port}`})
      expect(r.reason).toBe('127.0.0.1 is in Capabilities.AllowedConnections')
    }
  })
})
