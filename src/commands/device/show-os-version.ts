import {DeviceCommand} from '../../cli/device-command.js'

export default class ShowOsVersion extends DeviceCommand<{osVersion: string}> {
  static override summary = 'Show the OS version of the attached device'
  static override examples = ['<%= config.bin %> device show-os-version', '<%= config.bin %> device show-os-version -d sim:lab -o tsv']

  async execute(): Promise<{osVersion: string}> {
    await this.parse(ShowOsVersion)
    const info = await (await this.client()).deviceInfo()
    return {osVersion: info.osVersion}
  }
}
