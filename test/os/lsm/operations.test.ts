/**
 * Every LSM Operation kind, as a table: for each, the decisions an app (or the host) gets under a given
 * manifest and device capabilities — allowed or denied, the errno, the reason — and the audit record each
 * decision leaves. The table is keyed by `Operation['op']`, so a kind added to the union without rows here
 * does not typecheck.
 */
import {describe, expect, test} from '@jest/globals'
import {Errno} from '../../../src/os/kernel/errno.js'
import {
  compilePolicy,
  Lsm,
  type DeviceCapability,
  type ManufacturingState,
  type ManifestCapabilities,
  type Operation,
  type Subject,
} from '../../../src/os/lsm/index.js'

const APP = '1689d8b2-c835-2e27-27ad-e894d6d15fa9'
const OTHER = '005180bc-402f-4cb3-a662-72937dbcde47'
const PID = 7

type Kind = Operation['op']

interface Row<K extends Kind> {
  /** What the row shows. */
  name: string
  operation: Operation & {op: K}
  /** The asking app's Capabilities (default: none); ignored for a host subject. */
  caps?: ManifestCapabilities
  /** Default: the app APP, pid PID. */
  subject?: Subject
  deviceCaps?: DeviceCapability[]
  /** The device's manufacturing state (default: Blank). */
  manufacturing?: ManufacturingState
  /** Host name -> address, for AllowedConnections names. */
  hosts?: Record<string, string>
  /** DNS-SD service type -> the names discovered through it. */
  discovered?: Record<string, string[]>
  allowed: boolean
  /** The errno when denied (0 when allowed). */
  errno: number
  reason: RegExp
  /** Capability use this decision records (allowed decisions against the manifest). */
  used?: string[]
}

type Table = {[K in Kind]: [Row<K>, ...Row<K>[]]}

const host: Subject = {kind: 'host', name: 'rest'}

const rows: Table = {
  'gpio.open': [
    {
      name: 'listed GPIO',
      operation: {op: 'gpio.open', gpio: 8},
      caps: {Gpio: [8, 9]},
      allowed: true,
      errno: 0,
      reason: /GPIO 8 is in Capabilities\.Gpio/,
      used: ['Gpio:8'],
    },
    {
      name: 'unlisted GPIO',
      operation: {op: 'gpio.open', gpio: 10},
      caps: {Gpio: [8]},
      allowed: false,
      errno: Errno.EACCES,
      reason: /GPIO 10 is not in Capabilities\.Gpio/,
    },
  ],
  'uart.open': [
    {
      name: 'listed ISU',
      operation: {op: 'uart.open', isu: 'ISU0'},
      caps: {Uart: ['ISU0']},
      allowed: true,
      errno: 0,
      reason: /ISU0 is in Capabilities\.Uart/,
      used: ['Uart:ISU0'],
    },
    {
      name: 'ISU listed for I2C only',
      operation: {op: 'uart.open', isu: 'ISU0'},
      caps: {I2cMaster: ['ISU0']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /ISU0 is not in Capabilities\.Uart/,
    },
  ],
  'i2c.open': [
    {
      name: 'listed ISU',
      operation: {op: 'i2c.open', isu: 'ISU2'},
      caps: {I2cMaster: ['ISU2']},
      allowed: true,
      errno: 0,
      reason: /ISU2 is in Capabilities\.I2cMaster/,
      used: ['I2cMaster:ISU2'],
    },
    {
      name: 'ISU listed for SPI only',
      operation: {op: 'i2c.open', isu: 'ISU2'},
      caps: {SpiMaster: ['ISU2']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /ISU2 is not in Capabilities\.I2cMaster/,
    },
  ],
  'spi.open': [
    {
      name: 'listed ISU',
      operation: {op: 'spi.open', isu: 'ISU1'},
      caps: {SpiMaster: ['ISU1']},
      allowed: true,
      errno: 0,
      reason: /ISU1 is in Capabilities\.SpiMaster/,
      used: ['SpiMaster:ISU1'],
    },
    {
      name: 'unlisted ISU',
      operation: {op: 'spi.open', isu: 'ISU3'},
      caps: {SpiMaster: ['ISU1']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /ISU3 is not in Capabilities\.SpiMaster/,
    },
  ],
  'pwm.open': [
    {
      name: 'listed controller',
      operation: {op: 'pwm.open', controller: 'PWM-CONTROLLER-0'},
      caps: {Pwm: ['PWM-CONTROLLER-0']},
      allowed: true,
      errno: 0,
      reason: /is in Capabilities\.Pwm/,
      used: ['Pwm:PWM-CONTROLLER-0'],
    },
    {
      name: 'unlisted controller',
      operation: {op: 'pwm.open', controller: 'PWM-CONTROLLER-1'},
      caps: {Pwm: ['PWM-CONTROLLER-0']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /PWM-CONTROLLER-1 is not in Capabilities\.Pwm/,
    },
  ],
  'adc.open': [
    {
      name: 'listed controller',
      operation: {op: 'adc.open', controller: 'ADC-CONTROLLER-0'},
      caps: {Adc: ['ADC-CONTROLLER-0']},
      allowed: true,
      errno: 0,
      reason: /is in Capabilities\.Adc/,
      used: ['Adc:ADC-CONTROLLER-0'],
    },
    {
      name: 'no Adc capability',
      operation: {op: 'adc.open', controller: 'ADC-CONTROLLER-0'},
      allowed: false,
      errno: Errno.EACCES,
      reason: /ADC-CONTROLLER-0 is not in Capabilities\.Adc/,
    },
  ],
  'storage.open': [
    {
      name: 'own storage with MutableStorage',
      operation: {op: 'storage.open', owner: APP},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: true,
      errno: 0,
      reason: /own mutable storage/,
      used: ['MutableStorage'],
    },
    {
      name: 'own storage without MutableStorage',
      operation: {op: 'storage.open', owner: APP},
      allowed: false,
      errno: Errno.EACCES,
      reason: /no MutableStorage capability/,
    },
    {
      name: "another app's storage",
      operation: {op: 'storage.open', owner: OTHER},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: false,
      errno: Errno.EACCES,
      reason: /belongs to another app/,
    },
  ],
  'storage.delete': [
    {
      name: 'own storage with MutableStorage',
      operation: {op: 'storage.delete', owner: APP},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: true,
      errno: 0,
      reason: /own mutable storage/,
      used: ['MutableStorage'],
    },
    {
      name: "another app's storage",
      operation: {op: 'storage.delete', owner: OTHER},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: false,
      errno: Errno.EACCES,
      reason: /belongs to another app/,
    },
  ],
  'storage.package-file': [
    {
      name: 'a relative path inside the package',
      operation: {op: 'storage.package-file', path: 'certs/ca.pem'},
      allowed: true,
      errno: 0,
      reason: /read-only file of the app image package/,
    },
    {
      name: 'an absolute path',
      operation: {op: 'storage.package-file', path: '/etc/passwd'},
      allowed: false,
      errno: Errno.EINVAL,
      reason: /escapes the image package/,
    },
    {
      name: 'a .. component',
      operation: {op: 'storage.package-file', path: 'a/../../b'},
      allowed: false,
      errno: Errno.EINVAL,
      reason: /escapes the image package/,
    },
    {
      name: 'an empty path',
      operation: {op: 'storage.package-file', path: ''},
      allowed: false,
      errno: Errno.EINVAL,
      reason: /escapes the image package/,
    },
  ],
  'storage.write': [
    {
      name: 'own storage with MutableStorage',
      operation: {op: 'storage.write', owner: APP, quotaBytes: 8192},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: true,
      errno: 0,
      reason: /own mutable storage/,
    },
    {
      name: "another app's storage",
      operation: {op: 'storage.write', owner: OTHER, quotaBytes: 8192},
      caps: {MutableStorage: {SizeKB: 8}},
      allowed: false,
      errno: Errno.EACCES,
      reason: /is not this app's/,
    },
  ],
  'net.connect': [
    {
      name: 'a listed host (any case)',
      operation: {op: 'net.connect', host: 'Example.COM', port: 443},
      caps: {AllowedConnections: ['example.com']},
      allowed: true,
      errno: 0,
      reason: /example\.com is in Capabilities\.AllowedConnections/,
      used: ['AllowedConnections:example.com'],
    },
    {
      name: 'the address a listed name resolves to',
      operation: {op: 'net.connect', host: '10.0.0.5', port: 80},
      caps: {AllowedConnections: ['svc.local']},
      hosts: {'svc.local': '10.0.0.5'},
      allowed: true,
      errno: 0,
      reason: /10\.0\.0\.5 is svc\.local in Capabilities\.AllowedConnections/,
      used: ['AllowedConnections:svc.local'],
    },
    {
      name: 'an unlisted host',
      operation: {op: 'net.connect', host: '10.0.0.6', port: 80},
      caps: {AllowedConnections: ['svc.local']},
      hosts: {'svc.local': '10.0.0.5'},
      allowed: false,
      errno: Errno.EACCES,
      reason: /10\.0\.0\.6 is not in Capabilities\.AllowedConnections/,
    },
  ],
  'dns.query': [
    {
      name: 'a listed name (any case, trailing dot)',
      operation: {op: 'dns.query', name: 'Example.COM.'},
      caps: {AllowedConnections: ['example.com']},
      allowed: true,
      errno: 0,
      reason: /^example\.com is in Capabilities\.AllowedConnections$/,
      used: ['AllowedConnections:example.com'],
    },
    {
      name: 'an instance discovered through a listed DNS-SD service type',
      operation: {op: 'dns.query', name: 'inst._svc._tcp.local'},
      caps: {AllowedConnections: ['_svc._tcp.local']},
      discovered: {'_svc._tcp.local': ['inst._svc._tcp.local', 'host.local']},
      allowed: true,
      errno: 0,
      reason: /inst\._svc\._tcp\.local was discovered through _svc\._tcp\.local/,
      used: ['AllowedConnections:_svc._tcp.local'],
    },
    {
      name: 'an unlisted name, even one that starts with a listed one',
      operation: {op: 'dns.query', name: 'example.com.evil'},
      caps: {AllowedConnections: ['example.com']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /example\.com\.evil is not in Capabilities\.AllowedConnections/,
    },
  ],
  'net.listen': [
    {
      name: 'a listed TCP port',
      operation: {op: 'net.listen', protocol: 'tcp', port: 8080},
      caps: {AllowedTcpServerPorts: [8080]},
      allowed: true,
      errno: 0,
      reason: /TCP port 8080 is in Capabilities\.AllowedTcpServerPorts/,
      used: ['AllowedTcpServerPorts:8080'],
    },
    {
      name: 'a TCP port listed for UDP only',
      operation: {op: 'net.listen', protocol: 'tcp', port: 8080},
      caps: {AllowedUdpServerPorts: [8080]},
      allowed: false,
      errno: Errno.EACCES,
      reason: /TCP port 8080 is not in Capabilities\.AllowedTcpServerPorts/,
    },
    {
      name: 'a listed UDP port',
      operation: {op: 'net.listen', protocol: 'udp', port: 5353},
      caps: {AllowedUdpServerPorts: [5353]},
      allowed: true,
      errno: 0,
      reason: /UDP port 5353 is in Capabilities\.AllowedUdpServerPorts/,
      used: ['AllowedUdpServerPorts:5353'],
    },
    {
      name: 'UDP port 0 with no capabilities',
      operation: {op: 'net.listen', protocol: 'udp', port: 0},
      allowed: false,
      errno: Errno.EACCES,
      reason: /UDP port 0 \(any free port\) serves only flows to AllowedConnections hosts, and the app has none/,
    },
    {
      name: 'UDP port 0 for an app with AllowedConnections (replies within its own flows only)',
      operation: {op: 'net.listen', protocol: 'udp', port: 0},
      caps: {AllowedConnections: ['10.0.0.5']},
      allowed: true,
      errno: 0,
      reason: /an ephemeral UDP port: it receives only replies within flows the app opens/,
    },
  ],
  'app.connect': [
    {
      name: 'a listed component (any case)',
      operation: {op: 'app.connect', componentId: OTHER.toUpperCase()},
      caps: {AllowedApplicationConnections: [OTHER]},
      allowed: true,
      errno: 0,
      reason: /is in Capabilities\.AllowedApplicationConnections/,
      used: [`AllowedApplicationConnections:${OTHER}`],
    },
    {
      name: 'an unlisted component',
      operation: {op: 'app.connect', componentId: OTHER},
      allowed: false,
      errno: Errno.EACCES,
      reason: /is not in Capabilities\.AllowedApplicationConnections/,
    },
  ],
  'process.signal': [
    {
      name: 'itself',
      operation: {op: 'process.signal', pid: PID, owner: APP, signo: 15},
      allowed: true,
      errno: 0,
      reason: /may signal itself/,
    },
    {
      name: 'another process',
      operation: {op: 'process.signal', pid: 99, owner: OTHER, signo: 9},
      allowed: false,
      errno: Errno.EPERM,
      reason: /pid 99 is not this process/,
    },
    {
      name: 'its own component at another pid',
      operation: {op: 'process.signal', pid: 99, owner: APP, signo: 9},
      allowed: false,
      errno: Errno.EPERM,
      reason: /pid 99 is not this process/,
    },
  ],
  'process.debug': [
    {
      name: 'an app',
      operation: {op: 'process.debug', componentId: OTHER},
      deviceCaps: ['appDevelopment'],
      allowed: false,
      errno: Errno.EPERM,
      reason: /apps cannot debug/,
    },
    {
      name: 'the host with appDevelopment',
      operation: {op: 'process.debug', componentId: APP},
      subject: host,
      deviceCaps: ['appDevelopment'],
      allowed: true,
      errno: 0,
      reason: /device has appDevelopment/,
    },
    {
      name: 'the host without appDevelopment',
      operation: {op: 'process.debug', componentId: APP},
      subject: host,
      deviceCaps: ['fieldServicing'],
      allowed: false,
      errno: Errno.EPERM,
      reason: /needs the appDevelopment device capability/,
    },
  ],
  'time.set': [
    {
      name: 'with SystemTime',
      operation: {op: 'time.set'},
      caps: {SystemTime: true},
      allowed: true,
      errno: 0,
      reason: /Capabilities\.SystemTime is true/,
      used: ['SystemTime'],
    },
    {
      name: 'without SystemTime',
      operation: {op: 'time.set'},
      caps: {SystemTime: false},
      allowed: false,
      errno: Errno.EPERM,
      reason: /no SystemTime capability/,
    },
  ],
  'power.control': [
    {
      name: 'a listed control',
      operation: {op: 'power.control', action: 'ForceReboot'},
      caps: {PowerControls: ['ForceReboot']},
      allowed: true,
      errno: 0,
      reason: /ForceReboot is in Capabilities\.PowerControls/,
      used: ['PowerControls:ForceReboot'],
    },
    {
      name: 'an unlisted control',
      operation: {op: 'power.control', action: 'ForcePowerDown'},
      caps: {PowerControls: ['ForceReboot']},
      allowed: false,
      errno: Errno.EPERM,
      reason: /ForcePowerDown is not in Capabilities\.PowerControls/,
    },
  ],
  'image.install': [
    {
      name: 'an app',
      operation: {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: APP},
      deviceCaps: ['appDevelopment'],
      allowed: false,
      errno: Errno.EPERM,
      reason: /apps cannot install images/,
    },
    {
      name: 'sideload with appDevelopment',
      operation: {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: ['appDevelopment'],
      allowed: true,
      errno: 0,
      reason: /sideload: the device has appDevelopment/,
    },
    {
      name: 'sideload with fieldServicing',
      operation: {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: ['fieldServicing'],
      allowed: true,
      errno: 0,
      reason: /fieldServicing capability is applied/,
    },
    {
      name: 'sideload with neither',
      operation: {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: [],
      allowed: false,
      errno: Errno.EPERM,
      reason: /sideloading needs the appDevelopment/,
    },
    {
      name: 'sideload on a DeviceComplete device with appDevelopment',
      operation: {op: 'image.install', source: 'sideload', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: ['appDevelopment'],
      manufacturing: 'DeviceComplete',
      allowed: false,
      errno: Errno.EPERM,
      reason: /DeviceComplete: sideloading needs a fieldServicing/,
    },
    {
      name: 'a development-signed OTA with fieldServicing only',
      operation: {op: 'image.install', source: 'ota', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: ['fieldServicing'],
      allowed: false,
      errno: Errno.EPERM,
      reason: /needs the appDevelopment device capability/,
    },
    {
      name: 'a development-signed OTA on a DeviceComplete device',
      operation: {op: 'image.install', source: 'ota', keyClass: 'development', componentId: APP},
      subject: host,
      deviceCaps: ['appDevelopment'],
      manufacturing: 'DeviceComplete',
      allowed: false,
      errno: Errno.EPERM,
      reason: /DeviceComplete: an over-the-air update must be signed for cloud/,
    },
    {
      name: 'a cloud-signed OTA',
      operation: {op: 'image.install', source: 'ota', keyClass: 'cloud', componentId: APP},
      subject: host,
      deviceCaps: [],
      manufacturing: 'DeviceComplete',
      allowed: true,
      errno: 0,
      reason: /trusts for cloud deployments/,
    },
  ],
  'net.inbound': [
    {
      name: 'a datagram to a listed UDP server port',
      operation: {op: 'net.inbound', protocol: 'udp', port: 1234, from: '192.168.1.9:5000', flow: 'none'},
      caps: {AllowedUdpServerPorts: [1234]},
      allowed: true,
      errno: 0,
      reason: /UDP port 1234 is in Capabilities\.AllowedUdpServerPorts/,
      used: ['AllowedUdpServerPorts:1234'],
    },
    {
      name: 'an unsolicited datagram to an ephemeral port of an app with no capabilities',
      operation: {op: 'net.inbound', protocol: 'udp', port: 0, from: '192.168.1.9:5000', flow: 'none'},
      allowed: false,
      errno: Errno.EACCES,
      reason: /the port is not in Capabilities\.AllowedUdpServerPorts and the app opened no flow/,
    },
    {
      name: 'a reply within a flow the app opened to an allowed host',
      operation: {op: 'net.inbound', protocol: 'udp', port: 0, from: '10.0.0.5:53', flow: 'outbound'},
      caps: {AllowedConnections: ['10.0.0.5']},
      allowed: true,
      errno: 0,
      reason: /a reply within a flow the app opened to 10\.0\.0\.5:53/,
      used: ['AllowedConnections:10.0.0.5'],
    },
    {
      name: 'a flow to a host that is not allowed',
      operation: {op: 'net.inbound', protocol: 'tcp', port: 0, from: '10.0.0.6:80', flow: 'outbound'},
      caps: {AllowedConnections: ['10.0.0.5']},
      allowed: false,
      errno: Errno.EACCES,
      reason: /AllowedTcpServerPorts and the app opened no flow to 10\.0\.0\.6:80/,
    },
  ],
  'net.reply': [
    {
      name: 'from a listed UDP server port',
      operation: {op: 'net.reply', protocol: 'udp', port: 1234, to: '192.168.1.9:5000'},
      caps: {AllowedUdpServerPorts: [1234]},
      allowed: true,
      errno: 0,
      reason: /a reply from UDP port 1234/,
    },
    {
      name: 'from an ephemeral port',
      operation: {op: 'net.reply', protocol: 'udp', port: 0, to: '192.168.1.9:5000'},
      allowed: false,
      errno: Errno.EACCES,
      reason: /UDP port 0 is not in Capabilities\.AllowedUdpServerPorts: no reply/,
    },
  ],
  'resource.limit': [
    {
      name: 'a per-app host resource at its limit',
      operation: {op: 'resource.limit', resource: 'host sockets', limit: 16},
      allowed: false,
      errno: Errno.ENOBUFS,
      reason: /host sockets is at its limit \(16\)/,
    },
  ],
  'memory.grow': [
    {
      name: 'growth the kernel found within the RAM budget',
      operation: {op: 'memory.grow', pages: 1},
      allowed: true,
      errno: 0,
      reason: /within the RAM budget/,
    },
  ],
  capability: [
    {
      name: 'a true boolean capability',
      operation: {op: 'capability', capability: 'NetworkConfig', action: 'set interface'},
      caps: {NetworkConfig: true},
      allowed: true,
      errno: 0,
      reason: /Capabilities\.NetworkConfig is true/,
      used: ['NetworkConfig'],
    },
    {
      name: 'one of a list',
      operation: {op: 'capability', capability: ['WifiConfig', 'EnterpriseWifiConfig'], action: 'add network'},
      caps: {EnterpriseWifiConfig: true},
      allowed: true,
      errno: 0,
      reason: /Capabilities\.EnterpriseWifiConfig is true/,
      used: ['EnterpriseWifiConfig'],
    },
    {
      name: 'a false boolean capability',
      operation: {op: 'capability', capability: 'DhcpService', action: 'start'},
      caps: {DhcpService: false},
      allowed: false,
      errno: Errno.EACCES,
      reason: /no DhcpService capability/,
    },
    {
      name: 'none of a list',
      operation: {op: 'capability', capability: ['WifiConfig', 'EnterpriseWifiConfig'], action: 'add network'},
      allowed: false,
      errno: Errno.EACCES,
      reason: /no WifiConfig or EnterpriseWifiConfig capability/,
    },
  ],
  syscall: [
    {
      name: 'an unimplemented call',
      operation: {op: 'syscall', name: 'fork'},
      caps: {NetworkConfig: true, SystemTime: true},
      allowed: false,
      errno: Errno.ENOSYS,
      reason: /fork is not a call this OS provides/,
    },
  ],
}

type AnyRow = Row<Kind> & {kind: Kind}
const table: AnyRow[] = (Object.entries(rows) as [Kind, Row<Kind>[]][]).flatMap(([kind, list]) =>
  list.map((r) => ({...r, kind})),
)

function setup(r: AnyRow): {lsm: Lsm; subject: Subject} {
  const lsm = new Lsm(() => 1234)
  lsm.setPolicy(compilePolicy({Name: 'app', ComponentId: APP, Capabilities: r.caps ?? {}}))
  lsm.setDeviceCapabilities(r.deviceCaps ?? [])
  lsm.setManufacturingState(r.manufacturing ?? 'Blank')
  lsm.setHostResolver(
    (n) => r.hosts?.[n],
    (svc) => r.discovered?.[svc] ?? [],
  )
  return {lsm, subject: r.subject ?? {kind: 'app', componentId: APP, pid: PID}}
}

describe('LSM: every Operation kind', () => {
  test.each(table.map((r) => [`${r.kind}: ${r.name}`, r] as const))('%s', (_label, r) => {
    const {lsm, subject} = setup(r)
    const audited: unknown[] = []
    lsm.onAudit((rec) => audited.push(rec))
    const d = lsm.check(subject, r.operation)
    expect({allowed: d.allowed, errno: d.errno}).toEqual({allowed: r.allowed, errno: r.errno})
    expect(d.reason).toMatch(r.reason)

    // Each decision leaves exactly one audit record, told to listeners, saying who, what, and the verdict.
    const log = lsm.auditLog()
    expect(log).toHaveLength(1)
    expect(audited).toEqual(log)
    const rec = log[0]!
    expect(rec.operation).toBe(r.kind)
    expect(rec.subject).toBe(subject.kind === 'app' ? `app:${APP}` : `host:${subject.name}`)
    expect(rec.pid).toBe(subject.kind === 'app' ? PID : undefined)
    expect(rec.allowed).toBe(r.allowed)
    expect(rec.errno).toBe(r.allowed ? undefined : r.errno)
    expect(rec.reason).toBe(d.reason)
    expect(rec.t).toBe(1234)
    const {op: _op, ...object} = r.operation as Record<string, unknown>
    for (const [k, v] of Object.entries(object)) expect(rec.object).toContain(`${k}=${String(v)}`)
    expect(lsm.auditLog({deniedOnly: true})).toHaveLength(r.allowed ? 0 : 1)

    // Only allowed decisions against the manifest count as capability use (the least-privilege advisor).
    expect(subject.kind === 'app' ? lsm.usedCapabilities(APP) : []).toEqual(r.used ?? [])
  })

  test('every kind has a denied row, and every kind an app or the host can be granted has an allowed one', () => {
    // a call the OS does not provide, and a resource at its limit, are refusals by definition
    const neverAllowed: Kind[] = ['syscall', 'resource.limit']
    // growth past the RAM budget is refused by the kernel's accounting and recorded with lsm.deny (see below)
    const neverDenied: Kind[] = ['memory.grow']
    for (const [kind, list] of Object.entries(rows) as [Kind, Row<Kind>[]][]) {
      expect([kind, list.some((r) => !r.allowed)]).toEqual([kind, !neverDenied.includes(kind)])
      expect([kind, list.some((r) => r.allowed)]).toEqual([kind, !neverAllowed.includes(kind)])
    }
  })

  test('an app without a policy is denied everything it asks, with EACCES, and audited', () => {
    const lsm = new Lsm()
    const subject: Subject = {kind: 'app', componentId: OTHER, pid: 3}
    for (const r of table.filter((x) => !x.subject)) {
      const d = lsm.check(subject, r.operation)
      expect([r.kind, d.allowed, d.errno, d.reason]).toEqual([
        r.kind,
        false,
        Errno.EACCES,
        'no policy for this component',
      ])
    }
    // identical consecutive denials are coalesced into one record with a count (the audit quota)
    const denied = lsm.auditLog({componentId: OTHER, deniedOnly: true})
    expect(denied.reduce((n, r) => n + (r.count ?? 1), 0)).toBe(table.filter((x) => !x.subject).length)
  })

  test('a refusal the kernel decides itself (deny) is audited with its own reason and errno', () => {
    const lsm = new Lsm()
    lsm.setPolicy(compilePolicy({Name: 'app', ComponentId: APP, Capabilities: {MutableStorage: {SizeKB: 1}}}))
    const d = lsm.deny(
      {kind: 'app', componentId: APP, pid: PID},
      {op: 'storage.write', owner: APP, quotaBytes: 1024},
      'over the quota',
      Errno.ENOSPC,
    )
    expect(d).toEqual({allowed: false, reason: 'over the quota', errno: Errno.ENOSPC})
    expect(lsm.auditLog()).toMatchObject([
      {operation: 'storage.write', allowed: false, errno: Errno.ENOSPC, reason: 'over the quota'},
    ])
  })
})
