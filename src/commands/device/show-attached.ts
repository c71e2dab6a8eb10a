import {DeviceCommand} from '../../cli/device-command.js'
import {ATTACHED_COLUMNS, DEVICE_SERVICE_IP} from './list-attached.js'

/** As azsphere prints it: the device ID (upper case, read from the device), its service address, the connection. */
export interface AttachedDevice {
  DeviceId: string
  IpAddress: string
  ConnectionPath: string
}

export default class ShowAttached extends DeviceCommand<AttachedDevice> {
  static override summary = 'Show details of the attached device (read from the device itself)'
  static override examples = ['<%= config.bin %> device show-attached', '<%= config.bin %> device show-attached --query DeviceId -o tsv']
  static override columns = ATTACHED_COLUMNS

  async execute(): Promise<AttachedDevice> {
    await this.parse(ShowAttached)
    const client = await this.client()
    const sec = await client.securityState()
    return {DeviceId: sec.deviceIdentifier.toUpperCase(), IpAddress: DEVICE_SERVICE_IP, ConnectionPath: client.label}
  }
}
