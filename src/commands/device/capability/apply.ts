import {Flags} from '@oclif/core'
import {DeviceCommand} from '../../../cli/device-command.js'
import {SphereError} from '../../../util/errors.js'
import {readCapFile} from './update.js'

export default class CapabilityApply extends DeviceCommand<{deviceCapabilities: string[]; session: string[]}> {
  static override summary = 'Apply a capability file to the attached device for a temporary session (not persisted)'
  static override description = 'Used for field servicing: unlocks local commands on a DeviceComplete device until --none or a restart.'
  static override examples = ['<%= config.bin %> device capability apply --capability-file service.cap', '<%= config.bin %> device capability apply --none']
  static override aliases = ['device:capability:select']
  static override flags = {
    'capability-file': Flags.string({description: 'Path to the .cap file', exclusive: ['none']}),
    none: Flags.boolean({char: 'n', description: 'End the temporary capability session'}),
  }

  async execute(): Promise<{deviceCapabilities: string[]; session: string[]}> {
    const {flags} = await this.parse(CapabilityApply)
    const client = await this.client()
    if (flags.none) {
      const r = await client.endCapabilitySession()
      return {deviceCapabilities: r.capabilities, session: r.session}
    }
    if (!flags['capability-file']) throw new SphereError('USAGE', 'Give --capability-file or --none.', {exit: 2})
    const body = await readCapFile(flags['capability-file'])
    const r = await client.startCapabilitySession(body)
    return {deviceCapabilities: r.capabilities, session: r.session}
  }
}
