import {Flags} from '../../../cli/flags.js'
import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {writeDeploymentTimeout} from '../../../cli/deployment-timeout.js'

export default class SetDeploymentTimeout extends SphereCommand<{deploymentTimeoutSeconds: number}> {
  static override summary = 'Set the deployment timeout used by sideload deploy (seconds, host-side setting)'
  static override examples = ['<%= config.bin %> device sideload set-deployment-timeout --value 60']
  static override flags = {
    value: Flags.integer({char: 'v', description: 'Timeout in seconds', required: true, min: 1, max: 86400}),
  }

  async execute(): Promise<{deploymentTimeoutSeconds: number}> {
    const {flags} = await this.parse(SetDeploymentTimeout)
    writeDeploymentTimeout(sphereHome(), flags.value)
    return {deploymentTimeoutSeconds: flags.value}
  }
}
