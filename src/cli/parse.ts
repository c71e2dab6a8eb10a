/**
 * The command-line parser of `sphere` commands (definitions in flags.ts), taking flags the way azsphere / `az sphere`
 * take them:
 * - `--name value`, `--name=value`, `-c value`, `-cvalue`, `-c=value`;
 * - the multi-letter short forms azsphere has (`-dg` for --device-group, `-of` for --output-file: a flag's `short`),
 *   read before the one-letter ones, so `-dg x` is never `-d g`;
 * - booleans as switches (`--force`), with an az-style value (`--force true`, `--manual-start=false`, `yes`/`no`, any
 *   case), or `--no-name` for negatable ones;
 * - a `multiple` flag takes every value up to the next flag (`--except-component-ids A B`, as az's space-separated
 *   lists), and may also be repeated;
 * - values of a flag with `options` match in any case (az's enum arguments) and come back in the defined spelling;
 * - `--` ends the flags; then positional arguments in declaration order.
 * Every failure is a UsageError: one line naming the flag or argument (and, for a bad value, the value and what is
 * accepted; for a missing flag, how to give it), exit 2.
 */
import {SphereError} from '../util/errors.js'
import type {ArgMap, FlagDef, FlagMap, Inferred, OptionFlag} from './flags.js'

export class UsageError extends SphereError {
  constructor(message: string) {
    super('USAGE', message, {exit: 2, suggestions: ['See more help with --help']})
    this.name = 'UsageError'
  }
}

export interface Parsed<F extends FlagMap, A extends ArgMap> {
  flags: Inferred<F>
  args: Inferred<A>
  /** Positional values in order (including any after the declared arguments when not strict). */
  argv: string[]
}

/** The words a boolean flag takes as its value (az's three-state flags take true/false; yes/no as its enum flags). */
export const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {true: true, false: false, yes: true, no: false}

const boolWord = (s: string): boolean | undefined => BOOLEAN_WORDS[s.toLowerCase()]

/** `--device-group (-dg)`: the long name and the short form, as messages name a flag. */
export function flagLabel(name: string, def: Pick<FlagDef, 'char' | 'short'>): string {
  const short = def.short ?? def.char
  return `--${name}${short ? ` (-${short})` : ''}`
}

/** What a value of the flag looks like: `<integer>`, `<rootca|client>`, `<value>`. */
function valueHint(def: OptionFlag<unknown>): string {
  if (def.options && def.options.length <= 6) return `<${def.options.join('|')}>`
  return def.helpValue ?? '<value>'
}

/** A value is a flag token (not a value) when it starts with a dash and is not a negative number. */
const isFlagToken = (tok: string): boolean => tok.startsWith('-') && tok.length > 1 && !/^-\d/.test(tok)

export async function parseArgv<F extends FlagMap, A extends ArgMap>(
  argv: readonly string[],
  flagDefs: F,
  argDefs: A,
  opts: {strict?: boolean} = {},
): Promise<Parsed<F, A>> {
  const strict = opts.strict ?? true
  const byLong = new Map<string, string>()
  const byChar = new Map<string, string>()
  const byShort = new Map<string, string>()
  for (const [name, def] of Object.entries(flagDefs)) {
    byLong.set(name, name)
    for (const a of def.aliases ?? []) byLong.set(a, name)
    if (def.char) byChar.set(def.char, name)
    if (def.short) byShort.set(def.short, name)
  }
  const raw = new Map<string, (string | boolean)[]>()
  const positional: string[] = []
  /** The boolean flag a positional value came right after (a value it might have been meant for). */
  const afterBoolean = new Map<number, string>()
  let lastBoolean: string | undefined
  const give = (name: string, v: string | boolean): void => void raw.set(name, [...(raw.get(name) ?? []), v])
  let i = 0

  /** A flag was named (as `shown`); `inline` is the text after `=` (or after a joined one-letter form). */
  const take = (name: string, shown: string, inline: string | undefined): void => {
    const def = flagDefs[name]!
    const label = flagLabel(name, def)
    if (def.type === 'boolean') {
      if (inline !== undefined) {
        const b = boolWord(inline)
        if (b === undefined) throw new UsageError(`Invalid value '${inline}' for ${label}: expected true, false, yes or no.`)
        give(name, b)
        return
      }
      const b = i < argv.length ? boolWord(argv[i] as string) : undefined
      if (b !== undefined) i++
      else lastBoolean = label
      give(name, b ?? true)
      return
    }
    if (inline !== undefined) {
      give(name, inline)
      return
    }
    if (i >= argv.length || (isFlagToken(argv[i] as string) && def.multiple)) {
      throw new UsageError(`Flag ${shown} expects a value: give it as ${shown} ${valueHint(def)}.`)
    }
    give(name, argv[i++] as string)
    // az's space-separated lists: the values up to the next flag
    if (def.multiple) while (i < argv.length && !isFlagToken(argv[i] as string) && argv[i] !== '--') give(name, argv[i++] as string)
  }

  while (i < argv.length) {
    const boolBefore = lastBoolean
    lastBoolean = undefined
    const tok = argv[i++] as string
    if (tok === '--') {
      positional.push(...argv.slice(i))
      break
    }
    const eq = tok.indexOf('=')
    const head = eq < 0 ? tok : tok.slice(0, eq)
    const inline = eq < 0 ? undefined : tok.slice(eq + 1)
    if (tok.startsWith('--') && tok.length > 2) {
      const key = head.slice(2)
      const name = byLong.get(key)
      if (name === undefined && key.startsWith('no-')) {
        const n = byLong.get(key.slice(3))
        const def = n === undefined ? undefined : flagDefs[n]
        if (def?.type === 'boolean' && def.allowNo && eq < 0) {
          give(n!, false)
          continue
        }
      }
      if (name === undefined) throw new UsageError(`Nonexistent flag: --${key}`)
      take(name, `--${name}`, inline)
      continue
    }
    if (isFlagToken(tok)) {
      const multi = byShort.get(head.slice(1))
      if (multi !== undefined) {
        take(multi, head, inline)
        continue
      }
      const name = byChar.get(tok[1] as string)
      if (name === undefined) throw new UsageError(`Nonexistent flag: ${tok.length > 2 ? head : tok.slice(0, 2)}`)
      const def = flagDefs[name]!
      const rest = tok.slice(2)
      if (def.type === 'boolean') {
        if (rest !== '' && !rest.startsWith('=')) throw new UsageError(`Nonexistent flag: ${head}`)
        take(name, `-${def.char}`, rest === '' ? undefined : rest.slice(1))
      } else take(name, `-${def.char}`, rest === '' ? undefined : rest.replace(/^=/, ''))
      continue
    }
    if (boolBefore !== undefined) afterBoolean.set(positional.length, boolBefore)
    positional.push(tok)
  }

  const flags: Record<string, unknown> = {}
  for (const [name, def] of Object.entries(flagDefs)) {
    const given = raw.get(name)
    if (def.type === 'boolean') {
      flags[name] = given ? given[given.length - 1] : (def.default ?? false)
      continue
    }
    if (!given) {
      if (def.required) {
        throw new UsageError(`Missing required flag ${flagLabel(name, def)}: give it as --${name} ${valueHint(def)}.`)
      }
      flags[name] = def.default
      continue
    }
    const values: unknown[] = []
    for (const v of given as string[]) {
      let value = v
      if (def.options) {
        const match = def.options.find((o) => o === v) ?? def.options.find((o) => o.toLowerCase() === v.toLowerCase())
        if (match === undefined) {
          throw new UsageError(`Invalid value '${v}' for ${flagLabel(name, def)}: expected one of ${def.options.join(', ')}.`)
        }
        value = match
      }
      try {
        values.push(await def.parse(value))
      } catch (e) {
        throw new UsageError(`Invalid value '${v}' for ${flagLabel(name, def)}: expected ${(e as Error).message.replace(/\.$/, '')}.`)
      }
    }
    flags[name] = def.multiple ? values : values[values.length - 1]
  }
  for (const [name, def] of Object.entries(flagDefs)) {
    if (!raw.has(name)) continue
    for (const other of def.exclusive ?? []) {
      if (raw.has(other)) throw new UsageError(`--${name} and --${other} cannot be used together.`)
    }
  }

  const args: Record<string, unknown> = {}
  const argNames = Object.keys(argDefs)
  for (const [k, name] of argNames.entries()) {
    const def = argDefs[name]!
    const v = positional[k]
    if (v === undefined) {
      if (def.required) throw new UsageError(`Missing required argument ${name}.`)
      args[name] = def.default
      continue
    }
    if (def.options && !def.options.includes(v)) {
      throw new UsageError(`Invalid value '${v}' for argument ${name}: expected one of ${def.options.join(', ')}.`)
    }
    args[name] = await def.parse(v)
  }
  if (strict && positional.length > argNames.length) {
    const flag = afterBoolean.get(argNames.length)
    const hint = flag === undefined ? '' : ` (${flag} takes true, false, yes or no)`
    throw new UsageError(`Unexpected argument: ${positional[argNames.length]}${hint}`)
  }
  return {flags: flags as Inferred<F>, args: args as Inferred<A>, argv: positional}
}
