/**
 * The simulator daemon: one process per simulated device. Boots the Device from its state directory
 * and serves the device REST API on a Unix socket (the CLI), and optionally on a PTY serial link
 * (HTTPS on 192.168.35.2:443 over SLIP + TCP, as a board's service UART), over HTTPS on TCP, and the host device-list service.
 *
 * Started detached by the CLI (src/device/sims.ts) as:
 *   node dist/os/daemon.js --home H --name N --socket S [--serial] [--listen HOST:PORT]
 *                          [--service-listen HOST:PORT] [--world FILE] [--clock realtime|fast-forward]
 *                          [--record FILE] [--multi-app]
 * --multi-app (ours, not a real device's): several high-level apps side by side instead of one.
 * With --record every input is written to FILE and the trace of the run to FILE.trace (src/os/replay); a
 * recorded realtime device runs paced (the deterministic clock following wall time). A fast-forward device
 * keeps its inputs in memory, so it can be snapshotted.
 * It writes <home>/sims/<name>/daemon.json once every listener is up and removes it on a clean exit.
 */
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {parseArgs} from 'node:util'
import {loadTrustStore} from '../image/index.js'
import {DEVICE_ADDRESS, serveSerial, startPtyPair, type PtyPair} from '../protocol/link/index.js'
import {writeFileAtomic} from '../util/atomic-file.js'
import type {ClockMode} from './kernel/clock.js'
import {applyWorldFile, worldSettled} from './services/world-file.js'
import {RecordSession} from './replay/service.js'
import {
  DeviceRestBackend,
  serialServer,
  createRestServer,
  listenHttps,
  listenService,
  listenUnix,
  serverTls,
  ensureDeviceCa,
  type RestListener,
} from './rest/index.js'

interface Closer {
  close(): Promise<void>
}

function log(msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`)
}

function splitHostPort(v: string, flag: string): {host: string; port: number} {
  const i = v.lastIndexOf(':')
  const host = v.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(v.slice(i + 1))
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag}: expected HOST:PORT, got '${v}'`)
  return {host, port}
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      home: {type: 'string'},
      name: {type: 'string', default: 'default'},
      socket: {type: 'string'},
      serial: {type: 'boolean', default: false},
      'serial-port': {type: 'string'},
      listen: {type: 'string'},
      'service-listen': {type: 'string'},
      world: {type: 'string'},
      internet: {type: 'boolean', default: false},
      clock: {type: 'string', default: 'realtime'},
      record: {type: 'string'},
      'multi-app': {type: 'boolean', default: false},
    },
  })
  if (!values.home || !values.socket) throw new Error('--home and --socket are required')
  const home = values.home
  const name = values.name ?? 'default'
  const simDir = join(home, 'sims', name)
  const stateDir = join(simDir, 'state')
  mkdirSync(stateDir, {recursive: true})
  const clock = (values.clock === 'fast-forward' ? 'fast-forward' : 'realtime') as ClockMode

  const closers: Closer[] = []
  const trust = loadTrustStore(home)
  const worldText = values.world ? readFileSync(values.world, 'utf8') : null
  // record / replay and snapshots: a recorded device (file) or a fast-forward one (inputs kept in memory)
  const openSession = (): RecordSession =>
    new RecordSession({
      stateDir,
      clock: clock === 'fast-forward' ? 'fast-forward' : 'paced',
      world: worldText,
      ...(values.record ? {file: values.record, traceFile: `${values.record}.trace`} : {}),
      snapshotDir: join(home, 'snapshots'),
      trust,
      cacheDir: join(home, 'cache'),
      multiApp: values['multi-app'],
    })
  let session: RecordSession | undefined
  if (values.record) session = openSession()
  else if (clock === 'fast-forward') {
    // the in-memory input log that snapshots need; a state too large to start one from only costs snapshots
    try {
      session = openSession()
    } catch (e) {
      log(`no input log, snapshots are off: ${(e as Error).message}`)
    }
  }
  const backend = await DeviceRestBackend.boot({
    stateDir,
    clock,
    trust,
    cacheDir: join(home, 'cache'),
    ...(values.internet ? {network: {internet: true}} : {}),
    ...(values['multi-app'] ? {multiApp: true} : {}),
    ...session?.bootOptions(),
  })
  if (worldText !== null) {
    applyWorldFile(backend.device, worldText, {baseDir: dirname(resolve(values.world!))})
    await backend.device.internet.ready()
    // a recorded device starts taking inputs once its host bridges are up (a replay waits for them too)
    if (session) await worldSettled(backend.device.world)
  }
  if (values.internet) log("internet: names the device does not know go to the host's resolver")
  if (values['multi-app']) log('multi-app: several high-level apps may run side by side (not a real device)')
  const handler = createRestServer(backend, {
    stateDir,
    name,
    transport: 'unix',
    ...(session ? {inputs: session.inputs, replay: session.services(backend)} : {}),
  })
  if (values.record) log(`recording every input to ${values.record} (trace: ${values.record}.trace)`)
  const unix: RestListener = await listenUnix(handler, values.socket)
  closers.push(unix)
  log(`device ${backend.device.deviceId().slice(0, 16)}… serving ${unix.url}`)

  let pty: PtyPair | undefined
  let serialPath: string | undefined
  if (values.serial || values['serial-port']) {
    // the service UART: HTTPS on 192.168.35.2:443 over SLIP, with a leaf for that address signed by the device CA
    ensureDeviceCa(stateDir, {deviceName: name})
    const tls = serverTls(stateDir, DEVICE_ADDRESS)
    if (values.serial) {
      for (const f of ['ttyA', 'ttyB']) rmSync(join(simDir, f), {force: true})
      pty = await startPtyPair({dir: simDir, name: 'tty'})
      const serial = await serveSerial(pty.a, serialServer(handler, tls))
      closers.push(serial)
      serialPath = pty.b
      log(`serial link on ${serialPath} (HTTPS on ${DEVICE_ADDRESS}:${serial.port})`)
    }
    if (values['serial-port']) {
      // serve on an existing serial device (a USB-serial adapter, a null-modem cable, a test proxy's PTY)
      const serial = await serveSerial(values['serial-port'], serialServer(handler, tls))
      closers.push(serial)
      log(`serial link served on ${values['serial-port']} (HTTPS on ${DEVICE_ADDRESS}:${serial.port})`)
    }
  }
  let listen: string | undefined
  if (values.listen) {
    const {host, port} = splitHostPort(values.listen, '--listen')
    ensureDeviceCa(stateDir, {deviceName: name})
    const tls = serverTls(stateDir, host)
    const l = await listenHttps(handler, host, port, tls)
    closers.push(l)
    listen = `${host}:${l.port}`
    log(`HTTPS device API on ${l.url}`)
  }
  let serviceListen: string | undefined
  if (values['service-listen']) {
    const {host, port} = splitHostPort(values['service-listen'], '--service-listen')
    const l = await listenService(() => [{IpAddress: listen ? listen.split(':')[0]! : '192.168.35.2', DeviceConnectionPath: serialPath ?? values.socket!}], host, port)
    closers.push(l)
    serviceListen = `${host}:${l.port}`
  }

  const info = {
    name,
    pid: process.pid,
    socketPath: values.socket,
    startedAt: new Date().toISOString(),
    deviceId: backend.device.deviceId(),
    ...(serialPath ? {serialPath} : {}),
    ...(listen ? {listen} : {}),
    ...(serviceListen ? {serviceListen} : {}),
    ...(values['multi-app'] ? {multiApp: true} : {}),
  }
  const infoPath = join(simDir, 'daemon.json')
  writeFileAtomic(infoPath, JSON.stringify(info, null, 2) + '\n')

  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`stopping (${signal})`)
    const hard = setTimeout(() => process.exit(1), 8000)
    hard.unref()
    try {
      const cur = existsSync(infoPath) ? (JSON.parse(readFileSync(infoPath, 'utf8')) as {pid?: number}) : undefined
      if (cur?.pid === process.pid) rmSync(infoPath, {force: true})
    } catch {
      // a record we cannot read is not ours to remove
    }
    for (const c of closers.reverse()) await c.close().catch(() => undefined)
    session?.end()
    await pty?.stop().catch(() => undefined)
    await backend.shutdown().catch(() => undefined)
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGHUP', () => void stop('SIGHUP'))
}

main().catch((e: unknown) => {
  // an expected failure (e.g. STATE_CORRUPT: a damaged state directory) is one line, the last of the log,
  // which is what the CLI shows when the daemon does not come up
  const code = (e as {code?: unknown}).code
  log(
    typeof code === 'string' && /^[A-Z_]+$/.test(code)
      ? `fatal: ${code}: ${(e as Error).message}`
      : `fatal: ${(e as Error).stack ?? String(e)}`,
  )
  process.exit(1)
})
