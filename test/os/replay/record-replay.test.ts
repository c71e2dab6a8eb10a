import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import dgram from 'node:dgram'
import net from 'node:net'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadOrCreateDevKey, loadTrustStore, packApplication, type AppManifest} from '../../../src/image/index.js'
import {netAppBinary, Mode} from '../network/helpers.js'
import {parseRecording} from '../../../src/os/replay/recording.js'
import {replay} from '../../../src/os/replay/replayer.js'
import {applyWorldFile, worldSettled} from '../../../src/os/services/world-file.js'
import {firstDifference, parseTrace} from '../../../src/os/replay/trace.js'
import {buildFixturePackage, cidOf} from '../../helpers/apps.js'
import {CACHE_DIR} from '../helpers.js'
import {readLines, recordedDevice} from './helpers.js'

let home: string
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sphere-replay-home-'))
})
afterAll(() => rmSync(home, {recursive: true, force: true}))

async function sideload(dev: Awaited<ReturnType<typeof recordedDevice>>, pkg: Uint8Array): Promise<void> {
  expect((await dev.req('PUT', '/update/stage', pkg)).status).toBe(200)
  expect((await dev.req('POST', '/update/install', {appControlMode: 'Auto'})).status).toBe(200)
}

/** The socket test app (test/os/network/net-app.wat) as a UDP echo server on port 4730, signed for sideloading. */
async function udpEchoPackage(): Promise<{bytes: Uint8Array; componentId: string}> {
  return netPackage(7, Mode.udpEcho, 4730, {AllowedUdpServerPorts: [4730]})
}

async function netPackage(n: number, mode: number, port: number, caps: object): Promise<{bytes: Uint8Array; componentId: string}> {
  const componentId = cidOf(n)
  const manifest = {
    SchemaVersion: 1,
    Name: `net-${n}`,
    ComponentId: componentId,
    EntryPoint: '/bin/app',
    CmdArgs: [String(mode), String(port), '0'],
    Capabilities: caps,
    ApplicationType: 'Default',
  } as unknown as AppManifest
  return {bytes: packApplication({manifest, files: {'bin/app': await netAppBinary()}, key: loadOrCreateDevKey(home)}), componentId}
}

describe('record / replay', () => {
  test('a recorded 10-minute session (sideloads, button presses, restarts) replays to the same trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-rec-'))
    try {
      const file = join(dir, 'session.rec')
      const blink = await buildFixturePackage(home, dir, 'blink', {n: 1, capabilities: {Gpio: [8]}})
      const button = await buildFixturePackage(home, dir, 'button', {n: 2, capabilities: {Gpio: [12, 15]}})
      // the app's UDP port 4730 is reachable from the host on an ephemeral port
      mkdirSync(join(dir, 'state'), {recursive: true})
      writeFileSync(join(dir, 'state', 'network.json'), JSON.stringify({ports: {'4730': 0}}))
      const dev = await recordedDevice(home, dir, {file, multiApp: true}) // blink, the echo app and the button app side by side
      await sideload(dev, blink.bytes)
      await dev.req('POST', '/sphere/clock/advance', {ms: 60_000})
      // network traffic: a datagram from the host, echoed back by the app
      const echo = await udpEchoPackage()
      await sideload(dev, echo.bytes)
      await dev.req('POST', '/sphere/clock/advance', {ms: 50})
      const l = dev.backend.device.network.listeners().find((x) => x.componentId === echo.componentId)
      expect(l).toBeDefined()
      const client = dgram.createSocket('udp4')
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', r))
      let got: string | undefined
      client.on('message', (m) => (got = m.toString()))
      client.send('hi-there', l!.hostPort, '127.0.0.1')
      for (let i = 0; i < 200 && got === undefined; i++) await dev.req('POST', '/sphere/clock/advance', {ms: 20})
      client.close()
      expect(got).toBe('hi-there')
      // removed again (a server waiting on the host makes the fast-forward clock follow wall time)
      expect((await dev.req('DELETE', `/app/image/${echo.componentId}`)).status).toBe(200)
      await sideload(dev, button.bytes)
      for (let i = 0; i < 8; i++) {
        await dev.req('POST', '/sphere/clock/advance', {ms: 30_000 + i * 1_777})
        expect((await dev.req('POST', '/sphere/world/press', {button: 'A', holdMs: 150 + i * 10})).status).toBe(200)
      }
      // an input that is refused is an input too (it leaves an audit record)
      expect((await dev.req('PATCH', `/app/status/${cidOf(9)}`, {trigger: 'start'})).status).not.toBe(200)
      await dev.req('PATCH', `/app/status/${cidOf(1)}`, {trigger: 'stop'})
      await dev.req('POST', '/sphere/clock/advance', {ms: 45_000})
      await dev.req('PATCH', `/app/status/${cidOf(1)}`, {trigger: 'start'})
      await dev.req('POST', '/restart')
      await dev.req('POST', '/sphere/clock/advance', {ms: 600_000 - 60_000 - 8 * 30_000 - 45_000})
      await dev.stop()

      const original = readLines(`${file}.trace`)
      expect(original.length).toBeGreaterThan(1000)
      const trace = parseTrace(original.join('\n'))
      // it did what the inputs say: LED1 blinked, the button's LED followed the presses, there was a second boot
      expect(trace.filter((e) => e.kind === 'pin' && e.gpio === 8).length).toBeGreaterThan(500)
      expect(trace.some((e) => e.kind === 'pin' && e.gpio === 15)).toBe(true)
      expect(trace.some((e) => e.boot === 1)).toBe(true)
      expect(trace.some((e) => e.kind === 'log' && e.text === 'data:hi-there')).toBe(true)
      expect(trace.some((e) => e.kind === 'audit' && e.operation === 'net.inbound' && e.allowed)).toBe(true)
      expect(trace.some((e) => e.kind === 'audit' && e.operation.startsWith('gpio'))).toBe(true)

      const rec = parseRecording(readFileSync(file, 'utf8'), file)
      expect(rec.inputs.filter((i) => i.in === 'rest').length).toBeGreaterThan(20)
      // the datagram is in the recording as a host input (its bytes in base64)
      expect(rec.inputs.some((i) => i.in === 'host' && JSON.stringify(i.args).includes(Buffer.from('hi-there').toString('base64')))).toBe(true)
      const r = await replay(rec, {trust: loadTrustStore(home), cacheDir: CACHE_DIR})
      expect(firstDifference(trace, parseTrace(r.trace!.join('\n')))).toBeUndefined()
      expect(r.trace).toEqual(original)
      expect(r.boot).toBe(1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)

  test('a recorded crash replays to the same crash at the same virtual time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-rec-'))
    try {
      const file = join(dir, 'crash.rec')
      const app = await buildFixturePackage(home, dir, 'press-crash', {n: 3, capabilities: {Gpio: [12]}})
      const dev = await recordedDevice(home, dir, {file})
      await sideload(dev, app.bytes)
      for (const gap of [1_000, 2_345, 777]) {
        await dev.req('POST', '/sphere/clock/advance', {ms: gap})
        await dev.req('POST', '/sphere/world/press', {button: 'A', holdMs: 60})
      }
      await dev.req('POST', '/sphere/clock/advance', {ms: 5_000})
      await dev.stop()
      const trace = parseTrace(readFileSync(`${file}.trace`, 'utf8'))
      const crash = trace.find((e) => e.kind === 'process' && e.state === 'crashed')
      expect(crash).toBeDefined()
      const r = await replay(parseRecording(readFileSync(file, 'utf8')), {trust: loadTrustStore(home), cacheDir: CACHE_DIR})
      const replayed = parseTrace(r.trace!.join('\n'))
      const again = replayed.find((e) => e.kind === 'process' && e.state === 'crashed')
      expect(again).toEqual(crash)
      expect(firstDifference(trace, replayed)).toBeUndefined()

      // a recording that does not match what the device does is reported, not replayed into something else:
      // the last press moved to a time the device had already passed
      const rec = parseRecording(readFileSync(file, 'utf8'))
      const presses = rec.inputs.filter((i) => i.in === 'rest' && i.url === '/sphere/world/press')
      const last = presses.at(-1)!
      const tampered = {...rec, inputs: rec.inputs.map((i) => (i === last ? {...i, t: i.t - 1_000_000} : i))}
      await expect(replay(tampered, {trust: loadTrustStore(home), cacheDir: CACHE_DIR})).rejects.toThrow(
        /input \d+ \(rest POST \/sphere\/world\/press\) was recorded at \d+ ns, the replay is at \d+ ns/,
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)
})

describe('record / replay of a TCP connection', () => {
  test('a host client connects to an app server, sends, gets the echo; the replay has no host socket and the same trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-rec-'))
    try {
      const file = join(dir, 'tcp.rec')
      mkdirSync(join(dir, 'state'), {recursive: true})
      writeFileSync(join(dir, 'state', 'network.json'), JSON.stringify({ports: {'4740': 0}}))
      const dev = await recordedDevice(home, dir, {file})
      const app = await netPackage(8, Mode.tcpServer, 4740, {AllowedTcpServerPorts: [4740]})
      await sideload(dev, app.bytes)
      let l
      for (let i = 0; i < 100 && !l; i++) {
        await dev.req('POST', '/sphere/clock/advance', {ms: 10})
        l = dev.backend.device.network.listeners().find((x) => x.componentId === app.componentId)
      }
      expect(l).toBeDefined()
      const sock = net.connect({host: '127.0.0.1', port: l!.hostPort})
      let got = ''
      sock.on('data', (d: Buffer) => (got += d.toString()))
      await new Promise<void>((r) => sock.once('connect', () => r()))
      sock.write('tcp-hello')
      for (let i = 0; i < 200 && got === ''; i++) await dev.req('POST', '/sphere/clock/advance', {ms: 10})
      expect(got).toBe('tcp-hello')
      sock.destroy()
      await dev.req('POST', '/sphere/clock/advance', {ms: 100})
      await dev.stop()
      const trace = parseTrace(readFileSync(`${file}.trace`, 'utf8'))
      expect(trace.some((e) => e.kind === 'log' && e.text === 'data:tcp-hello')).toBe(true)
      const r = await replay(parseRecording(readFileSync(file, 'utf8')), {trust: loadTrustStore(home), cacheDir: CACHE_DIR})
      expect(firstDifference(trace, parseTrace(r.trace!.join('\n')))).toBeUndefined()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)
})

describe('record / replay of serial bytes', () => {
  test('bytes a host PTY sends to an app UART are recorded and replayed without the PTY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sphere-rec-'))
    try {
      const file = join(dir, 'uart.rec')
      const link = join(dir, 'isu0')
      const world = `uarts:\n  ISU0:\n    pty: ${link}\n`
      const app = await buildFixturePackage(home, dir, 'uart-log', {n: 5, capabilities: {Uart: ['ISU0']}})
      const dev = await recordedDevice(home, dir, {file, world})
      applyWorldFile(dev.backend.device, world)
      await worldSettled(dev.backend.device.world)
      await sideload(dev, app.bytes)
      await dev.req('POST', '/sphere/clock/advance', {ms: 100})
      const {SerialPort} = await import('serialport')
      const host = new SerialPort({path: link, baudRate: 115200, autoOpen: false})
      await new Promise<void>((res, rej) => host.open((e) => (e ? rej(e) : res())))
      try {
        for (const text of ['ping from host', 'second']) {
          await new Promise<void>((r) => host.write(text, () => host.drain(() => r())))
          for (let i = 0; i < 100 && !dev.backend.device.appLog(app.componentId).includes(text); i++) {
            await new Promise((r) => setTimeout(r, 10))
            await dev.req('POST', '/sphere/clock/advance', {ms: 20})
          }
        }
      } finally {
        await new Promise<void>((r) => host.close(() => r()))
      }
      await dev.req('POST', '/sphere/clock/advance', {ms: 500})
      await dev.stop()
      const trace = parseTrace(readFileSync(`${file}.trace`, 'utf8'))
      const rx = trace.filter((e) => e.kind === 'log' && e.text.startsWith('rx:')).map((e) => (e as {text: string}).text.slice(3))
      expect(rx.join('')).toBe('ping from hostsecond')
      const rec = parseRecording(readFileSync(file, 'utf8'))
      expect(rec.inputs.some((i) => i.in === 'host' && i.source === 'uart')).toBe(true)
      const r = await replay(rec, {trust: loadTrustStore(home), cacheDir: CACHE_DIR})
      expect(firstDifference(trace, parseTrace(r.trace!.join('\n')))).toBeUndefined()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 120_000)
})
