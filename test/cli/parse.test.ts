/** The command-line parser every command runs once (src/cli/parse.ts) and the fast runner's command lookup. */
import {describe, expect, test} from '@jest/globals'
import {Args, Flags} from '../../src/cli/flags.js'
import {findCommand} from '../../src/cli/fast-run.js'
import {parseArgv, UsageError} from '../../src/cli/parse.js'

const flags = {
  output: Flags.string({char: 'o', options: ['json', 'table']}),
  device: Flags.string({char: 'd'}),
  'component-id': Flags.string({char: 'i', required: true}),
  timeout: Flags.integer({min: 1, max: 60}),
  tag: Flags.string({multiple: true}),
  follow: Flags.boolean({allowNo: true, default: true}),
  debug: Flags.boolean(),
  destination: Flags.string({aliases: ['output-file']}),
  manual: Flags.boolean({exclusive: ['auto']}),
  auto: Flags.boolean(),
}
const args = {name: Args.string({required: true}), extra: Args.string()}

const usage = async (argv: string[]): Promise<string> => {
  try {
    await parseArgv(argv, flags, args)
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    expect((e as UsageError).exit).toBe(2)
    return (e as Error).message
  }
  throw new Error(`parsed: ${argv.join(' ')}`)
}

describe('parseArgv', () => {
  test('long, long=, short, short-joined and short= forms; defaults; arguments in order', async () => {
    const r = await parseArgv(['app', '--output', 'json', '-dsim:x', '-i=abc', '--timeout=5', 'second'], flags, args)
    expect(r.flags).toEqual({
      output: 'json', device: 'sim:x', 'component-id': 'abc', timeout: 5, tag: undefined, follow: true, debug: false,
      destination: undefined, manual: false, auto: false,
    }) // prettier-ignore
    expect(r.args).toEqual({name: 'app', extra: 'second'})
    expect(r.argv).toEqual(['app', 'second'])
  })

  test('booleans, --no- for negatable ones, repeated multiple flags, aliases, and -- ending the flags', async () => {
    const r = await parseArgv(['-i', 'x', '--no-follow', '--debug', '--tag', 'a', '--tag=b', '--output-file', 'f', '--', '--name'], flags, args)
    expect(r.flags.follow).toBe(false)
    expect(r.flags.debug).toBe(true)
    expect(r.flags.tag).toEqual(['a', 'b'])
    expect(r.flags.destination).toBe('f')
    expect(r.args.name).toBe('--name')
  })

  test('a value that starts with a dash is taken as the value of the flag before it', async () => {
    expect((await parseArgv(['-i', '-x', 'n'], flags, args)).flags['component-id']).toBe('-x')
  })

  test('each failure is one line naming the flag or argument', async () => {
    expect(await usage(['n', '--bogus'])).toBe('Nonexistent flag: --bogus')
    expect(await usage(['n', '-z'])).toBe('Nonexistent flag: -z')
    expect(await usage(['-i', 'x'])).toBe('Missing required argument name.')
    expect(await usage(['n', '-i'])).toBe('Flag -i expects a value: give it as -i <value>.')
    expect(await usage(['n', '-i', 'x', '--no-debug'])).toBe('Nonexistent flag: --no-debug')
    expect(await usage(['n', '-i', 'x', '--manual', '--auto'])).toBe('--manual and --auto cannot be used together.')
    expect(await usage(['n', 'm', 'o', '-i', 'x'])).toBe('Unexpected argument: o')
  })

  test('a missing required flag names the flag and how to give it', async () => {
    expect(await usage(['n'])).toBe('Missing required flag --component-id (-i): give it as --component-id <value>.')
    const req = {
      id: Flags.integer({char: 'i', required: true, min: 0}),
      state: Flags.string({char: 's', required: true, options: ['Module1Complete', 'DeviceComplete']}),
      'device-group': Flags.string({short: 'dg', required: true}),
    }
    const missing = async (argv: string[]): Promise<string> => (await parseArgv(argv, req, {}).catch((e: Error) => e)).toString()
    expect(await missing(['-s', 'DeviceComplete', '-dg', 'g'])).toBe('UsageError: Missing required flag --id (-i): give it as --id <integer>.')
    expect(await missing(['-i', '0', '-dg', 'g'])).toBe(
      'UsageError: Missing required flag --state (-s): give it as --state <Module1Complete|DeviceComplete>.',
    )
    expect(await missing(['-i', '0', '-s', 'DeviceComplete'])).toBe(
      'UsageError: Missing required flag --device-group (-dg): give it as --device-group <value>.',
    )
  })

  test('a bad value names the flag, the value and what is accepted', async () => {
    expect(await usage(['n', '-i', 'x', '-o', 'xml'])).toBe("Invalid value 'xml' for --output (-o): expected one of json, table.")
    expect(await usage(['n', '-i', 'x', '--timeout', '0'])).toBe("Invalid value '0' for --timeout: expected an integer from 1 to 60.")
    expect(await usage(['n', '-i', 'x', '--timeout', '1.5'])).toBe("Invalid value '1.5' for --timeout: expected an integer from 1 to 60.")
    expect(await usage(['n', '-i', 'x', '--debug=maybe'])).toBe("Invalid value 'maybe' for --debug: expected true, false, yes or no.")
    const id = {id: Flags.integer({char: 'i', required: true, min: 0})}
    const e = await parseArgv(['--id', 'abc'], id, {}).catch((err: Error) => err)
    expect((e as Error).message).toBe("Invalid value 'abc' for --id (-i): expected an integer of at least 0.")
  })

  test('az-style booleans: a switch, or true/false/yes/no after it (any case), or with =', async () => {
    const b = {
      'manual-start': Flags.boolean({char: 'm'}),
      force: Flags.boolean(),
      'component-id': Flags.string({char: 'i'}),
    }
    const p = async (argv: string[]) => (await parseArgv(argv, b, {name: Args.string()})).flags
    expect(await p(['--manual-start'])).toMatchObject({'manual-start': true})
    expect(await p(['--manual-start', 'false'])).toMatchObject({'manual-start': false})
    expect(await p(['--manual-start', 'True', '--force', 'no'])).toMatchObject({'manual-start': true, force: false})
    expect(await p(['--manual-start=FALSE', '--force=yes'])).toMatchObject({'manual-start': false, force: true})
    expect(await p(['-m', 'false', '-i', 'x'])).toMatchObject({'manual-start': false, 'component-id': 'x'})
    expect(await p(['-m=no'])).toMatchObject({'manual-start': false})
    // a word that is not a boolean is the next argument, not the flag's value
    const r = await parseArgv(['--force', 'app'], b, {name: Args.string()})
    expect(r.flags.force).toBe(true)
    expect(r.args.name).toBe('app')
    // and one too many names the flag it may have been meant for
    const e = await parseArgv(['--force', 'maybe'], b, {}).catch((err: Error) => err)
    expect((e as Error).message).toBe('Unexpected argument: maybe (--force takes true, false, yes or no)')
  })

  test("azsphere's multi-letter short forms -dg and -of are not read as -d g / -o f", async () => {
    const f = {
      output: Flags.string({char: 'o', options: ['json', 'table']}),
      device: Flags.string({char: 'd'}),
      'device-group': Flags.string({short: 'dg'}),
      'output-file': Flags.string({short: 'of'}),
    }
    const r = await parseArgv(['-dg', 'Development', '-of', 'cap.cap', '-d', 'sim', '-o', 'json'], f, {})
    expect(r.flags).toEqual({output: 'json', device: 'sim', 'device-group': 'Development', 'output-file': 'cap.cap'})
    const eq = await parseArgv(['-dg=Field Test', '-of=x.zip', '-dsim:lab'], f, {})
    expect(eq.flags).toMatchObject({'device-group': 'Field Test', 'output-file': 'x.zip', device: 'sim:lab'})
  })

  test("a multiple flag takes az's space-separated values up to the next flag, and may repeat", async () => {
    const f = {'except-component-ids': Flags.string({char: 'e', multiple: true}), force: Flags.boolean()}
    const r = await parseArgv(['--except-component-ids', 'a', 'b', '--force', '-e', 'c'], f, {})
    expect(r.flags['except-component-ids']).toEqual(['a', 'b', 'c'])
    expect(r.flags.force).toBe(true)
  })

  test('option values match in any case and come back as defined', async () => {
    const f = {state: Flags.string({char: 's', options: ['Module1Complete', 'DeviceComplete']})}
    expect((await parseArgv(['-s', 'devicecomplete'], f, {})).flags.state).toBe('DeviceComplete')
  })
})

describe('findCommand (the fast runner)', () => {
  const manifest = {
    version: '1.0.0',
    commands: {
      device: {id: 'device', relativePath: ['dist', 'commands', 'device.js']},
      'device:app:show-status': {id: 'device:app:show-status', relativePath: ['x']},
      'image-package:show': {id: 'image-package:show', aliases: ['image:show'], relativePath: ['y']},
    },
  }
  test('the longest run of words before the first flag that names a command; aliases; none', () => {
    expect(findCommand(manifest, ['device', 'app', 'show-status', '-o', 'json'])).toEqual({
      entry: manifest.commands['device:app:show-status'],
      rest: ['-o', 'json'],
    })
    expect(findCommand(manifest, ['device', 'app', 'show-status', 'extra'])?.rest).toEqual(['extra'])
    expect(findCommand(manifest, ['image', 'show', '-p', 'f'])?.entry.id).toBe('image-package:show')
    expect(findCommand(manifest, ['device', 'nosuch'])?.entry.id).toBe('device')
    expect(findCommand(manifest, ['nosuch', 'cmd'])).toBeUndefined()
    expect(findCommand(manifest, ['-o', 'json'])).toBeUndefined()
  })
})
