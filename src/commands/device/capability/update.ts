import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {refusalOfFile} from '../../../cli/device-errors.js'
import {readInputFile} from '../../../cli/files.js'
import type {CapabilityConfig} from './show-attached.js'

export function readCapFile(path: string): Promise<Buffer> {
  return readInputFile(path, 'capability file')
}

export default class CapabilityUpdate extends DeviceCommand<CapabilityConfig> {
  static override summary = 'Write a capability file to the attached device (persisted)'
  static override examples = ['<%= config.bin %> device capability update --capability-file dev.cap']
  static override flags = {'capability-file': Flags.string({description: 'Path to the .cap file', required: true})}

  async execute(): Promise<CapabilityConfig> {
    const {flags} = await this.parse(CapabilityUpdate)
    const body = await readCapFile(flags['capability-file'])
    const r = await (await this.client()).applyCapabilityFile(body).catch((e: unknown) => {
      throw refusalOfFile(e, 'capability file', flags['capability-file'])
    })
    return {device_capabilities: r.device_capabilities, capabilities: r.capabilities}
  }
}
