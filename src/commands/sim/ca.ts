import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {assertSimName, attachSim} from '../../device/index.js'

export default class SimCa extends SphereCommand<{name: string; caPem: string} | undefined> {
  static override summary = "Print a simulator's CA certificate (PEM) so HTTPS clients can trust it"
  static override description =
    'Each simulator has its own CA, created with it and kept in its state directory; the simulator is asked for it (the default simulator is started if it is not running; a named one must be running). Without -o the PEM text is printed as is, e.g. for curl --cacert <(sphere sim ca).'
  static override examples = [
    "curl --cacert <(<%= config.bin %> sim ca) -H 'Host: *.devices.sphere.azure.local' https://127.0.0.1:8443/status",
    '<%= config.bin %> sim ca --name lab -o json',
  ]
  static override flags = {name: Flags.string({char: 'n', description: 'Simulator name', default: 'default'})}

  async execute(): Promise<{name: string; caPem: string} | undefined> {
    const {flags} = await this.parse(SimCa)
    assertSimName(flags.name)
    const {client} = await attachSim(sphereHome(), flags.name)
    const {caPem} = await client.deviceCa()
    if (this.globals.output === undefined) {
      process.stdout.write(caPem.endsWith('\n') ? caPem : caPem + '\n')
      return undefined
    }
    return {name: flags.name, caPem}
  }
}
