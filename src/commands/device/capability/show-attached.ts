import {DeviceCommand} from '../../../cli/device-command.js'

export default class CapabilityShowAttached extends DeviceCommand<{deviceCapabilities: string[]; codes: number[]}> {
  static override summary = 'Show the capability configuration of the attached device'
  static override examples = ['<%= config.bin %> device capability show-attached']

  async execute(): Promise<{deviceCapabilities: string[]; codes: number[]}> {
    await this.parse(CapabilityShowAttached)
    const r = await (await this.client()).deviceCapabilities()
    return {deviceCapabilities: r.capabilities, codes: r.device_capabilities}
  }
}
