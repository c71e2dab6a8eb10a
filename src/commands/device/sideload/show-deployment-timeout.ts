import {SphereCommand} from '../../../cli/base-command.js'
import {sphereHome} from '../../../cli/config.js'
import {readDeploymentTimeout} from '../../../cli/deployment-timeout.js'

export default class ShowDeploymentTimeout extends SphereCommand<{deploymentTimeoutSeconds: number}> {
  static override summary = 'Show the deployment timeout used by sideload deploy (seconds)'
  static override examples = ['<%= config.bin %> device sideload show-deployment-timeout']

  async execute(): Promise<{deploymentTimeoutSeconds: number}> {
    await this.parse(ShowDeploymentTimeout)
    return {deploymentTimeoutSeconds: readDeploymentTimeout(sphereHome())}
  }
}
