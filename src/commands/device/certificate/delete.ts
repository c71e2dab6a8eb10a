import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'

export default class CertificateDelete extends DeviceCommand<{deleted: string}> {
  static override summary = 'Delete a certificate from the certificate store'
  static override examples = ['<%= config.bin %> device certificate delete --certificate myRootCA']
  static override flags = {certificate: Flags.string({char: 'c', description: 'Certificate ID', required: true})}

  async execute(): Promise<{deleted: string}> {
    const {flags} = await this.parse(CertificateDelete)
    await (await this.client()).deleteCertificate(flags.certificate)
    return {deleted: flags.certificate}
  }
}
