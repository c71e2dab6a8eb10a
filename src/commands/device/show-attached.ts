import {DeviceCommand} from '../../cli/device-command.js'

export interface AttachedDevice {
  deviceId: string
  ipAddress: string
  connectionPath: string
}

export default class ShowAttached extends DeviceCommand<AttachedDevice> {
  static override summary = 'Show details of the attached device (read from the device itself)'
  static override examples = ['<%= config.bin %> device show-attached']
  static override columns = [
    {key: 'deviceId', header: 'Device ID'},
    {key: 'ipAddress', header: 'IP address'},
    {key: 'connectionPath', header: 'Connection path'},
  ]

  async execute(): Promise<AttachedDevice> {
    await this.parse(ShowAttached)
    const client = await this.client()
    const sec = await client.securityState()
    return {deviceId: sec.deviceIdentifier, ipAddress: '192.168.35.2', connectionPath: client.label}
  }
}
