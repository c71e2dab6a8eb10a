/**
 * Issue 15 acceptance, the two lines about the connection itself, through the built CLI against the local hub:
 *  - the hub goes away mid-run (`sphere hub stop`) and comes back (`sphere hub start`): the app (the C test app
 *    test/fixtures/azure-iot-app, numbered telemetry with message IDs m-1..m-N, built by the C SDK) sees the
 *    disconnect reason the Azure IoT C SDK gives for a lost connection, retries with growing back-off, reconnects,
 *    and `sphere hub monitor-events` (running across the restart) shows every message the hub acknowledged once;
 *    while it is away, the monitor's header (`device monitor --once`) shows the app's client retrying and why;
 *  - the same app with a manifest that does not list the hub in AllowedConnections never reaches it: the LSM's
 *    denial is in the device's audit log and the hub never sees the device.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildApp} from '../../src/sdk/index.js'
import {DeviceClient, simSocketPath} from '../../src/device/index.js'
import type {SphereCloudState} from '../../src/protocol/rest-api.js'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'
import {removeDir, tempDir, toolchainPresent} from '../sdk/helpers.js'
import {monitorEvents} from '../hub/helpers.js'

const d = toolchainPresent ? describe : describe.skip
const HUB = 'sphere-hub.azure-devices.net'
const COMPONENT = '6c0e3a52-91d4-4b7f-a2c8-3f5e7d9b1a04'
/** The denied build's own component ID (it replaces the first app: one high-level app per device). */
const DENIED = '6c0e3a52-91d4-4b7f-a2c8-3f5e7d9b1a05'
const COUNT = 40
const PERIOD_MS = 150

interface HubEvent {
  origin: string
  payload: {n: number}
  properties: {system: Record<string, string>; application: Record<string, string>}
  annotations: {'x-opt-sequence-number': number}
}

d('the Azure IoT C library across a hub outage, and the firewall in front of the hub', () => {
  const {home, cleanup} = tempHome('sphere-iot-rc-')
  const env = {SPHERE_HOME: home}
  let root: string
  let reconnectPkg: string
  let deniedPkg: string
  let deviceId: string

  const cli = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await runCli(args, {env, timeoutMs})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
    return r.stdout
  }
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await cli([...args, '-o', 'json'])) as T
  const logLines = async (cid = COMPONENT): Promise<string[]> =>
    (await json<{text: string}[]>(['device', 'app', 'logs', '-i', cid, '-d', 'sim:iot']))
      .flatMap((l) => l.text.split('\n'))
      .filter((l) => l.trim())
  /** The app's cloud connection as `device monitor --once` reports it (the header's source). */
  const cloud = async (): Promise<SphereCloudState | undefined> =>
    (await json<{device: {cloud?: SphereCloudState[]}}>(['device', 'monitor', '--once', '-d', 'sim:iot'])).device.cloud?.find(
      (c) => c.componentId === COMPONENT,
    )
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => {
    const end = Date.now() + ms
    for (;;) {
      const v = await probe()
      if (v !== undefined && v !== false) return v
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  /** The fixture app, its manifest changed by `edit`, built by the C SDK. */
  const build = async (name: string, edit: (m: Record<string, unknown>) => void): Promise<string> => {
    const dir = join(root, name)
    cpSync(join(ROOT, 'test', 'fixtures', 'azure-iot-app'), dir, {recursive: true})
    const f = join(dir, 'app_manifest.json')
    const m = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>
    edit(m)
    writeFileSync(f, JSON.stringify(m, null, 2))
    const built = await buildApp({dir, env: {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}, sphereHome: home})
    return built.apps[0]!.imagePackage
  }

  beforeAll(async () => {
    root = tempDir('sphere-iot-rc-build-')
    const world = join(root, 'world.yaml')
    writeFileSync(world, 'iotHub: local\n')
    await cli(['hub', 'start'])
    await cli(['sim', 'start', '--name', 'iot', '--world', world])
    await cli(['device', 'enable-development', '-d', 'sim:iot'])
    ;[reconnectPkg, deniedPkg] = await Promise.all([
      build('reconnect', (m) => {
        m.CmdArgs = [HUB, String(COUNT), String(PERIOD_MS)]
      }),
      // the hub is not in AllowedConnections (another name is)
      build('denied', (m) => {
        m.ComponentId = DENIED
        m.CmdArgs = [HUB, '5', '100']
        ;(m.Capabilities as Record<string, unknown>).AllowedConnections = ['example.azure-devices.net']
      }),
    ])
    deviceId = (await cli(['device', 'show-attached', '-d', 'sim:iot', '--query', 'DeviceId', '-o', 'tsv'])).trim().toLowerCase()
    await cli(['hub', 'device-identity', 'create', '--device-id', deviceId, '--auth-method', 'x509_ca'])
  }, 180_000)

  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    await runCli(['hub', 'stop'], {env})
    cleanup()
    removeDir(root)
  })

  test('a hub outage mid-run: the real disconnect reason, back-off, reconnection, every acknowledged message once', async () => {
    const monitor = await monitorEvents(home, ['--device-id', deviceId])
    try {
      await cli(['device', 'sideload', 'deploy', '-p', reconnectPkg, '-d', 'sim:iot'])
      // some telemetry goes through, then the hub goes away mid-run
      await waitFor('the first confirmations', async () => (await logLines()).filter((l) => /^CONFIRM \d+ IOTHUB_CLIENT_CONFIRMATION_OK/.test(l)).length >= 5)
      await cli(['hub', 'stop'])
      const stoppedAt = (await logLines()).filter((l) => l.startsWith('CONFIRM')).length
      // the app keeps sending while it retries; the hub stays away for at least two failed reconnection attempts
      await waitFor('two failed reconnections', async () => (await logLines()).filter((l) => l.startsWith('STATUS UNAUTHENTICATED')).length >= 3)
      // the monitor's header says so meanwhile: the app's client retrying, why, and to which hub
      expect(await cloud()).toMatchObject({state: 'retrying', reason: 'NO_NETWORK', host: HUB})
      expect(await cli(['device', 'monitor', '--once', '-d', 'sim:iot'])).toContain(`cloud retrying NO_NETWORK ${HUB}`)
      await cli(['hub', 'start'])
      await waitFor('every message confirmed', async () => (await logLines()).includes(`DONE ${COUNT}`), 40_000)
      const lines = await logLines()
      expect(await cloud()).toMatchObject({state: 'connected', reason: 'OK', host: HUB})

      // the status changes as the C SDK reports them: connected, the lost connection (a connection error is
      // NO_NETWORK), failed attempts while the hub is away, connected again
      const status = lines.filter((l) => l.startsWith('STATUS ')).map((l) => /^STATUS (\w+) (\w+) t=(\d+)$/.exec(l)!)
      const kinds = status.map((m) => `${m[1]} ${m[2]}`)
      expect(kinds[0]).toBe('AUTHENTICATED IOTHUB_CLIENT_CONNECTION_OK')
      expect(kinds.at(-1)).toBe('AUTHENTICATED IOTHUB_CLIENT_CONNECTION_OK')
      const down = kinds.slice(1, -1)
      expect(down.length).toBeGreaterThanOrEqual(3)
      expect(new Set(down)).toEqual(new Set(['UNAUTHENTICATED IOTHUB_CLIENT_CONNECTION_NO_NETWORK']))
      // back-off: each wait between failed attempts (and until the reconnection) longer than the one before
      const times = status.slice(1).map((m) => Number(m[3]))
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!)
      // messages were still being sent (queued) during the outage, and every one of them was confirmed OK
      expect(stoppedAt).toBeLessThan(COUNT)
      const confirms = lines.filter((l) => l.startsWith('CONFIRM ')).map((l) => l.split(' '))
      expect(confirms.map((c) => c[2])).toEqual(Array(COUNT).fill('IOTHUB_CLIENT_CONFIRMATION_OK'))
      expect(confirms.map((c) => Number(c[1])).sort((a, b) => a - b)).toEqual(Array.from({length: COUNT}, (_, i) => i + 1))

      // the hub's side: monitor-events (across the restart) shows each acknowledged message ID exactly once
      const events = (await monitor.waitFor(COUNT, 15_000)).map((l) => (l as {event: HubEvent}).event)
      const ids = events.map((e) => e.properties.system['message-id'])
      expect(ids).toEqual(Array.from({length: COUNT}, (_, i) => `m-${i + 1}`))
      expect(events.map((e) => e.payload.n)).toEqual(Array.from({length: COUNT}, (_, i) => i + 1))
      expect(events.map((e) => e.properties.application.seq)).toEqual(Array.from({length: COUNT}, (_, i) => String(i + 1)))
      const seqs = events.map((e) => e.annotations['x-opt-sequence-number'])
      expect(new Set(seqs).size).toBe(COUNT)
      // and the hub's own record agrees after the fact (no duplicates accepted by a resend)
      const kept = (await cli(['hub', 'monitor-events', '--device-id', deviceId, '--from-sequence', '0', '--timeout', '1', '-o', 'json']))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as {event: HubEvent}).event.properties.system['message-id'])
      expect(kept).toEqual(ids)

      // after the reconnection the app answers direct methods again, whatever status it gives (-1 included)
      const invoke = (name: string) =>
        json<{status: number; payload: unknown}>(['hub', 'invoke-device-method', '--device-id', deviceId, '--method-name', name, '--method-payload', '{"k":1}', '--timeout', '10'])
      expect(await invoke('ping')).toEqual({status: 200, payload: {method: 'ping', got: {k: 1}}})
      expect(await invoke('reboot')).toEqual({status: -1, payload: {method: 'reboot', got: {k: 1}}})
    } finally {
      await monitor.stop()
    }
  }, 90_000)

  test('a manifest without the hub in AllowedConnections: no connection, an audited denial, the hub never sees it', async () => {
    const dev = new DeviceClient({kind: 'unix', socketPath: simSocketPath(home, 'iot')})
    const before = (await dev.audit()).at(-1)?.seq ?? 0
    await cli(['device', 'sideload', 'deploy', '-p', deniedPkg, '-d', 'sim:iot'])
    // the app is told what a device tells it when the firewall does not let the name through, and retries
    const lines = await waitFor('two refused attempts', async () => {
      const l = await logLines(DENIED)
      return l.filter((x) => x.startsWith('STATUS ')).length >= 2 ? l : undefined
    })
    for (const s of lines.filter((l) => l.startsWith('STATUS '))) expect(s).toMatch(/^STATUS UNAUTHENTICATED IOTHUB_CLIENT_CONNECTION_NO_NETWORK t=\d+$/)
    expect(lines.some((l) => l.startsWith('CONFIRM'))).toBe(false)
    // the LSM's decision, audited against the app
    const denied = (await dev.audit(before)).filter((r) => r.operation === 'net.connect' && !r.allowed)
    expect(denied.length).toBeGreaterThan(0)
    expect(denied[0]!.subject).toBe(`app:${DENIED}`)
    expect(denied[0]!.object).toContain(HUB)
    // the hub: the device is not connected and nothing new arrived from it
    const twin = await json<{connectionState: string}>(['hub', 'device-twin', 'show', '--device-id', deviceId])
    expect(twin.connectionState).toBe('Disconnected')
    const after = (await cli(['hub', 'monitor-events', '--device-id', deviceId, '--from-sequence', '0', '--timeout', '1', '-o', 'json']))
      .split('\n')
      .filter((l) => l.startsWith('{'))
    expect(after.length).toBe(COUNT)
  }, 60_000)
})
