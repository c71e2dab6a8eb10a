import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

export default class CertificateList extends DeviceCommand<{identifiers: string[]}> {
  static override summary = 'List the certificate IDs in the certificate store of the attached device'
  static override examples = ['<%= config.bin %> device certificate list']

  static override columns = azColumns('identifiers')

  async execute(): Promise<{identifiers: string[]}> {
    await this.parse(CertificateList)
    return (await this.client()).certificates()
  }
}
