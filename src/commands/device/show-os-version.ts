import {DeviceCommand} from '../../cli/device-command.js'
import {azColumns} from '../../cli/output.js'

export default class ShowOsVersion extends DeviceCommand<{osversion: string}> {
  static override summary = 'Show the OS version of the attached device'
  static override examples = ['<%= config.bin %> device show-os-version', '<%= config.bin %> device show-os-version -d sim:lab --query osversion -o tsv']
  static override columns = azColumns('osversion')

  async execute(): Promise<{osversion: string}> {
    await this.parse(ShowOsVersion)
    const r = await (await this.client()).osVersion()
    return {osversion: r.osversion}
  }
}
