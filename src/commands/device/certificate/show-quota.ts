import {DeviceCommand} from '../../../cli/device-command.js'

export default class CertificateShowQuota extends DeviceCommand<{AvailableSpace: number}> {
  static override summary = 'Show the free space in the certificate store (bytes)'
  static override examples = ['<%= config.bin %> device certificate show-quota']

  async execute(): Promise<{AvailableSpace: number}> {
    await this.parse(CertificateShowQuota)
    const r = await (await this.client()).certificateSpace()
    return {AvailableSpace: Number(r.AvailableSpace)}
  }
}
