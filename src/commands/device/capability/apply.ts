import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {refusalOfFile} from '../../../cli/device-errors.js'
import {SphereError} from '../../../util/errors.js'
import type {CapabilityConfig} from './show-attached.js'
import {readCapFile} from './update.js'

export default class CapabilityApply extends DeviceCommand<CapabilityConfig & {session: string[]}> {
  static override summary = 'Apply a capability file to the attached device for a temporary session (not persisted)'
  static override description = 'Used for field servicing: unlocks local commands on a DeviceComplete device until --none or a restart.'
  static override examples = ['<%= config.bin %> device capability apply --capability-file service.cap', '<%= config.bin %> device capability apply --none']
  static override aliases = ['device:capability:select']
  static override flags = {
    'capability-file': Flags.string({description: 'Path to the .cap file', exclusive: ['none']}),
    none: Flags.boolean({char: 'n', description: 'End the temporary capability session'}),
  }

  async execute(): Promise<CapabilityConfig & {session: string[]}> {
    const {flags} = await this.parse(CapabilityApply)
    const client = await this.client()
    if (flags.none) {
      const r = await client.endCapabilitySession()
      return {device_capabilities: (await client.capabilities()).device_capabilities, capabilities: r.capabilities, session: r.session}
    }
    const file = flags['capability-file']
    if (!file) throw new SphereError('USAGE', 'Give --capability-file or --none.', {exit: 2})
    const body = await readCapFile(file)
    const r = await client.startCapabilitySession(body).catch((e: unknown) => {
      throw refusalOfFile(e, 'capability file', file)
    })
    return {device_capabilities: (await client.capabilities()).device_capabilities, capabilities: r.capabilities, session: r.session}
  }
}
