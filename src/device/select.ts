import {existsSync} from 'node:fs'
import {isIP} from 'node:net'
import {SphereError} from '../util/errors.js'
import {DeviceClient} from './client.js'
import type {Connector} from './http.js'
import {ensureDaemon, listSimNames, liveDaemon, type DaemonInfo, type StartOptions} from './sims.js'

/** A parsed --device value. */
export type DeviceSpec =
  | {kind: 'sim'; name: string}
  | {kind: 'serial'; path: string}
  | {kind: 'ip'; host: string; port: number}
  | {kind: 'id'; deviceId: string}

const DEVICE_ID_RE = /^[0-9a-fA-F]{128}$/

/** Parse `sim`, `sim:NAME`, a serial port path, an IP[:port], or a 128-hex device ID. */
export function parseDeviceSpec(value: string): DeviceSpec {
  const v = value.trim()
  if (v === 'sim') return {kind: 'sim', name: 'default'}
  if (v.startsWith('sim:')) return {kind: 'sim', name: v.slice(4) || 'default'}
  if (DEVICE_ID_RE.test(v)) return {kind: 'id', deviceId: v.toLowerCase()}
  const hostPort = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(v)
  if (hostPort && isIP(hostPort[1] as string)) {
    const port = hostPort[2] ? Number(hostPort[2]) : 443
    if (port < 1 || port > 65535) throw new SphereError('BAD_DEVICE', `Invalid port in --device '${value}'.`, {exit: 2})
    return {kind: 'ip', host: hostPort[1] as string, port}
  }
  if (v.startsWith('/') || /^COM\d+$/i.test(v) || v.startsWith('./')) return {kind: 'serial', path: v}
  throw new SphereError('BAD_DEVICE', `Cannot interpret --device '${value}'.`, {
    exit: 2,
    suggestions: ['Use sim, sim:NAME, a serial port path (/dev/ttyUSB0), an IP address (192.168.35.2) or a 128-hex device ID.'],
  })
}

/** A selected device plus how to release it when the command ends. */
export interface SelectedDevice {
  client: DeviceClient
  spec: DeviceSpec
  close(): Promise<void>
}

export function simConnector(info: DaemonInfo): Connector {
  return {kind: 'unix', socketPath: info.socketPath}
}

async function pingInfo(info: DaemonInfo): Promise<boolean> {
  return new DeviceClient(simConnector(info)).ping(1500)
}

/** Start (if needed) and connect to a named simulator. */
export async function connectSim(home: string, name: string, opts: StartOptions = {}): Promise<{client: DeviceClient; info: DaemonInfo; started: boolean}> {
  const {info, started} = await ensureDaemon(home, name, pingInfo, opts)
  return {client: new DeviceClient(simConnector(info), `simulator '${name}'`), info, started}
}

async function openSerial(path: string): Promise<SelectedDevice> {
  if (!existsSync(path)) {
    throw new SphereError('SERIAL_NOT_FOUND', `Serial port ${path} does not exist.`, {
      suggestions: ['Check the cable, or list ports with `sphere device list-attached`.'],
    })
  }
  const {openSerialConnector} = await import('./serial-connector.js').catch((e: unknown) => {
    throw new SphereError('SERIAL_UNAVAILABLE', `The serial transport cannot be loaded: ${(e as Error).message}`, {cause: e})
  })
  const {connector, close} = await openSerialConnector(path)
  return {client: new DeviceClient(connector, `serial ${path}`), spec: {kind: 'serial', path}, close}
}

/** Running simulators as attached devices. */
export function runningSims(home: string): DaemonInfo[] {
  return listSimNames(home)
    .map((n) => liveDaemon(home, n))
    .filter((x): x is DaemonInfo => x !== undefined)
}

/**
 * Resolve the device a command talks to. With no --device and no configured default: the only
 * attached device, or the auto-started default simulator when none is attached; several attached is
 * an error that lists them.
 */
export async function selectDevice(home: string, value: string | undefined): Promise<SelectedDevice> {
  const noop = async (): Promise<void> => {}
  if (value === undefined) {
    const sims = runningSims(home)
    if (sims.length > 1) {
      throw new SphereError('DEVICE_AMBIGUOUS', `Several devices are attached: ${sims.map((s) => `sim:${s.name}`).join(', ')}.`, {
        suggestions: ['Choose one with --device, or set a default with `sphere config set defaults.device sim:NAME`.'],
      })
    }
    const name = sims[0]?.name ?? 'default'
    const {client} = await connectSim(home, name)
    return {client, spec: {kind: 'sim', name}, close: noop}
  }
  const spec = parseDeviceSpec(value)
  switch (spec.kind) {
    case 'sim': {
      const {client} = await connectSim(home, spec.name)
      return {client, spec, close: noop}
    }
    case 'serial':
      return openSerial(spec.path)
    case 'ip': {
      const client = new DeviceClient({kind: 'https', host: spec.host, port: spec.port, ca: process.env.SPHERE_DEVICE_CA}, `device at ${spec.host}`)
      return {client, spec, close: noop}
    }
    case 'id': {
      for (const info of runningSims(home)) {
        if (info.deviceId?.toLowerCase() === spec.deviceId) {
          return {client: new DeviceClient(simConnector(info), `simulator '${info.name}'`), spec, close: noop}
        }
      }
      throw new SphereError('DEVICE_NOT_FOUND', `No attached device has ID ${spec.deviceId.slice(0, 16)}…`, {
        suggestions: ['List attached devices with `sphere device list-attached`.'],
      })
    }
  }
}
