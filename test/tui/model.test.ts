import {describe, expect, it} from '@jest/globals'
import {
  AUDIT_KEEP,
  addAudit,
  addLogs,
  applyEvent,
  capabilityForAudit,
  capabilityRows,
  filterApps,
  formatBytes,
  headerFacts,
  initialState,
  ledGroups,
  parseEvent,
} from '../../src/tui/index.js'
import {bar, formatUptime, formatPercent} from '../../src/tui/model.js'
import {CID, auditRecord, logEntry, makeApp, makeWorld, snapshot} from './fake-source.js'

describe('monitor model', () => {
  it('a snapshot makes the state live and replaces everything', () => {
    let s = applyEvent(initialState(), snapshot(), 1000)
    s = addAudit(s, [auditRecord(1, CID.blink, 'gpio.open', 'gpio=8', true)])
    expect(s.connection).toEqual({status: 'live', since: 1000})
    expect(s.apps.map((a) => a.name)).toEqual(['blink', 'sensor'])
    expect(s.audit).toHaveLength(1)
    const again = applyEvent(s, snapshot([makeApp('spin')]), 2000)
    expect(again.apps.map((a) => a.name)).toEqual(['spin'])
    expect(again.audit).toEqual([])
    expect(again.usage).toEqual({})
    expect(again.eventCount).toBe(2)
  })

  it('apps, device, world, log and heartbeat events each change only their part', () => {
    const s0 = applyEvent(initialState(), snapshot(), 0)
    const s1 = applyEvent(s0, {type: 'apps', time: 1, apps: [makeApp('blink', {state: 'crashed', restarts: 2})]}, 10)
    expect(s1.apps[0]).toMatchObject({state: 'crashed', restarts: 2})
    expect(s1.device).toBe(s0.device)
    const s2 = applyEvent(
      s1,
      {type: 'device', time: 2, device: {...(s0.device as NonNullable<typeof s0.device>), osVersion: '26.01'}},
      20,
    )
    expect(s2.device?.osVersion).toBe('26.01')
    expect(s2.deviceReceivedAt).toBe(20)
    const s3 = applyEvent(s2, {type: 'world', time: 3, world: makeWorld(['LED1_RED'])}, 30)
    expect(ledGroups(s3.world)[0]).toEqual({name: 'LED1', lit: ['red'], color: 'red', blinking: [], transitions: 0})
    expect(s3.worldReceivedAt).toBe(30)
    const s4 = applyEvent(
      s3,
      {type: 'log', time: 4, componentId: CID.blink.toUpperCase(), entry: logEntry(1, 'hi')},
      40,
    )
    expect(s4.logs[CID.blink]?.map((e) => e.text)).toEqual(['hi'])
    const s5 = applyEvent(s4, {type: 'heartbeat', time: 5}, 50)
    expect(s5.apps).toBe(s4.apps)
    expect(s5).toBe(s4)
  })

  it('parseEvent rejects malformed lines and unknown types', () => {
    expect(parseEvent({type: 'apps', apps: []})).toBeDefined()
    expect(parseEvent({type: 'apps', apps: 3})).toBeUndefined()
    expect(parseEvent({type: 'snapshot', apps: []})).toBeUndefined()
    expect(parseEvent({type: 'future-thing'})).toBeUndefined()
    expect(parseEvent(null)).toBeUndefined()
    expect(parseEvent('x')).toBeUndefined()
  })

  it('audit records are de-duplicated by seq, kept in order, capped, and folded into use and denials', () => {
    let s = applyEvent(initialState(), snapshot(), 0)
    s = addAudit(s, [
      auditRecord(2, CID.blink, 'gpio.open', 'gpio=8', true),
      auditRecord(1, CID.blink, 'gpio.open', 'gpio=30', false),
    ])
    s = addAudit(s, [
      auditRecord(2, CID.blink, 'gpio.open', 'gpio=8', true),
      auditRecord(3, CID.blink, 'gpio.open', 'gpio=30', false),
    ])
    expect(s.audit.map((r) => r.seq)).toEqual([1, 2, 3])
    expect(s.usage[CID.blink]).toEqual({used: ['Gpio:8'], denied: {'gpio.open gpio=30': 2}})
    const many = Array.from({length: AUDIT_KEEP + 50}, (_, i) => auditRecord(10 + i, CID.sensor, 'time.set', '', true))
    s = addAudit(s, many)
    expect(s.audit).toHaveLength(AUDIT_KEEP)
    expect(s.audit.at(-1)?.seq).toBe(10 + AUDIT_KEEP + 49)
    expect(s.usage[CID.sensor]?.used).toEqual(['SystemTime'])
    // host subjects are shown in the feed but are nobody's capability use
    s = addAudit(s, [
      {
        seq: 9999,
        time: 0,
        subject: 'host:rest',
        operation: 'image.sideload',
        object: 'componentId=x',
        allowed: true,
        reason: '',
      },
    ])
    expect(Object.keys(s.usage).sort()).toEqual([CID.blink, CID.sensor].sort())
  })

  it('log entries merge by seq and keep the order', () => {
    let s = initialState()
    s = addLogs(s, CID.blink, [logEntry(3, 'c')])
    s = addLogs(s, CID.blink, [logEntry(1, 'a'), logEntry(2, 'b'), logEntry(3, 'c')])
    expect(s.logs[CID.blink]?.map((e) => e.text)).toEqual(['a', 'b', 'c'])
  })

  it('maps each LSM operation to the manifest capability it exercises', () => {
    const cases: [string, string, string | undefined][] = [
      ['gpio.open', 'gpio=8', 'Gpio:8'],
      ['uart.open', 'isu=ISU0', 'Uart:ISU0'],
      ['i2c.open', 'isu=ISU1', 'I2cMaster:ISU1'],
      ['spi.open', 'isu=ISU2', 'SpiMaster:ISU2'],
      ['pwm.open', 'controller=PWM-CONTROLLER-0', 'Pwm:PWM-CONTROLLER-0'],
      ['adc.open', 'controller=ADC-CONTROLLER-0', 'Adc:ADC-CONTROLLER-0'],
      ['storage.open', `owner=${CID.blink}`, 'MutableStorage'],
      ['net.connect', 'host=Example.com port=443', 'AllowedConnections:example.com'],
      ['net.listen', 'protocol=udp port=53', 'AllowedUdpServerPorts:53'],
      ['net.listen', 'protocol=tcp port=80', 'AllowedTcpServerPorts:80'],
      ['app.connect', `componentId=${CID.sensor}`, `AllowedApplicationConnections:${CID.sensor}`],
      ['time.set', '', 'SystemTime'],
      ['power.control', 'action=ForceReboot', 'PowerControls:ForceReboot'],
      ['storage.package-file', 'path=a.txt', undefined],
      ['process.signal', 'pid=3 owner=x signo=9', undefined],
    ]
    for (const [operation, object, cap] of cases)
      expect([operation, capabilityForAudit({operation, object})]).toEqual([operation, cap])
  })

  it('declared capabilities are matched against use, with and without values', () => {
    const {rows, undeclaredUsed} = capabilityRows(['Gpio:8', 'Gpio: 9', 'MutableStorage', 'Uart'], {
      used: ['Gpio:9', 'Uart:ISU0', 'SystemTime'],
      denied: {},
    })
    expect(rows).toEqual([
      {capability: 'Gpio:8', used: false},
      {capability: 'Gpio: 9', used: true},
      {capability: 'MutableStorage', used: false},
      {capability: 'Uart', used: true},
    ])
    expect(undeclaredUsed).toEqual(['SystemTime'])
  })

  it('formats bytes, bars, uptime and percentages', () => {
    expect([
      formatBytes(512),
      formatBytes(1536),
      formatBytes(262144),
      formatBytes(4 * 1024 * 1024),
      formatBytes(-1),
    ]).toEqual(['512B', '1.5K', '256K', '4.0M', '?'])
    expect(bar(0.5, 10)).toBe('█████░░░░░')
    expect(bar(0.25, 8, 0.75)).toBe('██░░░▏░░')
    expect(bar(2, 4)).toBe('████')
    expect(bar(Number.NaN, 4)).toBe('░░░░')
    expect([formatUptime(12), formatUptime(245), formatUptime(3725), formatUptime(3 * 86400 + 4 * 3600)]).toEqual([
      '12s',
      '4m05s',
      '1h02m',
      '3d04h',
    ])
    expect([formatPercent(0.123), formatPercent(45)]).toEqual(['12%', '45%'])
  })

  it('mixes RGB LED channels into one colour per LED', () => {
    const g = ledGroups(
      makeWorld(['LED1_RED', 'LED1_GREEN', 'LED2_BLUE', 'STATUS_LED_RED', 'STATUS_LED_GREEN', 'STATUS_LED_BLUE']),
    )
    expect(g.map((x) => `${x.name}=${x.color}`)).toEqual([
      'LED1=yellow',
      'LED2=blue',
      'LED3=off',
      'LED4=off',
      'STATUS=white',
      'NETWORKING=off',
    ])
  })

  it('filters apps by name, component ID or state', () => {
    const apps = [makeApp('blink'), makeApp('sensor', {state: 'stopped'}), makeApp('spin')]
    expect(filterApps(apps, 'SEN').map((a) => a.name)).toEqual(['sensor'])
    expect(filterApps(apps, 'aaaaaaaa').map((a) => a.name)).toEqual(['spin'])
    expect(filterApps(apps, 'stopped').map((a) => a.name)).toEqual(['sensor'])
    expect(filterApps(apps, '  ')).toHaveLength(3)
  })

  it('header facts advance uptime only while live', () => {
    const s = applyEvent(
      initialState(),
      snapshot(undefined, {device: {uptime: 60, clock: {mode: 'fast-forward', virtualTimeMs: 0, speed: 2.5}}}),
      1000,
    )
    expect(headerFacts(s, 61_000)).toMatchObject({
      uptime: '2m00s',
      clock: 'fast-fwd x2.5',
      capabilities: 'appDevelopment',
      manufacturingState: 'Blank',
    })
    const gone = {...s, connection: {status: 'reconnecting' as const, attempt: 1, error: 'x', retryInMs: 250}}
    expect(headerFacts(gone, 61_000).uptime).toBe('1m00s')
  })

  it('the header sums up the apps\' cloud connections by the worst one, with its reason and hub', () => {
    const hub = 'sphere-hub.azure-devices.net'
    const c = (componentId: string, state: 'connected' | 'retrying' | 'disconnected', reason = 'OK') => ({componentId, state, reason, host: hub, since: 0})
    const at = (cloud?: ReturnType<typeof c>[]) => headerFacts(applyEvent(initialState(), snapshot(undefined, {device: cloud ? {cloud} : {}}), 0), 0)
    expect(at().cloud).toBeUndefined()
    expect(at([c('a', 'connected')]).cloud).toEqual({state: 'connected', text: `connected ${hub}`})
    expect(at([c('a', 'connected'), c('b', 'retrying', 'NO_NETWORK')]).cloud).toEqual({
      state: 'retrying',
      text: `retrying NO_NETWORK ${hub} (1/2 up)`,
    })
    expect(at([c('a', 'disconnected', 'RETRY_EXPIRED')]).cloud?.text).toBe(`disconnected RETRY_EXPIRED ${hub}`)
  })
})
