/**
 * The scriptable world: a YAML/JSON description of the board's surroundings (buttons, GPIO inputs, the
 * LSM6DS3 sensor values, ADC input voltages, what each UART is wired to, extra bus devices, simulated
 * real-time apps), applied with `applyWorldFile` (`sphere sim start --world world.yaml`) and changed live,
 * one path at a time, with `setWorldPath` (PATCH /sphere/world, `sphere device world set PATH=VALUE`).
 * The format is documented in docs/world.md.
 */
import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {isIPv4} from 'node:net'
import {parse} from 'yaml'
import {ADC_CONTROLLERS, ISU_NAMES, PWM_CONTROLLERS} from '../hw/chip.js'
import type {UartLineSettings} from '../hw/uart.js'
import type {RtAppPartner, World} from '../hw/world.js'
import {OsError} from '../errors.js'
import {dnsSdInstance} from './dns.js'
import type {StandIn} from '../runtime/trust.js'
import type {NetworkStack} from './network.js'
import type {LocalInternet} from './internet.js'
import type {DeviceIot} from './iot-hub.js'
import {bridgeUartToFile, bridgeUartToPty, type UartBridge} from './uart-bridge.js'

const bad = (msg: string): OsError =>
  new OsError('WORLD_BAD_PATH', msg)

/** What a UART is wired to: nothing, a loopback wire, a PTY (user end at `pty`) or a transmit log `file`. */
export type UartWiringSpec =
  | 'none'
  | 'loopback'
  | {pty: string; settings?: Partial<UartLineSettings>}
  | {file: string; settings?: Partial<UartLineSettings>}
  | {loopback: boolean}

const bridges = new WeakMap<World, Map<string, UartBridge>>()
const pendingBridges = new WeakMap<World, Map<string, Promise<void>>>()

function bridgesOf(world: World): Map<string, UartBridge> {
  let m = bridges.get(world)
  if (!m) bridges.set(world, (m = new Map()))
  return m
}

/** Resolves when every PTY bridge started by world changes of `world` is up (or failed). */
export async function worldSettled(world: World): Promise<void> {
  await Promise.all([...(pendingBridges.get(world)?.values() ?? [])])
}

/** Close the host ends (PTYs, files) of the world's UARTs. */
export async function closeWorldBridges(world: World): Promise<void> {
  await worldSettled(world)
  const m = bridgesOf(world)
  await Promise.all([...m.values()].map((b) => b.close()))
  m.clear()
}

const num = (v: unknown, what: string): number => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(`${what} must be a number, not ${JSON.stringify(v)}`)
  return n
}

const bool = (v: unknown, what: string): boolean => {
  if (v === true || v === 'true' || v === 'pressed' || v === 1) return true
  if (v === false || v === 'false' || v === 'released' || v === 0) return false
  throw bad(`${what} takes true or false`)
}

function isuName(s: string): string {
  const n = s.toUpperCase()
  if (!ISU_NAMES.includes(n)) throw bad(`no UART ${s} (ISU0-ISU4)`)
  return n
}

const SETTING_KEYS: readonly (keyof UartLineSettings)[] = ['baudRate', 'dataBits', 'parity', 'stopBits', 'flowControl']

function lineSettings(v: unknown, what: string): Partial<UartLineSettings> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`${what} must be an object`)
  const out: Partial<UartLineSettings> = {}
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (!SETTING_KEYS.includes(k as keyof UartLineSettings))
      throw bad(`${what}.${k}: unknown (use ${SETTING_KEYS.join(', ')})`)
    out[k as keyof UartLineSettings] = num(x, `${what}.${k}`)
  }
  return out
}

/** Wire a UART as `spec` says (replacing the previous host end). PTY bridges come up asynchronously. */
export function wireUart(world: World, isu: string, spec: unknown): void {
  const name = isuName(isu)
  const port = world.uarts.get(name)!
  const m = bridgesOf(world)
  const old = m.get(name)
  if (old) {
    m.delete(name)
    void old.close()
  }
  const where = `uarts.${name}`
  if (spec === 'none' || spec === null || spec === false) port.setLoopback(false)
  else if (spec === 'loopback' || spec === true) port.setLoopback(true)
  else if (typeof spec === 'object' && !Array.isArray(spec)) {
    const o = spec as Record<string, unknown>
    const settings = lineSettings(o.settings, `${where}.settings`)
    if (typeof o.pty === 'string' && o.pty !== '') {
      port.setLoopback(false)
      const pend = pendingBridges.get(world) ?? new Map<string, Promise<void>>()
      pendingBridges.set(world, pend)
      const p = bridgeUartToPty(port, o.pty, settings, (i, apply) => (world.hostGate ? world.hostGate(i, apply) : apply()))
        .then((b) => {
          m.set(name, b)
          world.notePeripheral(where, {pty: b.path}, 'external')
        })
        .catch((e: unknown) => world.notePeripheral(where, {error: (e as Error).message}, 'external'))
        .finally(() => pend.delete(name))
      pend.set(name, p)
      return
    }
    if (typeof o.file === 'string' && o.file !== '') {
      m.set(name, bridgeUartToFile(port, o.file, settings))
    } else if ('loopback' in o) port.setLoopback(bool(o.loopback, `${where}.loopback`))
    else throw bad(`${where}: expected "loopback", "none", {pty: PATH} or {file: PATH}`)
  } else throw bad(`${where}: expected "loopback", "none", {pty: PATH} or {file: PATH}`)
  world.notePeripheral(where, port.wiring, 'external')
}

function setAxes(target: {x: number; y: number; z: number}, v: unknown, what: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be {x, y, z}`)
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k !== 'x' && k !== 'y' && k !== 'z') throw bad(`${what}.${k}: use x, y or z`)
    target[k] = num(x, `${what}.${k}`)
  }
}

function rtApp(componentId: string, v: unknown): RtAppPartner {
  const id = componentId.toLowerCase()
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    throw bad(`rtApps: ${componentId} is not a component ID (GUID)`)
  if (v === undefined || v === 'echo' || v === 'sink') return {componentId: id, behavior: v ?? 'echo'}
  if (typeof v !== 'object' || v === null) throw bad(`rtApps.${componentId}: expected "echo", "sink" or an object`)
  const o = v as Record<string, unknown>
  const behavior = o.behavior ?? 'echo'
  if (behavior !== 'echo' && behavior !== 'sink') throw bad(`rtApps.${componentId}.behavior: echo or sink`)
  const allowed = o.allowedApps
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((a) => typeof a === 'string')))
    throw bad(`rtApps.${componentId}.allowedApps must be a list of component IDs`)
  return {componentId: id, behavior, allowedApps: allowed as string[] | undefined}
}

/**
 * Change one world value. Paths: `buttons.A` (true = pressed), `gpios.12` (0/1), `adc.0.3` (volts),
 * `sensors.lsm6ds3.temperature` (°C), `sensors.lsm6ds3.accel[.x|.y|.z]` (g), `sensors.lsm6ds3.gyro[.x|.y|.z]`
 * (degrees/s), `uarts.ISU0` (wiring), `uarts.ISU0.loopback` (bool), `rtApps.<componentId>` ("echo", "sink",
 * {behavior, allowedApps} or null to remove). Throws OsError WORLD_BAD_PATH.
 */
export function setWorldPath(world: World, path: string, value: unknown): void {
  const parts = path.split('.')
  const [head, a, b, c] = parts
  try {
    switch (head) {
      case 'button':
      case 'buttons':
        if (parts.length !== 2) break
        if (bool(value, path)) world.pressButton(a!)
        else world.releaseButton(a!)
        return
      case 'gpio':
      case 'gpios': {
        if (parts.length !== 2) break
        const l = num(value, path)
        if (l !== 0 && l !== 1) throw bad(`${path} takes 0 or 1`)
        world.driveExternal(num(a, path), l)
        return
      }
      case 'adc':
        if (parts.length !== 3) break
        world.setAdcVolts(num(a, path), num(b, path), num(value, path))
        return
      case 'sensors': {
        if (a !== 'lsm6ds3' || parts.length < 3) break
        const s = world.sensors.lsm6ds3
        if (b === 'temperature' && parts.length === 3) s.temperature = num(value, path)
        else if ((b === 'accel' || b === 'gyro') && parts.length === 3) setAxes(s[b], value, path)
        else if ((b === 'accel' || b === 'gyro') && parts.length === 4 && (c === 'x' || c === 'y' || c === 'z'))
          s[b][c] = num(value, path)
        else break
        world.notePeripheral(path, value, 'external')
        return
      }
      case 'uarts':
        if (parts.length === 2) return wireUart(world, a!, value)
        if (parts.length === 3 && b === 'loopback') return wireUart(world, a!, {loopback: bool(value, path)})
        break
      case 'rtApps':
        if (parts.length !== 2) break
        if (value === null || value === 'none') world.rtApps.delete(a!.toLowerCase())
        else world.rtApps.set(a!.toLowerCase(), rtApp(a!, value))
        world.notePeripheral(path, value, 'external')
        return
    }
  } catch (e) {
    if (e instanceof RangeError) throw bad(e.message)
    throw e
  }
  throw bad(
    `unknown world path ${path} (use buttons.<name>, gpios.<id>, adc.<controller>.<channel>, sensors.lsm6ds3.<temperature|accel|gyro>, uarts.<ISU>, rtApps.<componentId>)`,
  )
}

/**
 * The network part of a world file: `hosts` (name -> IPv4, added to the device's hosts map) and `dnsSd` (the
 * DNS-SD service instances the device's resolver advertises, services/dns.ts). Checked whole before anything
 * is applied.
 */
function applyNetwork(network: NetworkStack | undefined, doc: Record<string, unknown>): void {
  const hosts = doc.hosts
  const sd = doc.dnsSd
  const roots = doc.tlsRoots
  if (hosts === undefined && sd === undefined && roots === undefined) return
  if (!network) throw bad('hosts / dnsSd / tlsRoots need the device\'s network service')
  const pairs: [string, string][] = []
  if (hosts !== undefined) {
    if (typeof hosts !== 'object' || hosts === null || Array.isArray(hosts)) throw bad('hosts must map host names to IPv4 addresses')
    for (const [name, ip] of Object.entries(hosts)) {
      if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(name)) throw bad(`hosts.${name}: not a host name`)
      if (typeof ip !== 'string' || !isIPv4(ip)) throw bad(`hosts.${name}: ${JSON.stringify(ip)} is not an IPv4 address`)
      pairs.push([name, ip])
    }
  }
  let instances
  if (sd !== undefined) {
    if (!Array.isArray(sd)) throw bad('dnsSd must be a list of service instances')
    try {
      instances = sd.map((x, i) => dnsSdInstance(x, `dnsSd[${i}]`))
    } catch (e) {
      throw bad((e as Error).message)
    }
  }
  let pems: StandIn[] | undefined
  if (roots !== undefined) {
    if (!Array.isArray(roots)) throw bad('tlsRoots must be a list of PEM files (or PEM text)')
    pems = roots.flatMap((r, i) => rootStandIns(r, `tlsRoots[${i}]`))
  }
  for (const [name, ip] of pairs) network.setHost(name.replace(/\.$/, ''), ip)
  if (instances) network.setDnsSd(instances)
  if (pems) network.setTlsRoots(pems)
}

/**
 * One `tlsRoots` entry: a PEM file path or PEM text (stands in for any CA an app's file holds), or
 * `{root: <path or PEM>, standsFor: [<CA common name>, ...]}` (stands in for those only; runtime/trust.ts).
 */
function rootStandIns(v: unknown, where: string): StandIn[] {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o))
      if (k !== 'root' && k !== 'standsFor') throw bad(`${where}.${k}: unknown (use root, standsFor)`)
    const names = o.standsFor
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== ''))
      throw bad(`${where}.standsFor must be a list of CA certificate common names`)
    return rootCertificates(o.root, `${where}.root`).map((pem) => ({pem, standsFor: [...(names as string[])]}))
  }
  return rootCertificates(v, where).map((pem) => ({pem, standsFor: 'any' as const}))
}

/** The certificates of a PEM file path, or PEM text. */
function rootCertificates(v: unknown, where: string): string[] {
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${where} must be a PEM file path or PEM text`)
  let text = v
  if (!v.includes('-----BEGIN')) {
    try {
      text = readFileSync(v, 'utf8')
    } catch (e) {
      throw bad(`${where}: cannot read ${v}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0) throw bad(`${where}: no PEM certificate in ${v.includes('-----BEGIN') ? 'the text' : v}`)
  for (const b of blocks) {
    try {
      new X509Certificate(b)
    } catch (e) {
      throw bad(`${where}: not a certificate: ${(e as Error).message}`)
    }
  }
  return blocks
}

/** Flatten a nested object into world paths: {adc: {0: {1: 2}}} -> adc.0.1 = 2 (leaf objects kept where a path takes one). */
function apply(world: World, doc: Record<string, unknown>, device: WorldTarget, baseDir: string): void {
  for (const [key, v] of Object.entries(doc)) {
    switch (key) {
      case 'hosts':
      case 'dnsSd':
      case 'tlsRoots':
        break // applyNetwork
      case 'board':
      case 'description':
        break
      case 'buttons':
      case 'gpios':
      case 'uarts':
      case 'rtApps':
        if (Array.isArray(v) && key === 'rtApps') {
          for (const r of v as Record<string, unknown>[]) {
            if (typeof r?.componentId !== 'string') throw bad('rtApps: each entry needs componentId')
            setWorldPath(world, `rtApps.${r.componentId}`, r)
          }
        } else {
          if (typeof v !== 'object' || v === null) throw bad(`${key} must be a mapping`)
          for (const [k, x] of Object.entries(v)) setWorldPath(world, `${key}.${k}`, x)
        }
        break
      case 'adc': {
        if (typeof v !== 'object' || v === null) throw bad('adc must be a mapping of controller -> channel -> volts')
        for (const [ctl, chans] of Object.entries(v)) {
          if (typeof chans !== 'object' || chans === null) throw bad(`adc.${ctl} must map channel -> volts`)
          for (const [ch, volts] of Object.entries(chans)) setWorldPath(world, `adc.${ctl}.${ch}`, volts)
        }
        break
      }
      case 'sensors': {
        const s = (v as Record<string, unknown> | null)?.lsm6ds3
        if (typeof s !== 'object' || s === null) throw bad('sensors must have an lsm6ds3 mapping')
        for (const [k, x] of Object.entries(s)) setWorldPath(world, `sensors.lsm6ds3.${k}`, x)
        break
      }
      case 'devices': {
        if (!Array.isArray(v)) throw bad('devices must be a list')
        for (const d of v as Record<string, unknown>[]) addDevice(world, d)
        break
      }
      case 'internet':
        if (!device.internet) throw bad('internet: this device has no local internet')
        device.internet.configure(v, baseDir)
        break
      case 'iotHub':
        if (!device.iot) throw bad('iotHub: this device has no Azure IoT service')
        device.iot.configure(v)
        break
      default:
        throw bad(`unknown world file key ${key} (board, buttons, gpios, sensors, adc, uarts, devices, rtApps, hosts, dnsSd, tlsRoots, internet, iotHub)`)
    }
  }
}

function addDevice(world: World, d: Record<string, unknown>): void {
  if (String(d.model ?? '').toLowerCase() !== 'lsm6ds3')
    throw bad(`devices: unknown model ${String(d.model)} (lsm6ds3)`)
  const isu = isuName(String(d.isu ?? ''))
  try {
    if (d.bus === 'i2c') world.attachI2c(isu, num(d.address ?? 0x6a, 'devices[].address'), world.newLsm6ds3())
    else if (d.bus === 'spi') {
      const cs =
        d.chipSelect === 'B' || d.chipSelect === -2
          ? -2
          : d.chipSelect === undefined || d.chipSelect === 'A' || d.chipSelect === -1
            ? -1
            : NaN
      if (Number.isNaN(cs)) throw bad('devices[].chipSelect must be A or B')
      world.attachSpi(isu, cs, world.newLsm6ds3())
    } else throw bad('devices[].bus must be i2c or spi')
  } catch (e) {
    if (e instanceof RangeError) throw bad(e.message)
    throw e
  }
}

/** Parse a world file (YAML or JSON). Throws OsError WORLD_BAD_FILE / WORLD_BAD_PATH. */
export function parseWorldFile(text: string): Record<string, unknown> {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (e) {
    throw new OsError(
      'WORLD_BAD_FILE',
      `the world file is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`,
    )
  }
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new OsError('WORLD_BAD_FILE', 'the world file must be a mapping')
  return doc as Record<string, unknown>
}

/** Apply a world file to a device (what `sphere sim start --world FILE` does). */
export function applyWorldFile(device: WorldTarget, text: string, opts: {baseDir?: string} = {}): void {
  const doc = parseWorldFile(text)
  applyNetwork(device.network, doc)
  apply(device.world, doc, device, opts.baseDir ?? process.cwd())
}

/** What a world file applies to: the board's world, the device's names (hosts, dnsSd, tlsRoots) and its local
 *  internet (the `internet` key). */
export interface WorldTarget {
  world: World
  network?: NetworkStack
  internet?: LocalInternet
  /** The device's Azure IoT side (the `iotHub` key). */
  iot?: DeviceIot
}

/** The peripheral part of GET /sphere/world (merged with LEDs, buttons and GPIOs). */
export function worldExtras(world: World): Record<string, unknown> {
  const m = bridgesOf(world)
  return {
    sensors: {lsm6ds3: structuredClone(world.sensors.lsm6ds3)},
    adc: world.adc.map((c, i) => ({
      controller: ADC_CONTROLLERS[i]!.name,
      channels: c.volts.map((v, ch) => ({
        channel: ch,
        volts: v,
        referenceVolts: c.referenceVolts[ch],
        sample: world.adcSample(i, ch),
      })),
    })),
    pwm: world.pwm.flatMap((chs, i) =>
      chs.flatMap((s, ch) =>
        s
          ? [
              {
                controller: PWM_CONTROLLERS[i]!.name,
                channel: ch,
                gpio: PWM_CONTROLLERS[i]!.gpios[ch],
                ...s,
                dutyPercent: s.periodNs > 0 ? Math.round((s.dutyNs / s.periodNs) * 1000) / 10 : 0,
              },
            ]
          : [],
      ),
    ),
    uarts: [...world.uarts.values()].map((u) => ({
      isu: u.isu,
      wiring: u.wiring,
      host: m.get(u.isu)?.path,
      open: u.settings !== undefined,
      settings: u.settings,
      ...u.stats,
    })),
    busDevices: world.busDevices(),
    rtApps: [...world.rtApps.values()],
    power: {
      profile: world.powerProfile,
      rtc: world.rtcNs === undefined ? null : new Date(world.rtcNs / 1e6).toISOString(),
    },
  }
}
