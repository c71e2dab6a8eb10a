import {Flags} from '@oclif/core'
import {join} from 'node:path'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, simDir} from '../../device/index.js'
import {ensureDeviceCa} from '../../os/services/rest/index.js'

export default class SimCa extends SphereCommand<{name: string; caPem: string} | undefined> {
  static override summary = "Print a simulator's CA certificate (PEM) so HTTPS clients can trust it"
  static override description =
    'Each simulator has its own CA, created with it and kept in its state directory. Without -o the PEM text is printed as is, e.g. for curl --cacert <(sphere sim ca).'
  static override examples = [
    "curl --cacert <(<%= config.bin %> sim ca) -H 'Host: *.devices.sphere.azure.local' https://127.0.0.1:8443/status",
    '<%= config.bin %> sim ca --name lab -o json',
  ]
  static override flags = {name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'})}

  async execute(): Promise<{name: string; caPem: string} | undefined> {
    const {flags} = await this.parse(SimCa)
    assertSimName(flags.name)
    const ca = ensureDeviceCa(join(simDir(sphereHome(), flags.name), 'state'), {deviceName: flags.name})
    if (this.globals.output === undefined) {
      process.stdout.write(ca.certPem.endsWith('\n') ? ca.certPem : ca.certPem + '\n')
      return undefined
    }
    return {name: flags.name, caPem: ca.certPem}
  }
}
