import {Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'
import {DeviceCommand} from '../../../cli/device-command.js'
import {SphereError} from '../../../util/errors.js'

export async function readCapFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (e) {
    throw new SphereError('FILE_NOT_FOUND', `Cannot read capability file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`)
  }
}

export default class CapabilityUpdate extends DeviceCommand<{deviceCapabilities: string[]}> {
  static override summary = 'Write a capability file to the attached device (persisted)'
  static override examples = ['<%= config.bin %> device capability update --capability-file dev.cap']
  static override flags = {'capability-file': Flags.string({description: 'Path to the .cap file', required: true})}

  async execute(): Promise<{deviceCapabilities: string[]}> {
    const {flags} = await this.parse(CapabilityUpdate)
    const body = await readCapFile(flags['capability-file'])
    const r = await (await this.client()).json<{capabilities: string[]}>('PUT', '/sphere/capability', {body, contentType: 'application/octet-stream'})
    return {deviceCapabilities: r.capabilities}
  }
}
