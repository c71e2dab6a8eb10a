import {existsSync} from 'node:fs'
import {connect} from 'node:net'
import {SphereError} from '../util/errors.js'
import {DeviceClient} from './client.js'
import type {Connector} from './http.js'
import {ensureDaemon, listSimNames, liveDaemon, type DaemonInfo, type StartOptions} from './sims.js'
import {DEFAULT_SIM, parseDeviceSpec, type DeviceSpec} from './spec.js'

export {parseDeviceSpec, DEFAULT_SIM, type DeviceSpec} from './spec.js'

export interface SelectOptions {
  /** Start the default simulator when it is the one selected and not running (default true; `device wait-for` only waits). */
  autoStart?: boolean
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

/**
 * Is the daemon's API socket accepting connections? A connect, not an HTTP request: the command's own first request
 * follows at once (a wedged daemon that accepts but never answers then fails that request with DEVICE_TIMEOUT).
 */
function pingInfo(info: DaemonInfo, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(info.socketPath)
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      s.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

/** Start (if needed) and connect to a named simulator: for `sim start`, `demo` and the default simulator only. */
export async function connectSim(home: string, name: string, opts: StartOptions = {}): Promise<{client: DeviceClient; info: DaemonInfo; started: boolean}> {
  const {info, started} = await ensureDaemon(home, name, pingInfo, opts)
  return {client: new DeviceClient(simConnector(info), `simulator '${name}'`), info, started}
}

/**
 * Connect to the simulator a command names, never creating one the user did not ask for: the default simulator
 * auto-starts; any other must be running (SIM_UNKNOWN when there is no such simulator, SIM_STOPPED when it is not
 * running or not answering; exit 1, with the command that starts it).
 */
export async function attachSim(
  home: string,
  name: string,
  opts: SelectOptions = {},
): Promise<{client: DeviceClient; info: DaemonInfo}> {
  if (name === DEFAULT_SIM && opts.autoStart !== false) return connectSim(home, name)
  const live = liveDaemon(home, name)
  if (live && (await pingInfo(live))) return {client: new DeviceClient(simConnector(live), `simulator '${name}'`), info: live}
  const start = name === DEFAULT_SIM ? 'sphere sim start' : `sphere sim start --name ${name}`
  if (live) {
    throw new SphereError('SIM_STOPPED', `Simulator '${name}' (pid ${live.pid}) is not answering: restart it with \`${start} --restart\`.`)
  }
  const known = listSimNames(home)
  if (!known.includes(name)) {
    const others = known.length ? ` (known: ${known.join(', ')})` : ''
    throw new SphereError('SIM_UNKNOWN', `There is no simulator named '${name}'${others}: create and start it with \`${start}\`.`)
  }
  throw new SphereError('SIM_STOPPED', `Simulator '${name}' is not running: start it with \`${start}\`.`)
}

async function openSerial(home: string, path: string): Promise<SelectedDevice> {
  if (!existsSync(path)) {
    throw new SphereError('SERIAL_NOT_FOUND', `Serial port ${path} does not exist.`, {
      suggestions: ['Check the cable, or list ports with `sphere device list-attached`.'],
    })
  }
  const {openSerialConnector} = await import('./serial-connector.js').catch((e: unknown) => {
    throw new SphereError('SERIAL_UNAVAILABLE', `The serial transport cannot be loaded: ${(e as Error).message}`, {cause: e})
  })
  const {connector, close} = await openSerialConnector(home, path)
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
 * an error that lists them. A named device that is not there is an error, never a new device.
 */
export async function selectDevice(
  home: string,
  value: string | undefined,
  what = '--device',
  opts: SelectOptions = {},
): Promise<SelectedDevice> {
  const noop = async (): Promise<void> => {}
  if (value === undefined) {
    const sims = runningSims(home)
    if (sims.length > 1) {
      throw new SphereError('DEVICE_AMBIGUOUS', `Several devices are attached: ${sims.map((s) => `sim:${s.name}`).join(', ')}.`, {
        suggestions: ['Choose one with --device, or set a default with `sphere config set defaults.device sim:NAME`.'],
      })
    }
    // the one attached simulator, else the default one (the only device that auto-starts)
    const name = sims[0]?.name ?? DEFAULT_SIM
    const {client} = await attachSim(home, name, opts)
    return {client, spec: {kind: 'sim', name}, close: noop}
  }
  return selectSpec(home, parseDeviceSpec(value, what), opts)
}

/** One case per form of device string (src/device/spec.ts). */
export async function selectSpec(home: string, spec: DeviceSpec, opts: SelectOptions = {}): Promise<SelectedDevice> {
  const noop = async (): Promise<void> => {}
  switch (spec.kind) {
    case 'sim': {
      const {client} = await attachSim(home, spec.name, opts)
      return {client, spec, close: noop}
    }
    case 'serial':
      return openSerial(home, spec.path)
    case 'ip': {
      const {deviceCaForAddress} = await import('./device-ca.js')
      const ca = deviceCaForAddress(home, spec.host, spec.port)
      const client = new DeviceClient({kind: 'https', host: spec.host, port: spec.port, ca}, `device at ${spec.host}`)
      return {client, spec, close: noop}
    }
    case 'fleet': {
      // loaded for fleet members only (as device-ca.js for IP devices): not every command's start-up
      const {fleetMemberClient} = await import('./fleet.js')
      return {client: await fleetMemberClient(home, spec.fleet, spec.member), spec, close: noop}
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
