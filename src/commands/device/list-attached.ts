import {SphereCommand} from '../../cli/base-command.js'
import {azColumns} from '../../cli/output.js'
import {sphereHome} from '../../cli/config.js'
import {discoverDevices, type DiscoveredDevice} from '../../device/discovery.js'

/** The service address of an attached device (its azspheresvc interface), as azsphere reports it. */
export const DEVICE_SERVICE_IP = '192.168.35.2'

/**
 * One attached device as azsphere prints it: DeviceId (upper case), IpAddress, ConnectionPath; then ours under keys
 * azsphere does not use: kind, the --device value that reaches it, a description.
 */
export interface AttachedRow {
  DeviceId: string | null
  IpAddress: string
  ConnectionPath: string
  kind: DiscoveredDevice['kind']
  device: string
  description: string
}

export function attachedRow(d: DiscoveredDevice): AttachedRow {
  return {
    DeviceId: d.deviceId === null ? null : d.deviceId.toUpperCase(),
    IpAddress: DEVICE_SERVICE_IP,
    ConnectionPath: d.connectionPath,
    kind: d.kind,
    device: d.device,
    description: d.description,
  }
}

export const ATTACHED_COLUMNS = azColumns('DeviceId', 'IpAddress', 'ConnectionPath')

export default class ListAttached extends SphereCommand<AttachedRow[]> {
  static override summary = 'List attached devices: running simulators and serial boards that answer'
  static override description =
    'DeviceId, IpAddress and ConnectionPath as azsphere prints them; kind, device (the --device value that reaches it) and description are ours.'
  static override examples = ['<%= config.bin %> device list-attached -o table']
  static override columns = [...ATTACHED_COLUMNS, {key: 'kind', header: 'Kind'}, {key: 'device', header: '--device value'}]

  async execute(): Promise<AttachedRow[]> {
    await this.parse(ListAttached)
    return (await discoverDevices(sphereHome())).map(attachedRow)
  }
}
