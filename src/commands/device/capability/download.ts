import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {writeFileAtomic} from '../../../util/atomic-file.js'

const TYPES: Record<string, string> = {ApplicationDevelopment: 'appDevelopment', FieldServicing: 'fieldServicing', appDevelopment: 'appDevelopment', fieldServicing: 'fieldServicing'}

export default class CapabilityDownload extends DeviceCommand<{outputFile: string; capabilities: string[]; bytes: number}> {
  static override summary = 'Get a capability file for the attached device'
  static override description =
    'A simulator issues the file itself, signed by its own CA and bound to its device ID (a real device needs one from the Azure Sphere Security Service). --catalog/--resource-group are accepted for script compatibility and ignored.'
  static override examples = ['<%= config.bin %> device capability download --type ApplicationDevelopment --output-file dev.cap']
  static override flags = {
    type: Flags.string({char: 't', description: 'Capabilities to include (none: an empty capability file)', options: ['ApplicationDevelopment', 'FieldServicing'], multiple: true}),
    'output-file': Flags.string({short: 'of', description: 'Where to write the file', default: 'capability-device.cap'}),
    catalog: Flags.string({char: 'c', description: 'Ignored locally'}),
    'resource-group': Flags.string({char: 'g', description: 'Ignored locally'}),
    'device-group': Flags.string({short: 'dg', description: 'Ignored locally'}),
    product: Flags.string({char: 'p', description: 'Ignored locally'}),
  }

  async execute(): Promise<{outputFile: string; capabilities: string[]; bytes: number}> {
    const {flags} = await this.parse(CapabilityDownload)
    const capabilities = (flags.type ?? []).map((t) => TYPES[t] ?? t)
    const file = await (await this.client()).capabilityFile(capabilities)
    writeFileAtomic(flags['output-file'], file)
    return {outputFile: flags['output-file'], capabilities, bytes: file.length}
  }
}
