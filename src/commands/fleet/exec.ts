import {readFileSync} from 'node:fs'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Flags} from '../../cli/flags.js'
import {describeError, SphereCommand, type CliConfig, type CommandClass} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {findCommand} from '../../cli/fast-run.js'
import {fleetMembers, requireFleet} from '../../device/fleet.js'
import {SphereError} from '../../util/errors.js'

export interface ExecRow {
  index: number
  deviceId: string
  ok: boolean
  /** The command's result, the same JSON it prints for one device. */
  result?: unknown
  error?: {code: string; message: string}
}

interface Manifest {
  version: string
  commands: Record<string, {id: string; relativePath?: string[]; aliases?: string[]}>
}

const ROOT = new URL('../../../', import.meta.url)

/** A command instance as exec drives it: parse (init), execute, release (finally). */
interface Runnable {
  init(): Promise<void>
  execute(): Promise<unknown>
  finally(err: Error | undefined): Promise<void>
}

export default class FleetExec extends SphereCommand<ExecRow[]> {
  static override summary = 'Run a device command on every member of a fleet (or a group), with bounded concurrency'
  static override description =
    'The command after -- is any device command (`device show-os-version`, `device app show-status --component-id ...`); it runs once per device with --device fleet:NAME/N, and the result is one JSON row per device: its index, device ID, and the command\'s own result or its error. Exit status 1 when any device failed.'
  static override examples = [
    '<%= config.bin %> fleet exec --name lab -- device show-os-version',
    '<%= config.bin %> fleet exec --name lab --group canary --concurrency 32 -- device image list-installed',
  ]
  static override strict = false
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    group: Flags.string({char: 'g', description: 'Only devices with this tag'}),
    concurrency: Flags.integer({description: 'Devices worked on at once', default: 16, min: 1, max: 1024}),
  }

  private failed = 0

  async execute(): Promise<ExecRow[]> {
    const {flags, argv} = await this.parse(FleetExec)
    if (argv.length === 0) throw new SphereError('FLEET_BAD_OPTION', 'Name the device command to run after --, e.g. `sphere fleet exec --name lab -- device show-os-version`.', {exit: 2})
    const manifest = JSON.parse(readFileSync(new URL('dist/cli/command-index.json', ROOT), 'utf8')) as Manifest
    const found = findCommand(manifest, argv)
    if (!found?.entry.relativePath) throw new SphereError('FLEET_BAD_OPTION', `Unknown command '${argv.join(' ')}'.`, {exit: 2})
    const mod = (await import(pathToFileURL(fileURLToPath(new URL(found.entry.relativePath.join('/'), ROOT))).href)) as {default: CommandClass}
    const Cls = mod.default
    if (!('device' in (Cls.baseFlags ?? {})))
      throw new SphereError('FLEET_BAD_OPTION', `'${found.entry.id.replaceAll(':', ' ')}' is not a device command: fleet exec runs device commands.`, {exit: 2})
    if (found.rest.some((a) => a === '-d' || a === '--device' || a.startsWith('--device=') || /^-d./.test(a)))
      throw new SphereError('FLEET_BAD_OPTION', 'Leave --device out of the command: fleet exec runs it on each member.', {exit: 2})
    Cls.id = found.entry.id
    const rec = requireFleet(sphereHome(), flags.name)
    const members = (await fleetMembers(rec)).filter((m) => !flags.group || m.tags.includes(flags.group))
    if (members.length === 0 && flags.group) throw new SphereError('FLEET_EMPTY_GROUP', `No device of fleet '${rec.name}' is in group '${flags.group}'.`)
    const config = this.config as CliConfig
    const rows: ExecRow[] = new Array(members.length)
    const bar = this.progress(`Running on ${members.length} devices`, members.length)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < members.length) {
        const k = next++
        const m = members[k]!
        const cmd = new (Cls as unknown as new (argv: string[], config: CliConfig) => Runnable)([...found.rest, '--device', `fleet:${rec.name}/${m.index}`], config)
        let err: Error | undefined
        try {
          await cmd.init()
          rows[k] = {index: m.index, deviceId: m.deviceId, ok: true, result: (await cmd.execute()) ?? null}
        } catch (e) {
          err = e as Error
          const d = describeError(e)
          rows[k] = {index: m.index, deviceId: m.deviceId, ok: false, error: {code: d.code, message: d.message}}
          this.failed++
        } finally {
          await cmd.finally(err).catch(() => undefined)
        }
        bar.tick(1)
      }
    }
    await Promise.all(Array.from({length: Math.min(flags.concurrency, members.length)}, () => worker()))
    bar.done()
    return rows
  }

  override async run(): Promise<ExecRow[]> {
    const r = await super.run()
    if (this.failed > 0) {
      process.stderr.write(`Error: the command failed on ${this.failed} of ${r.length} devices.\n`)
      this.exit(1)
    }
    return r
  }
}
