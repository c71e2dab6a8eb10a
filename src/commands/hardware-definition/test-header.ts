import {Flags} from '../../cli/flags.js'
import {readFileSync} from 'node:fs'
import {SphereCommand} from '../../cli/base-command.js'
import {generateHeader, headerPathFor, loadHardwareDefinition} from '../../image/index.js'
import {SphereError} from '../../util/errors.js'

export interface TestHeaderResult {
  hardwareDefinition: string
  header: string
  upToDate: true
}

export default class HardwareDefinitionTestHeader extends SphereCommand<TestHeaderResult> {
  static override summary = 'Check that the C header of a hardware definition is up to date'
  static override description = 'Exits 0 when inc/hw/<name>.h matches what generate-header would write, 1 otherwise.'
  static override examples = [
    '<%= config.bin %> hardware-definition test-header --hardware-definition-file HardwareDefinitions/mt3620_rdb/sample_appliance.json',
  ]
  static override flags = {
    'hardware-definition-file': Flags.string({
      required: true,
      description: 'Path to the hardware-definition JSON file',
    }),
  }

  async execute(): Promise<TestHeaderResult> {
    const {flags} = await this.parse(HardwareDefinitionTestHeader)
    const def = loadHardwareDefinition(flags['hardware-definition-file'])
    const header = headerPathFor(def.path)
    let current: string
    try {
      current = readFileSync(header, 'utf8')
    } catch {
      throw new SphereError('HEADER_MISSING', `${header} does not exist`, {
        suggestions: [
          `sphere hardware-definition generate-header --hardware-definition-file ${flags['hardware-definition-file']}`,
        ],
      })
    }
    if (current.replace(/\r\n/g, '\n') !== generateHeader(def)) {
      throw new SphereError('HEADER_OUT_OF_DATE', `${header} is out of date with ${def.path}`, {
        suggestions: [
          `sphere hardware-definition generate-header --hardware-definition-file ${flags['hardware-definition-file']}`,
        ],
      })
    }
    return {hardwareDefinition: def.path, header, upToDate: true}
  }
}
