import {Flags} from '../../../cli/flags.js'
import {DeviceCommand} from '../../../cli/device-command.js'
import {readInputFile} from '../../../cli/files.js'
import {SphereError} from '../../../util/errors.js'
import type {AddCertRequest} from '../../../protocol/api/index.js'

async function readPem(path: string, what: string): Promise<string> {
  const text = (await readInputFile(path, what, 1 << 20)).toString('utf8')
  if (!/-----BEGIN [A-Z ]+-----/.test(text)) throw new SphereError('BAD_PEM', `${path} is not a PEM ${what}: it has no -----BEGIN ...----- line.`)
  return text
}

export default class CertificateAdd extends DeviceCommand<{added: string; certType: string}> {
  static override summary = 'Add a certificate to the certificate store of the attached device'
  static override examples = [
    '<%= config.bin %> device certificate add --certificate myRootCA --cert-type rootca --public-key-file ca.pem',
    '<%= config.bin %> device certificate add -c myClient -t client -p client.pem --private-key-file key.pem -w secret',
  ]
  static override flags = {
    certificate: Flags.string({char: 'c', description: 'ID to give the certificate (up to 16 characters)', required: true}),
    'cert-type': Flags.string({char: 't', description: 'Certificate type', options: ['rootca', 'client'], required: true}),
    'public-key-file': Flags.string({char: 'p', description: 'Path to the public certificate (.pem)', required: true}),
    'private-key-file': Flags.string({description: 'Path to the client private key (.pem); required for client'}),
    'private-key-password': Flags.string({char: 'w', description: 'Password of the encrypted private key'}),
  }

  async execute(): Promise<{added: string; certType: string}> {
    const {flags} = await this.parse(CertificateAdd)
    const body: AddCertRequest = {certType: flags['cert-type'] as AddCertRequest['certType'], publicCert: await readPem(flags['public-key-file'], 'certificate')}
    if (flags['cert-type'] === 'client') {
      if (!flags['private-key-file']) throw new SphereError('USAGE', 'A client certificate needs --private-key-file.', {exit: 2})
      body.privateKey = await readPem(flags['private-key-file'], 'private key')
      body.password = flags['private-key-password'] ?? ''
    }
    await (await this.client()).addCertificate(flags.certificate, body)
    return {added: flags.certificate, certType: flags['cert-type']}
  }
}
