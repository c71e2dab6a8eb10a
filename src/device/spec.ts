import {SphereError} from '../util/errors.js'
import {SIM_NAME_RE} from './sim-name.js'

/** A parsed --device value (or `defaults.device`). */
export type DeviceSpec =
  | {kind: 'sim'; name: string}
  | {kind: 'serial'; path: string}
  | {kind: 'ip'; host: string; port: number}
  | {kind: 'id'; deviceId: string}
  | {kind: 'fleet'; fleet: string; member: string}

/** The simulator that auto-starts: `sim`, `sim:default`, or no --device with nothing attached. */
export const DEFAULT_SIM = 'default'

const DEVICE_ID_RE = /^[0-9a-fA-F]{128}$/
/** `fleet:NAME/N` or `fleet:NAME/<device ID>`: a member of a running fleet (src/device/fleet.ts). */
export const FLEET_SPEC_RE = /^fleet:([^/]+)\/(\d{1,9}|[0-9a-fA-F]{128})$/
const IPV4_PORT_RE = /^((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::(\d{1,5}))?$/

const FORMS = 'sim, sim:NAME, fleet:NAME/N, a serial port path (/dev/ttyUSB0), an IP address (192.168.35.2[:PORT]) or a 128-hex device ID'

/**
 * Parse `sim`, `sim:NAME`, a serial port path, an IP[:port], or a 128-hex device ID. One dispatch on the form
 * of the string: a new form is one more branch here and one more case in selectDevice. `what` names where the
 * value came from in errors (`--device`, `defaults.device`). Light on purpose: `config set` validates with it.
 */
export function parseDeviceSpec(value: string, what = '--device'): DeviceSpec {
  const v = value.trim()
  const bad = (why: string): never => {
    throw new SphereError('BAD_DEVICE', `Invalid ${what} '${value}': ${why}.`, {exit: 2, suggestions: [`Use ${FORMS}.`]})
  }
  if (v === 'sim') return {kind: 'sim', name: DEFAULT_SIM}
  if (v.startsWith('sim:')) {
    const name = v.slice(4) || DEFAULT_SIM
    if (!SIM_NAME_RE.test(name)) bad(`'${name}' is not a simulator name (letters, digits, '.', '_' or '-', at most 63)`)
    return {kind: 'sim', name}
  }
  if (v.startsWith('fleet:')) {
    const m = FLEET_SPEC_RE.exec(v)
    if (!m) bad('a fleet member is fleet:NAME/N or fleet:NAME/<device ID>')
    return {kind: 'fleet', fleet: m![1]!, member: m![2]!.toLowerCase()}
  }
  if (DEVICE_ID_RE.test(v)) return {kind: 'id', deviceId: v.toLowerCase()}
  const hostPort = IPV4_PORT_RE.exec(v)
  if (hostPort) {
    const port = hostPort[2] ? Number(hostPort[2]) : 443
    if (port < 1 || port > 65535) bad(`port ${hostPort[2]} is outside 1-65535`)
    return {kind: 'ip', host: hostPort[1] as string, port}
  }
  if (v.startsWith('/') || /^COM\d+$/i.test(v) || v.startsWith('./')) return {kind: 'serial', path: v}
  return bad('not a device')
}
