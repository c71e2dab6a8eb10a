/**
 * Coverage of the azsphere command line: every device-local command and flag of the reference
 * (../shared/reference/azsphere-cli.md: the `az sphere` tables, their legacy names where azsphere still takes them,
 * and the global parameters) is a `sphere` command that accepts it, in its long and its short form, through the
 * parser every command runs (src/cli/parse.ts); booleans also az-style (`--flag false`). The list is kept here, from
 * the reference. A few lines then go through the built CLI for the multi-letter short forms.
 */
import {afterAll, describe, expect, it} from '@jest/globals'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {CommandClass} from '../../src/cli/base-command.js'
import type {FlagDef} from '../../src/cli/flags.js'
import {parseArgv} from '../../src/cli/parse.js'
import {ROOT, runCli, tempHome} from '../helpers/cli.js'

/** A flag as the reference writes it: long name, then the short form if it has one. */
type Ref = [long: string, short?: string]

const D: Ref = ['device', 'd']
const GLOBAL: Ref[] = [['output', 'o'], ['query'], ['verbose'], ['debug'], ['only-show-errors']]

/** Device-local commands of the reference and their flags (--help -h is handled before parsing, by oclif). */
const REFERENCE: Record<string, Ref[]> = {
  'device app show-memory-stats': [D],
  'device app show-quota': [['component-id', 'i'], D],
  'device app show-status': [['component-id', 'i'], D],
  'device app start': [['component-id', 'i'], ['debug-mode'], D],
  'device app stop': [['component-id', 'i'], D],
  'device list-attached': [],
  'device show-attached': [D],
  'device rescan-attached': [],
  'device restart': [D],
  'device show-os-version': [D],
  'device enable-development': [['catalog', 'c'], ['resource-group', 'g'], D, ['device-group', 'dg'], ['enable-rt-core-debugging', 'r'], ['product', 'p']],
  'device enable-cloud-test': [['catalog', 'c'], ['resource-group', 'g'], D, ['device-group', 'dg'], ['product', 'p']],
  'device capability download': [['catalog', 'c'], ['resource-group', 'g'], D, ['device-group', 'dg'], ['product', 'p'], ['output-file', 'of'], ['type', 't']],
  'device capability apply': [['capability-file'], ['none', 'n']],
  'device capability select': [['capability-file'], ['none', 'n']],
  'device capability show-attached': [D],
  'device capability update': [['capability-file'], D],
  'device certificate add': [['cert-type', 't'], ['certificate', 'c'], ['public-key-file', 'p'], ['private-key-file'], ['private-key-password', 'w'], D],
  'device certificate delete': [['certificate', 'c'], D],
  'device certificate list': [D],
  'device certificate show': [['certificate', 'c'], D],
  'device certificate show-quota': [D],
  'device image list-installed': [D, ['full', 'f'], ['all']],
  'device manufacturing-state show': [D],
  'device manufacturing-state update': [['state', 's'], D],
  'device sideload deploy': [['image-package', 'p'], ['manual-start', 'm'], ['force'], D],
  'device sideload delete': [['component-id', 'i'], ['except-component-ids', 'e'], D],
  'device sideload set-deployment-timeout': [['value', 'v']],
  'device sideload show-deployment-timeout': [],
  'device network enable': [['interface'], D],
  'device network disable': [['interface'], D],
  'device network list-firewall-rules': [D],
  'device network list-interfaces': [D],
  'device network show-status': [D],
  'device network proxy apply': [
    ['address', 'a'], ['authentication', 't'], ['port', 'r'], ['enable'], ['disable'], ['no-proxy-addresses', 'n'], ['username', 'u'], ['password', 'p'], D,
  ],
  'device network proxy show': [D],
  'device network proxy delete': [D],
  'device wifi add': [['ssid', 's'], ['psk', 'p'], ['targeted-scan'], ['config-name'], ['client-cert-id'], ['client-id'], ['root-ca-cert-id'], D],
  'device wifi disable': [['id', 'i'], D],
  'device wifi enable': [['id', 'i'], D],
  'device wifi forget': [['id', 'i'], D],
  'device wifi list': [D],
  'device wifi reload-config': [D],
  'device wifi scan': [D],
  'device wifi show': [['id', 'i'], D],
  'device wifi show-status': [D],
  // The reference's other device-local commands come with their own command files (issue #16's new commands):
  // device recover [--capability --images -d], device network show-diagnostics [--network -n -d],
  // device network update-interface [--interface --hardware-address -d], device network proxy enable|disable [-d].
}

interface ManifestCommand {
  id: string
  aliases?: string[]
  relativePath?: string[]
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}

/** The command's class, from its source module (the one the manifest's dist file is built from). */
async function commandClass(name: string): Promise<CommandClass> {
  const id = name.replace(/ /g, ':')
  const entry = manifest.commands[id] ?? Object.values(manifest.commands).find((c) => c.aliases?.includes(id))
  if (!entry?.relativePath) throw new Error(`'sphere ${name}' is not a command`)
  const src = join(ROOT, 'src', ...entry.relativePath.slice(1)).replace(/\.js$/, '.ts')
  return ((await import(pathToFileURL(src).href)) as {default: CommandClass}).default
}

/** A value the flag takes (its first option, an integer in range, a word). */
function valueFor(def: FlagDef): string {
  if (def.type === 'boolean') return 'true'
  if (def.options) return def.options[0]!
  if (def.helpValue === '<integer>') return String(Math.max(def.min ?? 1, 1))
  return 'x'
}

/** The command line that gives every required flag other than `except`. */
function requiredOthers(defs: Record<string, FlagDef>, except: string): string[] {
  return Object.entries(defs)
    .filter(([n, d]) => d.required && n !== except)
    .flatMap(([n, d]) => [`--${n}`, valueFor(d)])
}

describe('every azsphere device-local command and flag of the reference is accepted', () => {
  it.each(Object.keys(REFERENCE))('%s', async (name) => {
    const cls = await commandClass(name)
    const defs = {...cls.baseFlags, ...cls.flags} as Record<string, FlagDef>
    const refs = [...REFERENCE[name]!, ...GLOBAL]
    for (const [long, short] of refs) {
      const def = defs[long]
      expect({command: name, flag: long, defined: def !== undefined}).toEqual({command: name, flag: long, defined: true})
      // the reference's short form is the flag's (a one-letter char, or a multi-letter one such as -dg)
      if (short !== undefined) expect({command: name, flag: long, short: def!.short ?? def!.char}).toEqual({command: name, flag: long, short})
      const forms = [`--${long}`, ...(short ? [`-${short}`] : [])]
      for (const form of forms) {
        const rest = requiredOthers(defs, long)
        if (def!.type === 'boolean') {
          for (const [argv, want] of [[[form], true], [[form, 'false'], false], [[form, 'true'], true]] as const) {
            const r = await parseArgv([...argv, ...rest], defs, cls.args ?? {}, {strict: cls.strict ?? true})
            expect({command: name, argv, value: (r.flags as Record<string, unknown>)[long]}).toEqual({command: name, argv, value: want})
          }
          continue
        }
        const v = valueFor(def!)
        const r = await parseArgv([form, v, ...rest], defs, cls.args ?? {}, {strict: cls.strict ?? true})
        const got = (r.flags as Record<string, unknown>)[long]
        const want = await def!.parse(v)
        expect({command: name, form, value: got}).toEqual({command: name, form, value: def!.multiple ? [want] : want})
      }
    }
  })
})

describe('the built CLI takes the multi-letter short forms and az-style booleans', () => {
  const {home, cleanup} = tempHome('sphere-cov-')
  const env = {SPHERE_HOME: home}
  afterAll(async () => {
    await runCli(['sim', 'stop', '--all'], {env})
    cleanup()
  })

  it('-of and -dg are the flags, not -o f / -d g', async () => {
    expect((await runCli(['sim', 'start', '-o', 'none'], {env})).code).toBe(0)
    const dev = await runCli(['device', 'enable-development', '-dg', 'Development', '-c', 'cat', '-g', 'rg', '-o', 'json'], {env})
    expect(dev.stderr).toBe('')
    expect(JSON.parse(dev.stdout)).toMatchObject({capabilities: ['appDevelopment']})
    const cap = join(home, 'dev.cap')
    const dl = await runCli(['device', 'capability', 'download', '-of', cap, '-dg', 'Development', '--type', 'ApplicationDevelopment', '-o', 'json'], {env})
    expect(dl.stderr).toBe('')
    expect(JSON.parse(dl.stdout)).toMatchObject({outputFile: cap})
    expect(readFileSync(cap, 'utf8')).toContain('appDevelopment')
  }, 30_000)

  it('a missing required flag and a bad value are one line each, naming the flag', async () => {
    const missing = await runCli(['device', 'wifi', 'show'], {env})
    expect(missing.code).toBe(2)
    expect(missing.stderr.split('\n')[0]).toBe('Error: Missing required flag --id (-i): give it as --id <integer>.')
    const bad = await runCli(['device', 'wifi', 'show', '--id', 'abc'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr.split('\n')[0]).toBe("Error: Invalid value 'abc' for --id (-i): expected an integer of at least 0.")
    const flag = await runCli(['device', 'sideload', 'deploy', '-p', 'x.imagepackage', '--manual-start', 'maybe'], {env})
    expect(flag.code).toBe(2)
    expect(flag.stderr.split('\n')[0]).toBe('Error: Unexpected argument: maybe (--manual-start (-m) takes true, false, yes or no)')
    const off = await runCli(['device', 'image', 'list-installed', '--all', 'false', '-o', 'json'], {env})
    expect(off.stderr).toBe('')
    expect((JSON.parse(off.stdout) as {components: {image_type: number}[]}).components.every((c) => c.image_type === 10)).toBe(true)
  })
})
