import {DeviceCommand} from '../../../cli/device-command.js'
import {azColumns} from '../../../cli/output.js'

export default class CertificateShowQuota extends DeviceCommand<{AvailableSpace: string}> {
  static override summary = 'Show the free space in the certificate store (bytes)'
  static override examples = ['<%= config.bin %> device certificate show-quota']
  static override columns = azColumns('AvailableSpace')

  async execute(): Promise<{AvailableSpace: string}> {
    await this.parse(CertificateShowQuota)
    const r = await (await this.client()).certificateSpace()
    return {AvailableSpace: String(r.AvailableSpace)}
  }
}
