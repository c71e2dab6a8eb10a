/**
 * A real client nobody here wrote: Microsoft's Node IoT device SDK (azure-iot-device + azure-iot-device-mqtt)
 * connects to `sphere hub` with an X.509 device certificate issued by a device CA the hub trusts (an enrolment
 * group), sends telemetry that `sphere hub monitor-events` shows, gets a desired-property update made with
 * `sphere hub device-twin update`, reports back, and answers a direct method invoked with
 * `sphere hub invoke-device-method`. Every `sphere hub` step is the built CLI in a subprocess.
 */
import {randomBytes} from 'node:crypto'
import {createRequire} from 'node:module'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tempHome} from '../helpers/cli.js'
import {hub, makeCa, makeDeviceCert, monitorEvents} from './helpers.js'
import type {HubStatus, MethodResult, Twin} from '../../src/hub/index.js'

const require = createRequire(import.meta.url)
/* eslint-disable @typescript-eslint/no-explicit-any */
const {Client, Message} = require('azure-iot-device') as any
const {Mqtt} = require('azure-iot-device-mqtt') as any

const {home, cleanup} = tempHome('sphere-hub-sdk-')
let client: any

afterAll(async () => {
  if (client) await client.close().catch(() => undefined)
  await hub(home, ['stop']).catch(() => undefined)
  cleanup()
})

test('the Azure IoT Node device SDK talks to sphere hub: telemetry, desired properties, reported properties, direct method', async () => {
  // an Azure Sphere device ID: 128 hex digits, the common name of the device certificate
  const deviceId = randomBytes(64).toString('hex')
  const ca = makeCa('Sphere Local Internet Test CA')
  const caFile = join(home, 'device-ca.pem')
  writeFileSync(caFile, ca.certPem)
  const st = await hub<HubStatus & {started: boolean}>(home, ['start', '--port', '0'])
  expect(st.started).toBe(true)
  await hub(home, ['enrollment-group', 'create', '--group-id', 'sim-default', '--certificate-path', caFile])
  await hub(home, ['device-identity', 'create', '--device-id', deviceId, '--am', 'x509_ca'])

  const {cert, key} = makeDeviceCert(deviceId, ca)
  const ep = st.endpoint
  client = Client.fromConnectionString(`HostName=localhost:${ep.port};DeviceId=${deviceId};x509=true`, Mqtt)
  client.setOptions({cert, key, ca: ep.caPem})
  await client.open()

  // (the SDK connects to HostName; there is no DNS name for the local hub here, so the name is localhost:PORT,
  // which the server certificate also carries)
  // telemetry with system and application properties, seen by monitor-events (a subprocess)
  const mon = await monitorEvents(home, ['--device-id', deviceId, '--timeout', '60'])
  const msg = new Message(JSON.stringify({temperature: 21.5, n: 1}))
  msg.messageId = 'msg-0001'
  msg.contentType = 'application/json'
  msg.contentEncoding = 'utf-8'
  msg.properties.add('alert', 'high')
  await client.sendEvent(msg)
  const [ev] = await mon.waitFor(1)
  await mon.stop()
  const e = (ev as {event: any}).event
  expect(e.origin).toBe(deviceId)
  expect(e.payload).toEqual({temperature: 21.5, n: 1})
  expect(e.properties.application).toEqual({alert: 'high'})
  expect(e.properties.system['message-id']).toBe('msg-0001')
  expect(e.properties.system['content-type']).toBe('application/json')
  expect(e.annotations['x-opt-sequence-number']).toBe(1)

  // desired-property update from the CLI arrives as a twin patch with its $version
  const twin = await client.getTwin()
  expect(twin.properties.desired.$version).toBe(1)
  const patch = new Promise<any>((resolve) => {
    twin.on('properties.desired', (delta: any) => {
      if (delta.StatusLED !== undefined) resolve(delta)
    })
  })
  const updated = await hub<Twin>(home, [
    'device-twin',
    'update',
    '--device-id',
    deviceId,
    '--desired',
    '{"StatusLED":{"value":true}}',
  ])
  expect(updated.properties.desired.$version).toBe(2)
  const delta = await patch
  expect(delta.StatusLED).toEqual({value: true})
  expect(delta.$version).toBe(2)

  // the device reports back; the twin shows it
  await new Promise<void>((resolve, reject) =>
    twin.properties.reported.update({StatusLED: {value: true}}, (err: Error | undefined) =>
      err ? reject(err) : resolve(),
    ),
  )
  const shown = await hub<Twin>(home, ['device-twin', 'show', '--device-id', deviceId])
  expect(shown.properties.reported.StatusLED).toEqual({value: true})
  expect(shown.properties.reported.$version).toBe(2)
  expect(shown.connectionState).toBe('Connected')

  // a direct method with a payload; the device's status and payload come back to the CLI
  client.onDeviceMethod('TriggerAlarm', (req: any, res: any) => {
    res.send(201, {echo: req.payload, name: req.methodName}, () => undefined)
  })
  // the SDK subscribes to the methods topic on its own schedule: until it has, the hub says the device is not online
  const invoke = [
    'invoke-device-method',
    '--device-id',
    deviceId,
    '--method-name',
    'TriggerAlarm',
    '--method-payload',
    '{"level":3}',
  ]
  let result: MethodResult | undefined
  for (let i = 0; i < 20 && !result; i++) {
    result = await hub<MethodResult>(home, invoke).catch((err: Error) => {
      if (!/not online/.test(err.message)) throw err
      return undefined
    })
    if (!result) await new Promise((r) => setTimeout(r, 100))
  }
  expect(result).toEqual({status: 201, payload: {echo: {level: 3}, name: 'TriggerAlarm'}})
})
