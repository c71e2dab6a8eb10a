import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

/**
 * The device's capability configuration as azsphere prints it: `device_capabilities`, the capability codes
 * (11 appDevelopment, 12 enableRFTestMode, 13 fieldServicing); then ours: `capabilities`, their names, when the
 * device says them (a simulator does).
 */
export interface CapabilityConfig {
  device_capabilities: number[]
  capabilities?: string[]
}

export default class CapabilityShowAttached extends DeviceCommand<CapabilityConfig> {
  static override summary = 'Show the capability configuration of the attached device'
  static override examples = ['<%= config.bin %> device capability show-attached', '<%= config.bin %> device capability show-attached --query capabilities']
  static override columns = azColumns('device_capabilities', 'capabilities')

  async execute(): Promise<CapabilityConfig> {
    await this.parse(CapabilityShowAttached)
    const client = await this.client()
    const {device_capabilities} = await client.capabilities()
    const named = await client.deviceCapabilities().catch(() => undefined)
    return named ? {device_capabilities, capabilities: named.capabilities} : {device_capabilities}
  }
}
