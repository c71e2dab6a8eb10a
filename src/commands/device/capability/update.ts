import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'
import {readInputFile} from '../../../cli/files.js'

export function readCapFile(path: string): Promise<Buffer> {
  return readInputFile(path, 'capability file')
}

export default class CapabilityUpdate extends DeviceCommand<{deviceCapabilities: string[]}> {
  static override summary = 'Write a capability file to the attached device (persisted)'
  static override examples = ['<%= config.bin %> device capability update --capability-file dev.cap']
  static override flags = {'capability-file': Flags.string({description: 'Path to the .cap file', required: true})}

  async execute(): Promise<{deviceCapabilities: string[]}> {
    const {flags} = await this.parse(CapabilityUpdate)
    const body = await readCapFile(flags['capability-file'])
    const r = await (await this.client()).applyCapabilityFile(body)
    return {deviceCapabilities: r.capabilities}
  }
}
