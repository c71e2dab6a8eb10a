import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type DeviceIdentity} from '../../../hub/index.js'
import {usageError} from '../../../util/errors.js'

export default class HubDeviceIdentityCreate extends SphereCommand<DeviceIdentity> {
  static override summary =
    'Register a device with the local hub (X.509: its certificate thumbprint, or issued by a trusted CA)'
  static override description =
    'x509_thumbprint: the device presents a certificate whose SHA-1 thumbprint is --ptp or --stp (or that of --cert-file). x509_ca: the device presents a certificate issued by the CA of an enrolment group (sphere hub enrollment-group create), with the device ID as its common name.'
  static override examples = [
    '<%= config.bin %> hub device-identity create --device-id dev1 --am x509_ca',
    '<%= config.bin %> hub device-identity create -d dev1 --am x509_thumbprint --ptp 0B3C...',
    '<%= config.bin %> hub device-identity create -d dev1 --am x509_thumbprint --cert-file dev1.pem',
  ]
  static override flags = {
    'device-id': Flags.string({char: 'd', description: 'Device ID', required: true}),
    'auth-method': Flags.string({
      description: 'Authentication method',
      options: ['x509_thumbprint', 'x509_ca'],
      default: 'x509_ca',
      aliases: ['am'],
    }),
    'primary-thumbprint': Flags.string({
      description: 'SHA-1 thumbprint of the device certificate (x509_thumbprint)',
      aliases: ['ptp'],
    }),
    'secondary-thumbprint': Flags.string({
      description: 'A second accepted thumbprint (x509_thumbprint)',
      aliases: ['stp'],
    }),
    'cert-file': Flags.string({
      description: 'The device certificate (PEM) whose thumbprint to register (x509_thumbprint)',
    }),
  }
  static override columns = [
    {key: 'deviceId', header: 'Device ID'},
    {key: 'authentication.type', header: 'Authentication'},
    {key: 'authentication.x509Thumbprint.primaryThumbprint', header: 'Primary thumbprint'},
  ]

  async execute(): Promise<DeviceIdentity> {
    const {flags} = await this.parse(HubDeviceIdentityCreate)
    let primary = flags['primary-thumbprint']
    if (flags['cert-file']) {
      if (flags['auth-method'] !== 'x509_thumbprint')
        throw usageError('HUB_BAD_FLAGS', '--cert-file goes with --am x509_thumbprint.')
      let pem: string
      try {
        pem = readFileSync(flags['cert-file'], 'utf8')
      } catch (e) {
        throw usageError(
          'HUB_BAD_CERT_FILE',
          `Cannot read ${flags['cert-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
        )
      }
      try {
        primary = new X509Certificate(pem).fingerprint.replace(/:/g, '')
      } catch {
        throw usageError('HUB_BAD_CERT_FILE', `${flags['cert-file']} is not a PEM certificate.`)
      }
    }
    if (flags['auth-method'] === 'x509_thumbprint' && !primary)
      throw usageError('HUB_BAD_FLAGS', '--am x509_thumbprint needs --primary-thumbprint (--ptp) or --cert-file.')
    if (flags['auth-method'] === 'x509_ca' && (primary || flags['secondary-thumbprint']))
      throw usageError('HUB_BAD_FLAGS', 'Thumbprints go with --am x509_thumbprint, not x509_ca.')
    const selfSigned = flags['auth-method'] === 'x509_thumbprint'
    return await hubClient(sphereHome()).call(
      HUB_ROUTES.createDevice,
      {deviceId: flags['device-id']},
      {
        deviceId: flags['device-id'],
        authentication: {
          type: selfSigned ? 'selfSigned' : 'certificateAuthority',
          x509Thumbprint: {
            primaryThumbprint: primary ?? null,
            secondaryThumbprint: flags['secondary-thumbprint'] ?? null,
          },
        },
      },
    )
  }
}
