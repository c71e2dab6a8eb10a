/**
 * The hub service in-process, driven by a plain MQTT client (npm mqtt) over real TLS: X.509 authentication,
 * twin PATCH semantics and versions, accepted-once telemetry, C2D queueing, DPS registration, and that one
 * device can neither hear nor answer for another.
 */
import mqtt, {type MqttClient} from 'mqtt'
import {tempHome} from '../helpers/cli.js'
import {HubService} from '../../src/hub/service.js'
import {makeCa, makeDeviceCert} from './helpers.js'

const {home, cleanup} = tempHome('sphere-hub-svc-')
const logs: string[] = []
const svc = new HubService({home, port: 0, log: (l) => logs.push(l)})
const ca = makeCa()
const clients: MqttClient[] = []
let ep: {port: number; caPem: string; hostName: string; idScope: string}

beforeAll(async () => {
  const info = await svc.start()
  ep = info.endpoint
  svc.createGroup('lab', {caPem: ca.certPem})
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
  await svc.close()
  cleanup()
})

function connect(
  id: string,
  cred: {cert: string; key: string} | undefined,
  username = `${ep.hostName}/${id}/?api-version=2021-04-12`,
): Promise<MqttClient> {
  const c = mqtt.connect(`mqtts://localhost:${ep.port}`, {
    clientId: id,
    username,
    ...(cred ? {cert: cred.cert, key: cred.key} : {}),
    ca: ep.caPem,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  })
  clients.push(c)
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c))
    c.once('error', reject)
    c.once('close', () => reject(new Error('closed before CONNACK')))
  })
}

function next(c: MqttClient, prefix: string, ms = 5000): Promise<{topic: string; payload: string}> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`nothing on ${prefix}`)), ms)
    const on = (topic: string, payload: Buffer) => {
      if (!topic.startsWith(prefix)) return
      clearTimeout(t)
      c.off('message', on)
      resolve({topic, payload: payload.toString()})
    }
    c.on('message', on)
  })
}

test('X.509: a CA-signed device with its ID as CN connects; no certificate, an unknown CA, a wrong CN or an unregistered ID is refused', async () => {
  svc.createDevice('dev-ca', {})
  const good = makeDeviceCert('dev-ca', ca)
  await expect(connect('dev-ca', good)).resolves.toBeDefined()
  await expect(connect('dev-ca', undefined)).rejects.toThrow(/Not authorized/)
  await expect(connect('dev-ca', makeDeviceCert('dev-ca', makeCa('Another CA')))).rejects.toThrow(/Not authorized/)
  await expect(connect('dev-ca', makeDeviceCert('someone-else', ca))).rejects.toThrow(/Not authorized/)
  await expect(connect('dev-unknown', makeDeviceCert('dev-unknown', ca))).rejects.toThrow(/Not authorized/)
  // the username must name the same device as the client ID
  await expect(connect('dev-ca', good, `${ep.hostName}/dev-other/?api-version=2021-04-12`)).rejects.toThrow(
    /Not authorized/,
  )
})

test('X.509 thumbprint: the registered thumbprint connects, another self-signed certificate does not', async () => {
  const mine = makeDeviceCert('dev-tp')
  svc.createDevice('dev-tp', {
    authentication: {
      type: 'selfSigned',
      x509Thumbprint: {primaryThumbprint: mine.leaf.fingerprint, secondaryThumbprint: null},
    },
  })
  await expect(connect('dev-tp', mine)).resolves.toBeDefined()
  await expect(connect('dev-tp', makeDeviceCert('dev-tp'))).rejects.toThrow(/Not authorized/)
})

test('twin: GET shows both sides with $version; reported PATCH merges, null deletes, each patch adds one to the version', async () => {
  svc.createDevice('dev-twin', {})
  const c = await connect('dev-twin', makeDeviceCert('dev-twin', ca))
  await c.subscribeAsync('$iothub/twin/res/#')
  await c.subscribeAsync('$iothub/twin/PATCH/properties/desired/#')
  const ask = async (topic: string, body: string) => {
    const r = next(c, '$iothub/twin/res/')
    await c.publishAsync(topic, body, {qos: 0})
    return r
  }
  let r = await ask(
    '$iothub/twin/PATCH/properties/reported/?$rid=1',
    JSON.stringify({led: {on: true, level: 3}, fw: '1.0'}),
  )
  expect(r.topic).toBe('$iothub/twin/res/204/?$rid=1&$version=2')
  r = await ask(
    '$iothub/twin/PATCH/properties/reported/?$rid=2',
    JSON.stringify({led: {level: null, colour: 'red'}, fw: null}),
  )
  expect(r.topic).toBe('$iothub/twin/res/204/?$rid=2&$version=3')
  r = await ask('$iothub/twin/GET/?$rid=3', '')
  expect(r.topic).toBe('$iothub/twin/res/200/?$rid=3')
  expect(JSON.parse(r.payload)).toEqual({
    desired: {$version: 1},
    reported: {led: {on: true, colour: 'red'}, $version: 3},
  })
  r = await ask('$iothub/twin/PATCH/properties/reported/?$rid=4', 'not json')
  expect(r.topic).toBe('$iothub/twin/res/400/?$rid=4')

  const patch = next(c, '$iothub/twin/PATCH/properties/desired/')
  svc.updateTwin('dev-twin', {desired: {interval: 10, mode: {a: 1}}})
  const p = await patch
  expect(p.topic).toBe('$iothub/twin/PATCH/properties/desired/?$version=2')
  expect(JSON.parse(p.payload)).toEqual({interval: 10, mode: {a: 1}, $version: 2})
  svc.updateTwin('dev-twin', {desired: {mode: null}})
  expect(svc.showTwin('dev-twin').properties.desired).toEqual({interval: 10, $version: 3})
  expect(() => svc.updateTwin('dev-twin', {desired: {'a.b': 1}})).toThrow(/Invalid desired property name 'a.b'/)
})

test('telemetry is accepted once per message ID: a re-sent message is acknowledged but not recorded again', async () => {
  svc.createDevice('dev-tel', {})
  const c = await connect('dev-tel', makeDeviceCert('dev-tel', ca))
  const seen: unknown[] = []
  const off = svc.monitor('dev-tel', undefined, (m) => seen.push(m.event.event.payload))
  const before = svc.state.seq
  await c.publishAsync('devices/dev-tel/messages/events/%24.mid=m1&%24.ct=application%2Fjson&kind=a', '{"v":1}', {
    qos: 1,
  })
  await c.publishAsync('devices/dev-tel/messages/events/%24.mid=m1&%24.ct=application%2Fjson&kind=a', '{"v":1}', {
    qos: 1,
  })
  await c.publishAsync('devices/dev-tel/messages/events/%24.mid=m2', 'plain text', {qos: 1})
  off()
  expect(svc.state.seq - before).toBe(2)
  expect(seen).toEqual([{v: 1}, 'plain text'])
  const last = svc.state.since(before)
  expect(last.map((m) => [m.messageId, m.event.event.properties.application])).toEqual([
    ['m1', {kind: 'a'}],
    ['m2', {}],
  ])
})

test('C2D: queued while the device is away, delivered with its properties when it subscribes', async () => {
  svc.createDevice('dev-c2d', {})
  const {messageId} = svc.sendC2d('dev-c2d', {data: 'hello', properties: {prio: 'high'}, contentType: 'text/plain'})
  expect(svc.showDevice('dev-c2d').cloudToDeviceMessageCount).toBe(1)
  const c = await connect('dev-c2d', makeDeviceCert('dev-c2d', ca))
  const got = next(c, 'devices/dev-c2d/messages/devicebound/')
  await c.subscribeAsync('devices/dev-c2d/messages/devicebound/#', {qos: 1})
  const m = await got
  expect(m.payload).toBe('hello')
  expect(m.topic).toContain(`%24.mid=${messageId}`)
  expect(m.topic).toContain('prio=high')
  expect(m.topic).toContain('%24.ct=text%2Fplain')
  expect(svc.showDevice('dev-c2d').cloudToDeviceMessageCount).toBe(0)
})

test("a device can neither subscribe to another device's messages nor publish the hub's answers to others", async () => {
  svc.createDevice('dev-x', {})
  svc.createDevice('dev-y', {})
  const y = await connect('dev-y', makeDeviceCert('dev-y', ca))
  await y.subscribeAsync('$iothub/twin/res/#')
  await y.subscribeAsync('$iothub/methods/POST/#')
  const x = await connect('dev-x', makeDeviceCert('dev-x', ca))
  await expect(x.subscribeAsync('devices/dev-y/messages/devicebound/#')).rejects.toThrow(/Subscribe error/)
  const heard: string[] = []
  y.on('message', (t) => heard.push(t))
  const closed = new Promise<void>((r) => x.once('close', () => r()))
  x.publish('$iothub/twin/res/200/?$rid=1', '{"desired":{"evil":1}}', {qos: 0})
  x.publish('$iothub/methods/POST/reboot/?$rid=1', '{}', {qos: 0})
  await closed // the hub disconnects a device that publishes on its topics
  await new Promise((r) => setTimeout(r, 100))
  expect(heard).toEqual([])
  expect(logs.some((l) => l.includes('dev-x: refused publish on $iothub/twin/res/200/?$rid=1'))).toBe(true)
})

test('DPS over MQTT: a certificate from an enrolment group registers, is assigned to the local hub and then connects to it', async () => {
  const regId = 'dps-device-1'
  const cred = makeDeviceCert(regId, ca)
  const d = await connect(regId, cred, `${ep.idScope}/registrations/${regId}/api-version=2019-03-31`)
  await d.subscribeAsync('$dps/registrations/res/#')
  let r = next(d, '$dps/registrations/res/')
  await d.publishAsync('$dps/registrations/PUT/iotdps-register/?$rid=1', JSON.stringify({registrationId: regId}))
  const accepted = await r
  expect(accepted.topic).toBe('$dps/registrations/res/202/?$rid=1&retry-after=1')
  const op = JSON.parse(accepted.payload) as {operationId: string; status: string}
  expect(op.status).toBe('assigning')
  r = next(d, '$dps/registrations/res/')
  await d.publishAsync(`$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=${op.operationId}`, '')
  const done = await r
  expect(done.topic).toBe('$dps/registrations/res/200/?$rid=2')
  const body = JSON.parse(done.payload) as {
    status: string
    registrationState: {assignedHub: string; deviceId: string; status: string}
  }
  expect(body.status).toBe('assigned')
  expect(body.registrationState).toMatchObject({assignedHub: ep.hostName, deviceId: regId, status: 'assigned'})
  expect(svc.showDevice(regId).authentication.type).toBe('certificateAuthority')
  await expect(connect(regId, cred)).resolves.toBeDefined()
  // a wrong ID scope or a certificate from no enrolment group is refused by DPS
  await expect(
    connect('dps-2', makeDeviceCert('dps-2', ca), `0neWRONG/registrations/dps-2/api-version=2019-03-31`),
  ).rejects.toThrow(/Not authorized/)
  await expect(
    connect(
      'dps-3',
      makeDeviceCert('dps-3', makeCa('Rogue')),
      `${ep.idScope}/registrations/dps-3/api-version=2019-03-31`,
    ),
  ).rejects.toThrow(/Not authorized/)
})

test('a packet over the limit (IoT Hub takes 256 KiB messages) ends that connection before the hub holds it; others go on', async () => {
  svc.createDevice('dev-big', {})
  svc.createDevice('dev-small', {})
  const big = await connect('dev-big', makeDeviceCert('dev-big', ca))
  const closed = new Promise<void>((r) => big.once('close', () => r()))
  big.publish('devices/dev-big/messages/events/', Buffer.alloc(300 * 1024, 0x61), {qos: 1})
  await closed
  expect(logs.some((l) => /announcing a \d+-byte packet/.test(l))).toBe(true)
  const small = await connect('dev-small', makeDeviceCert('dev-small', ca))
  const before = svc.state.seq
  await small.publishAsync('devices/dev-small/messages/events/', Buffer.alloc(200 * 1024, 0x62), {qos: 1})
  expect(svc.state.seq).toBe(before + 1)
})
