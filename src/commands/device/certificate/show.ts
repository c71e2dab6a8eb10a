import {Flags} from '../../../cli/flags.js'
import {azColumns} from '../../../cli/output.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import type {CertDetails} from '../../../protocol/api/index.js'

export default class CertificateShow extends DeviceCommand<CertDetails> {
  static override summary = 'Show one certificate in the certificate store'
  static override examples = ['<%= config.bin %> device certificate show --certificate myRootCA']
  static override columns = azColumns('id', 'notBefore', 'notAfter', 'subjectName', 'issuerName')
  static override flags = {certificate: Flags.string({char: 'c', description: 'Certificate ID', required: true})}

  async execute(): Promise<CertDetails> {
    const {flags} = await this.parse(CertificateShow)
    return (await this.client()).certificate(flags.certificate)
  }
}
