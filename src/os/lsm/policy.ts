import {ADC_CONTROLLERS, ISU_NAMES, PWM_CONTROLLERS, isGpioId} from '../hw/chip.js'
import {SphereError} from '../../util/errors.js'

/**
 * The application manifest fields the OS enforces (app_manifest.json inside the image package), after the
 * build resolved hardware-definition names (`$SAMPLE_LED`) to values. Unknown keys are kept but unused.
 */
export interface AppManifest {
  SchemaVersion?: number
  Name: string
  ComponentId: string
  EntryPoint?: string
  CmdArgs?: string[]
  ApplicationType?: string
  Capabilities?: ManifestCapabilities
  [key: string]: unknown
}

export interface ManifestCapabilities {
  Gpio?: (number | string)[]
  Uart?: string[]
  I2cMaster?: string[]
  SpiMaster?: string[]
  Pwm?: string[]
  Adc?: string[]
  AllowedConnections?: string[]
  AllowedTcpServerPorts?: number[]
  AllowedUdpServerPorts?: number[]
  AllowedApplicationConnections?: string[]
  MutableStorage?: {SizeKB: number}
  PowerControls?: string[]
  SystemTime?: boolean
  [key: string]: unknown
}

/** The device's manufacturing state (device.json); DeviceComplete locks a finished product. */
export type ManufacturingState = 'Blank' | 'Module1Complete' | 'DeviceComplete' | 'Unknown'

/** Device capabilities (GET /device/capabilities codes). */
export type DeviceCapability = 'appDevelopment' | 'enableRfTestMode' | 'fieldServicing'
export const DEVICE_CAPABILITY_CODES: Record<DeviceCapability, number> = {
  appDevelopment: 11,
  enableRfTestMode: 12,
  fieldServicing: 13,
}

/** What one app may do: compiled once from its manifest at install time. */
export interface AppPolicy {
  componentId: string
  name: string
  gpio: ReadonlySet<number>
  uart: ReadonlySet<string>
  i2cMaster: ReadonlySet<string>
  spiMaster: ReadonlySet<string>
  pwm: ReadonlySet<string>
  adc: ReadonlySet<string>
  allowedConnections: ReadonlySet<string>
  tcpServerPorts: ReadonlySet<number>
  udpServerPorts: ReadonlySet<number>
  appConnections: ReadonlySet<string>
  /** Mutable storage quota in bytes; undefined = no MutableStorage capability. */
  mutableStorageBytes?: number
  powerControls: ReadonlySet<string>
  systemTime: boolean
  /** Boolean capabilities set to true (NetworkConfig, SntpService, WifiConfig, ...). */
  flags: ReadonlySet<string>
}

const bad = (msg: string): SphereError =>
  new SphereError('MANIFEST_INVALID', msg, {
    suggestions: ['Check app_manifest.json against the application manifest schema'],
  })

function strings(v: unknown, key: string, allowed?: readonly string[]): Set<string> {
  if (v === undefined) return new Set()
  if (!Array.isArray(v)) throw bad(`Capabilities.${key} must be an array`)
  const out = new Set<string>()
  for (const x of v) {
    if (typeof x !== 'string') throw bad(`Capabilities.${key} holds a non-string value ${JSON.stringify(x)}`)
    unresolved(x, key)
    if (allowed && !allowed.includes(x))
      throw bad(`Capabilities.${key}: ${x} is not an MT3620 peripheral (expected one of ${allowed.join(', ')})`)
    out.add(x)
  }
  return out
}

function unresolved(x: unknown, key: string): void {
  if (typeof x === 'string' && x.startsWith('$')) {
    throw new SphereError(
      'MANIFEST_UNRESOLVED',
      `Capabilities.${key} still names the hardware-definition peripheral ${x}`,
      {
        suggestions: ['Build the image package with its hardware definition so names resolve to MT3620 values'],
      },
    )
  }
}

function ports(v: unknown, key: string): Set<number> {
  if (v === undefined) return new Set()
  if (!Array.isArray(v)) throw bad(`Capabilities.${key} must be an array`)
  const out = new Set<number>()
  for (const x of v) {
    if (!Number.isInteger(x) || (x as number) < 1 || (x as number) > 65535)
      throw bad(`Capabilities.${key}: ${JSON.stringify(x)} is not a port`)
    out.add(x as number)
  }
  return out
}

/** Compile a manifest (names already resolved; numeric GPIO ids) into the policy the LSM enforces. */
export function compilePolicy(m: AppManifest): AppPolicy {
  if (typeof m !== 'object' || m === null) throw bad('the manifest is not an object')
  if (
    typeof m.ComponentId !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(m.ComponentId)
  ) {
    throw bad(`ComponentId ${JSON.stringify(m.ComponentId)} is not a UUID`)
  }
  if (typeof m.Name !== 'string' || m.Name.length === 0) throw bad('Name is missing')
  const c = m.Capabilities ?? {}
  const gpio = new Set<number>()
  for (const x of c.Gpio ?? []) {
    unresolved(x, 'Gpio')
    const n = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x
    if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(`Capabilities.Gpio: ${JSON.stringify(x)} is not a GPIO number`)
    // a well-formed number the chip does not have: the device's own "GPIO not defined" refusal (5242883)
    if (!isGpioId(n))
      throw new SphereError('APP_GPIO_UNDEFINED', `${m.Name}: Capabilities.Gpio requests GPIO ${n}, which is not defined on the MT3620`, {
        suggestions: ['The MT3620 has GPIOs 0-23, 26-48, 56-75 and 80; fix Capabilities.Gpio in app_manifest.json'],
      })
    gpio.add(n)
  }
  let mutableStorageBytes: number | undefined
  if (c.MutableStorage !== undefined) {
    const kb = c.MutableStorage?.SizeKB
    if (!Number.isInteger(kb) || kb < 1 || kb > 64)
      throw bad('Capabilities.MutableStorage.SizeKB must be an integer from 1 to 64')
    mutableStorageBytes = kb * 1024
  }
  if (c.SystemTime !== undefined && typeof c.SystemTime !== 'boolean')
    throw bad('Capabilities.SystemTime must be true or false')
  return {
    componentId: m.ComponentId.toLowerCase(),
    name: m.Name,
    gpio,
    uart: strings(c.Uart, 'Uart', ISU_NAMES),
    i2cMaster: strings(c.I2cMaster, 'I2cMaster', ISU_NAMES),
    spiMaster: strings(c.SpiMaster, 'SpiMaster', ISU_NAMES),
    pwm: strings(
      c.Pwm,
      'Pwm',
      PWM_CONTROLLERS.map((p) => p.name),
    ),
    adc: strings(
      c.Adc,
      'Adc',
      ADC_CONTROLLERS.map((p) => p.name),
    ),
    allowedConnections: new Set([...strings(c.AllowedConnections, 'AllowedConnections')].map((s) => s.toLowerCase())),
    tcpServerPorts: ports(c.AllowedTcpServerPorts, 'AllowedTcpServerPorts'),
    udpServerPorts: ports(c.AllowedUdpServerPorts, 'AllowedUdpServerPorts'),
    appConnections: new Set(
      [...strings(c.AllowedApplicationConnections, 'AllowedApplicationConnections')].map((s) => s.toLowerCase()),
    ),
    mutableStorageBytes,
    powerControls: strings(c.PowerControls, 'PowerControls'),
    systemTime: c.SystemTime === true,
    // boolean capabilities that are true, and DeviceAuthentication when it names a tenant
    flags: new Set(Object.keys(c).filter((k) => c[k] === true || (k === 'DeviceAuthentication' && typeof c[k] === 'string' && c[k] !== ''))),
  }
}
