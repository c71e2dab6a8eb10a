import {readFileSync} from 'node:fs'
import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {ensureHub, HubClient, HUB_ROUTES, type EnrollmentGroup} from '../../../hub/index.js'
import {usageError} from '../../../util/errors.js'

export default class HubEnrollmentGroupCreate extends SphereCommand<Omit<EnrollmentGroup, 'caPem'>> {
  static override summary =
    "Trust a CA for DPS: devices whose certificate it issued register (device ID = the certificate's CN)"
  static override examples = ['<%= config.bin %> hub enrollment-group create --group-id lab --certificate-path ca.pem']
  static override flags = {
    'group-id': Flags.string({
      char: 'g',
      description: 'Enrolment group ID',
      required: true,
      aliases: ['enrollment-group-id'],
    }),
    'certificate-path': Flags.string({description: 'The CA certificate (PEM)', required: true, aliases: ['cp']}),
  }
  static override columns = [
    {key: 'enrollmentGroupId', header: 'Group'},
    {key: 'caSubject', header: 'CA'},
    {key: 'caThumbprint', header: 'Thumbprint'},
  ]

  async execute(): Promise<Omit<EnrollmentGroup, 'caPem'>> {
    const {flags} = await this.parse(HubEnrollmentGroupCreate)
    let caPem: string
    try {
      caPem = readFileSync(flags['certificate-path'], 'utf8')
    } catch (e) {
      throw usageError(
        'HUB_BAD_CERT_FILE',
        `Cannot read ${flags['certificate-path']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
      )
    }
    const {info} = await ensureHub(sphereHome())
    const {caPem: _pem, ...g} = await new HubClient(info.socketPath).call(
      HUB_ROUTES.createGroup,
      {enrollmentGroupId: flags['group-id']},
      {caPem},
    )
    return g
  }
}
