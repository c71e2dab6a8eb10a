/**
 * Issue 15 acceptance: the unmodified AzureIoT sample (test/fixtures/samples/Samples/AzureIoT, MIT, with its
 * LICENSE.txt) built by the C SDK in its two configurations, configured as its README tells a user to (the
 * manifest's CmdArgs, AllowedConnections and DeviceAuthentication; for DPS the `add_subdirectory(DPS)` line of
 * its CMakeLists.txt), and run on simulators against the local hub, everything through the built CLI:
 * `sphere hub start`, `sim start --world` (a world file with `iotHub: local`), `device sideload deploy`,
 * `hub device-identity create`, `hub monitor-events`, `hub device-twin update|show`, `hub invoke-device-method`
 * and `device world press`. The connection is the OS's Azure IoT client (MQTT over TLS, the device certificate).
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {buildApp} from '../../src/sdk/index.js'
import {runCli, tempHome} from '../helpers/cli.js'
import {copySamples, removeDir, tempDir, toolchainPresent} from '../sdk/helpers.js'

const d = toolchainPresent ? describe : describe.skip
const HUB = 'sphere-hub.azure-devices.net'
const DPS = 'global.azure-devices-provisioning.net'
const COMPONENT = '819255ff-8640-41fd-aea7-f85d34c491d5'
const TENANT = '8b7f1f0e-2a55-4d0c-9a3e-6c1d5b2f4e71'

interface HubEvent {
  origin: string
  payload: Record<string, unknown>
  properties: {system: Record<string, string>}
  annotations: {'x-opt-sequence-number': number; 'iothub-enqueuedtime': string}
}

d('the AzureIoT sample on the local hub', () => {
  const {home, cleanup} = tempHome('sphere-iot-')
  const env = {SPHERE_HOME: home}
  let root: string
  const cli = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await runCli(args, {env, timeoutMs})
    if (r.code !== 0) throw new Error(`sphere ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
    return r.stdout
  }
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await cli([...args, '-o', 'json'])) as T

  /** Build a copy of the sample, configured as its README says. */
  const build = async (name: string, configure: (dir: string, manifest: Record<string, unknown>) => void): Promise<string> => {
    const base = join(root, name)
    copySamples(base)
    const dir = join(base, 'Samples', 'AzureIoT')
    const f = join(dir, 'app_manifest.json')
    const m = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>
    configure(dir, m)
    writeFileSync(f, JSON.stringify(m, null, 2))
    const built = await buildApp({dir, env: {...process.env, SPHERE_SDK_CACHE: join(root, 'sdk-cache'), SPHERE_HOME: home}, sphereHome: home})
    return built.apps[0]!.imagePackage
  }

  const logs = async (sim: string): Promise<string> =>
    (await json<{text: string}[]>(['device', 'app', 'logs', '-i', COMPONENT, '-d', `sim:${sim}`])).map((l) => l.text).join('\n')

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 40_000): Promise<T> => {
    const end = Date.now() + ms
    for (;;) {
      const v = await probe()
      if (v !== undefined && v !== false) return v
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  const events = async (deviceId: string): Promise<HubEvent[]> => {
    const out = await cli(['hub', 'monitor-events', '--device-id', deviceId, '--from-sequence', '0', '--timeout', '1', '-o', 'json'])
    return out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as {event: HubEvent}).event)
  }

  /** The hub's ID of a device: azsphere prints the device ID upper-case (`DeviceId`); IoT Hub knows it in lower case (the certificate's CN). */
  const deviceId = async (sim: string): Promise<string> =>
    (await cli(['device', 'show-attached', '-d', `sim:${sim}`, '--query', 'DeviceId', '-o', 'tsv'])).trim().toLowerCase()

  let direct: string
  let dps: string
  let directId: string
  let dpsId: string
  let dpsKnownBefore: boolean

  beforeAll(async () => {
    root = tempDir('sphere-iot-build-')
    const world = join(root, 'world.yaml')
    writeFileSync(world, 'iotHub: local\n')
    await cli(['hub', 'start'])
    await Promise.all(
      ['direct', 'dps'].map(async (sim) => {
        await cli(['sim', 'start', '--name', sim, '--world', world])
        await cli(['device', 'enable-development', '-d', `sim:${sim}`])
      }),
    )
    const {endpoint} = await json<{endpoint: {idScope: string}}>(['hub', 'status'])
    ;[direct, dps] = await Promise.all([
      build('direct', (_dir, m) => {
        m.CmdArgs = ['--Hostname', HUB]
        const caps = m.Capabilities as Record<string, unknown>
        caps.AllowedConnections = [HUB]
        caps.DeviceAuthentication = TENANT
      }),
      build('dps', (dir, m) => {
        const cm = join(dir, 'CMakeLists.txt')
        writeFileSync(cm, readFileSync(cm, 'utf8').replace('add_subdirectory(IoTHub)', 'add_subdirectory(DPS)'))
        m.CmdArgs = ['--ScopeID', endpoint.idScope]
        const caps = m.Capabilities as Record<string, unknown>
        caps.AllowedConnections = [DPS, HUB]
        caps.DeviceAuthentication = TENANT
      }),
    ])
    // the DPS device has no registry entry before it registers
    dpsId = await deviceId('dps')
    dpsKnownBefore = (await runCli(['hub', 'device-identity', 'show', '--device-id', dpsId], {env})).code === 0
    // both run from here on; the DPS one registers while the direct one is looked at
    directId = await deviceId('direct')
    await cli(['hub', 'device-identity', 'create', '--device-id', directId, '--auth-method', 'x509_ca'])
    await Promise.all([
      cli(['device', 'sideload', 'deploy', '-p', direct, '-d', 'sim:direct']),
      cli(['device', 'sideload', 'deploy', '-p', dps, '-d', 'sim:dps']),
    ])
  }, 240_000)

  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    await runCli(['hub', 'stop'], {env})
    cleanup()
    removeDir(root)
  })

  /** What the sample's README promises, on a device that is connected. */
  const behaves = async (sim: string, id: string, interval = true): Promise<void> => {
    // a desired-property change takes effect (the LED) and is reported back with the desired version
    const twin = await json<{properties: {desired: {$version: number}}}>([
      'hub', 'device-twin', 'update', '--device-id', id, '--desired', '{"thermometerTelemetryUploadEnabled": true}',
    ])
    const version = twin.properties.desired.$version
    await waitFor('the status LED', async () => {
      const w = await json<{leds: {name: string; on: boolean}[]}>(['device', 'world', 'show', '-d', `sim:${sim}`])
      return w.leds.find((l) => l.name === 'LED1_RED')?.on === true
    })
    const reported = await waitFor('the reported property', async () => {
      const t = await json<{properties: {reported: Record<string, {value?: unknown; av?: number}>}}>(['hub', 'device-twin', 'show', '--device-id', id])
      const r = t.properties.reported.thermometerTelemetryUploadEnabled
      return r?.av === version ? r : undefined
    })
    expect(reported.value).toBe(true)
    // telemetry at its interval (5 s)
    const temps = await waitFor('temperature events', async () => {
      const t = (await events(id)).filter((e) => typeof e.payload.temperature === 'number')
      return t.length >= (interval ? 2 : 1) ? t : undefined
    })
    if (interval) {
      const gap = Date.parse(temps[1]!.annotations['iothub-enqueuedtime']) - Date.parse(temps[0]!.annotations['iothub-enqueuedtime'])
      expect(gap).toBeGreaterThan(4000)
      expect(gap).toBeLessThan(6500)
    }
    expect(temps[0]!.properties.system['iothub-creation-time-utc']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    // button B: the "thermometer moved" event
    await cli(['device', 'world', 'press', 'B', '-d', `sim:${sim}`])
    await waitFor('the moved event', async () => (await events(id)).some((e) => e.payload.thermometerMoved === true))
    // the direct method
    const m = await json<{status: number; payload: unknown}>([
      'hub', 'invoke-device-method', '--device-id', id, '--method-name', 'displayAlert', '--method-payload', '"Check the freezer"',
    ])
    expect(m).toEqual({status: 200, payload: 'Alert message displayed successfully.'})
    expect(await logs(sim)).toContain('ALERT: "Check the freezer"')
  }

  test('direct IoT Hub configuration: the registered device connects with its certificate and behaves as the README says', async () => {
    const id = directId
    expect(id).toMatch(/^[0-9a-f]{128}$/)
    await waitFor('the connection', async () => (await logs('direct')).includes('Azure IoT connection status: IOTHUB_CLIENT_CONNECTION_OK'))
    // the device twin's read-only property, sent on connection
    const t = await json<{connectionState: string; properties: {reported: {serialNumber?: string}}}>(['hub', 'device-twin', 'show', '--device-id', id])
    expect(t.connectionState).toBe('Connected')
    await waitFor('the serial number', async () =>
      (await json<{properties: {reported: {serialNumber?: string}}}>(['hub', 'device-twin', 'show', '--device-id', id])).properties.reported.serialNumber === 'TEMPMON-01234',
    )
    await behaves('direct', id)
  }, 120_000)

  test('DPS configuration: the device registers with its ID scope, is assigned the local hub and behaves the same', async () => {
    const id = dpsId
    expect(dpsKnownBefore).toBe(false)
    await waitFor('the registration', async () => {
      const l = await logs('dps')
      return l.includes('INFO: DPS device registration successful') && l.includes('Azure IoT connection status: IOTHUB_CLIENT_CONNECTION_OK')
    })
    // DPS created the registry entry (a CA-issued device, the Azure Sphere device ID)
    const ident = await json<{deviceId: string; authentication: {type: string}}>(['hub', 'device-identity', 'show', '--device-id', id])
    expect(ident).toMatchObject({deviceId: id, authentication: {type: 'certificateAuthority'}})
    await behaves('dps', id, false)
  }, 120_000)
})
