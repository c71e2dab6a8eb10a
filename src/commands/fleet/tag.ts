import {Args, Flags} from '../../cli/flags.js'
import {SphereCommand} from '../../cli/base-command.js'
import {sphereHome} from '../../cli/config.js'
import {fleetShards, requireFleet} from '../../device/fleet.js'
import {shardOf, TAG_RE} from '../../protocol/fleet.js'
import {SphereError} from '../../util/errors.js'

/** `0-9,15,20-29` -> indices (each below `size`). */
export function parseIndexList(text: string, size: number): number[] {
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9}))?\s*$/.exec(part)
    const a = m ? Number(m[1]) : NaN
    const b = m?.[2] !== undefined ? Number(m[2]) : a
    if (!m || b < a || b >= size)
      throw new SphereError('FLEET_BAD_OPTION', `Invalid --devices '${text}': expected indices or ranges below ${size}, such as 0-9,15.`, {exit: 2})
    for (let i = a; i <= b; i++) out.add(i)
  }
  return [...out].sort((x, y) => x - y)
}

export default class FleetTag extends SphereCommand<{tag: string; devices: number; changed: number}> {
  static override summary = 'Add a tag to (or --remove it from) some devices of a fleet; --group TAG selects them in deploy and exec'
  static override examples = ['<%= config.bin %> fleet tag --name lab --devices 0-99 canary', '<%= config.bin %> fleet tag --name lab --devices 0-9 canary --remove']
  static override args = {tag: Args.string({description: 'The tag (group name)', required: true})}
  static override flags = {
    name: Flags.string({char: 'n', description: 'Fleet name', default: 'default'}),
    devices: Flags.string({description: 'Fleet indices: 0-9,15,20-29', required: true}),
    remove: Flags.boolean({description: 'Remove the tag instead'}),
  }

  async execute(): Promise<{tag: string; devices: number; changed: number}> {
    const {flags, args} = await this.parse(FleetTag)
    if (!TAG_RE.test(args.tag)) throw new SphereError('FLEET_BAD_TAG', `Invalid tag '${args.tag}': use letters, digits, '.', '_', ':' or '-' (max 63).`, {exit: 2})
    const rec = requireFleet(sphereHome(), flags.name)
    const indices = parseIndexList(flags.devices, rec.devices)
    const shards = fleetShards(rec)
    const res = await Promise.all(
      shards.map((s) => {
        const mine = indices.filter((i) => shardOf(i, shards.length) === s.index)
        return mine.length ? s.tag({devices: mine, tag: args.tag, ...(flags.remove ? {remove: true} : {})}) : {changed: 0}
      }),
    )
    return {tag: args.tag, devices: indices.length, changed: res.reduce((n, r) => n + r.changed, 0)}
  }
}
