/**
 * The hub as a service across restarts, through the built CLI: the registry, enrolment groups and twins survive
 * `sphere hub stop` / `start` on the same port, and dropping the hub mid-run loses and duplicates no accepted
 * telemetry: a device (plain MQTT, QoS 1, message IDs) keeps publishing and reconnects; monitor-events (a
 * subprocess that stays up) resumes after the last event it showed; every message ID is accepted exactly once.
 */
import mqtt, {type MqttClient} from 'mqtt'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {hub, hubStatus, makeCa, makeDeviceCert, monitorEvents} from './helpers.js'
import type {DeviceIdentity, HubStatus, Twin} from '../../src/hub/index.js'

const {home, cleanup} = tempHome('sphere-hub-restart-')
const ca = makeCa()
let device: MqttClient | undefined

afterAll(async () => {
  await device?.endAsync(true).catch(() => undefined)
  await hub(home, ['stop']).catch(() => undefined)
  cleanup()
})

test('registry, enrolment groups and twins survive a stop and start, on the same port', async () => {
  const first = await hub<HubStatus>(home, ['start'])
  const caFile = join(home, 'ca.pem')
  writeFileSync(caFile, ca.certPem)
  await hub(home, ['enrollment-group', 'create', '--group-id', 'lab', '--certificate-path', caFile])
  await hub(home, ['device-identity', 'create', '--device-id', 'dev-1', '--am', 'x509_ca'])
  await hub(home, [
    'device-twin',
    'update',
    '--device-id',
    'dev-1',
    '--desired',
    '{"interval":5}',
    '--tags',
    '{"site":"lab"}',
  ])
  await hub(home, ['c2d-message', 'send', '--device-id', 'dev-1', '--data', 'while away'])
  expect(await hub(home, ['stop'])).toEqual({stopped: true})
  expect(await hubStatus(home)).toEqual({running: false})

  const again = await hub<HubStatus & {started: boolean}>(home, ['start'])
  expect(again.started).toBe(true)
  expect(again.pid).not.toBe(first.pid)
  expect(again.endpoint.port).toBe(first.endpoint.port)
  expect(again.endpoint.idScope).toBe(first.endpoint.idScope)
  expect(again.endpoint.caPem).toBe(first.endpoint.caPem)
  const devices = await hub<DeviceIdentity[]>(home, ['device-identity', 'list'])
  expect(devices.map((d) => [d.deviceId, d.authentication.type, d.cloudToDeviceMessageCount])).toEqual([
    ['dev-1', 'certificateAuthority', 1],
  ])
  const twin = await hub<Twin>(home, ['device-twin', 'show', '--device-id', 'dev-1'])
  expect(twin.properties.desired).toEqual({interval: 5, $version: 2})
  expect(twin.tags).toEqual({site: 'lab'})
  expect(
    (await hub<{enrollmentGroupId: string}[]>(home, ['enrollment-group', 'list'])).map((g) => g.enrollmentGroupId),
  ).toEqual(['lab'])
})

test('dropping the hub mid-run: the device reconnects, no accepted message is lost or accepted twice, monitor-events resumes', async () => {
  const st = await hubStatus(home)
  if (!('endpoint' in st)) throw new Error('the hub is not running')
  const {port, caPem, hostName} = st.endpoint
  const cred = makeDeviceCert('dev-1', ca)
  device = mqtt.connect(`mqtts://localhost:${port}`, {
    clientId: 'dev-1',
    username: `${hostName}/dev-1/?api-version=2021-04-12`,
    cert: cred.cert,
    key: cred.key,
    ca: caPem,
    protocolVersion: 4,
    reconnectPeriod: 100,
    connectTimeout: 3000,
  })
  await new Promise<void>((r) => device!.once('connect', () => r()))
  let reconnects = 0
  device.on('connect', () => reconnects++)
  const mon = await monitorEvents(home, ['--device-id', 'dev-1', '--timeout', '90'])

  const N = 150
  const acks: Promise<unknown>[] = []
  let dropped: Promise<void> | undefined
  for (let i = 0; i < N; i++) {
    acks.push(
      device.publishAsync(
        `devices/dev-1/messages/events/%24.mid=m-${i}&%24.ct=application%2Fjson&i=${i}`,
        JSON.stringify({i}),
        {qos: 1},
      ),
    )
    if (i === 50) dropped = hub(home, ['stop']).then(() => hub(home, ['start']).then(() => undefined))
    await new Promise((r) => setTimeout(r, 4))
  }
  await dropped
  await Promise.all(acks) // every message acknowledged: the device resent what the old hub never acknowledged
  expect(reconnects).toBeGreaterThanOrEqual(1)

  const events = await mon.waitFor(N, 20_000)
  await new Promise((r) => setTimeout(r, 300)) // nothing more arrives after the last one
  const ids = mon
    .events()
    .map((e) => (e as {event: {properties: {system: Record<string, string>}}}).event.properties.system['message-id'])
  await mon.stop()
  expect(events.length).toBeGreaterThanOrEqual(N)
  expect(new Set(ids).size).toBe(ids.length) // no duplicate
  expect([...ids].sort()).toEqual(Array.from({length: N}, (_, i) => `m-${i}`).sort()) // none lost
  const after = await hubStatus(home)
  expect('acceptedMessages' in after && after.acceptedMessages).toBe(N)
})
