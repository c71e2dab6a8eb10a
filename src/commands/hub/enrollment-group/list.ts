import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {hubClient, HUB_ROUTES, type EnrollmentGroup} from '../../../hub/index.js'

export default class HubEnrollmentGroupList extends SphereCommand<Omit<EnrollmentGroup, 'caPem'>[]> {
  static override summary = "List the local hub's enrolment groups (the CAs DPS trusts)"
  static override examples = ['<%= config.bin %> hub enrollment-group list']
  static override columns = [
    {key: 'enrollmentGroupId', header: 'Group'},
    {key: 'caSubject', header: 'CA'},
    {key: 'caThumbprint', header: 'Thumbprint'},
  ]

  async execute(): Promise<Omit<EnrollmentGroup, 'caPem'>[]> {
    await this.parse(HubEnrollmentGroupList)
    return (await hubClient(sphereHome()).call(HUB_ROUTES.listGroups)).map(({caPem: _pem, ...g}) => g)
  }
}
