import {Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {readInputFile} from '../../cli/files.js'
import {fleetShards, requireFleet, rolloutFile} from '../../device/fleet.js'
import {parseHaltRule, parseStages, runRollout, type RolloutReport} from '../../fleet/rollout.js'
import {parseImagePackage} from '../../image/index.js'
import {parseDuration} from '../../scenario/scenario.js'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {SphereError} from '../../util/errors.js'

/** Exit status of a rollout the health rule halted (the report is still printed). */
export const HALTED_EXIT = 3

export default class FleetDeploy extends SphereCommand<RolloutReport> {
  static override summary = 'Roll an image package out to a fleet in stages, halting when the health rule trips'
  static override description =
    "Each stage's devices get the package over the air through their A/B update agent (the new image runs on trial; a device restores the previous image by itself when it fails to start), then run --soak of virtual time and are judged: healthy, crashed, rolled back, unreachable (a flaky link lost every attempt). After each stage the --halt-when rule is checked over every device updated so far; when it trips no further device gets the image. Prints the report (per stage: updated, healthy, crashed, rolled back, and which devices crashed); exit status 3 when the rollout halted."
  static override examples = [
    '<%= config.bin %> fleet deploy --name lab --image-package app-v2.imagepackage',
    '<%= config.bin %> fleet deploy --name lab -p app-v2.imagepackage --group canary --stages 10,100 --halt-when "crashRate > 2%" --soak 10m',
  ]
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    'image-package': Flags.string({char: 'p', description: 'The image package to roll out', required: true}),
    group: Flags.string({char: 'g', description: 'Only devices with this tag (see `fleet tag`)'}),
    stages: Flags.string({description: 'Cumulative percentages of the devices, ending at 100', default: '1,10,50,100'}),
    'halt-when': Flags.string({description: 'Health rule over every device updated so far: METRIC OP VALUE', default: 'crashRate > 2%'}),
    soak: Flags.string({description: 'Virtual time each device runs after its install before it is judged', default: '30s'}),
  }

  private halted = false

  async execute(): Promise<RolloutReport> {
    const {flags} = await this.parse(FleetDeploy)
    const stages = parseStages(flags.stages)
    const rule = parseHaltRule(flags['halt-when'])
    const soakNs = parseDuration(flags.soak)
    if (soakNs === undefined || soakNs > 7 * 86_400e9) throw new SphereError('FLEET_BAD_OPTION', `Invalid --soak '${flags.soak}': expected a duration up to 7d, such as 30s or 10m.`, {exit: 2})
    const rec = requireFleet(sphereHome(), flags.name)
    const bytes = await readInputFile(flags['image-package'], 'image package')
    const pkg = parseImagePackage(bytes) // a malformed file fails here; each device verifies the signature
    const image = {componentId: pkg.identity.componentId.toLowerCase(), imageId: pkg.identity.imageId.toLowerCase()}
    let bar: ReturnType<SphereCommand['progress']> | undefined
    let shown = 0
    const report = await runRollout({
      fleet: rec.name,
      seed: rec.seed,
      links: fleetShards(rec),
      package: new Uint8Array(bytes),
      image,
      ...(flags.group ? {group: flags.group} : {}),
      stages,
      rule,
      soakMs: Math.round(soakNs / 1e6),
      onState: (st) => writeFileAtomic(rolloutFile(sphereHome(), rec.name), JSON.stringify(st) + '\n'),
      onProgress: (done, total) => {
        bar ??= this.progress(`Deploying ${pkg.manifest?.Name ?? image.componentId}`, total)
        bar.tick(done - shown)
        shown = done
      },
    })
    bar?.done()
    this.halted = report.result === 'halted'
    return report
  }

  override async run(): Promise<RolloutReport> {
    const r = await super.run()
    if (this.halted) {
      process.stderr.write(`Error: the rollout halted at stage ${r.haltedAtStage} (${r.rule}).\n`)
      this.exit(HALTED_EXIT)
    }
    return r
  }
}
