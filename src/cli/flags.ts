/**
 * Flag and argument definitions of `sphere` commands. The objects have the shape oclif's `Flags` / `Args` builders make
 * (type, char, options, multiple, default, parse, ...), so `oclif manifest` and oclif's help read them as before, but
 * building them loads nothing: a command's module imports this instead of @oclif/core, which keeps the framework off
 * the start path (see fast-run.ts). Parsing is parse.ts.
 */

interface FlagBase {
  char?: string
  description?: string
  summary?: string
  helpGroup?: string
  helpValue?: string
  hidden?: boolean
  required?: boolean
  /** Flags that may not be given together with this one. */
  exclusive?: string[]
  /** Other long names that select this flag. */
  aliases?: string[]
  /**
   * A short form of more than one letter, as azsphere has them (`-dg` for --device-group, `-of` for --output-file).
   * oclif's `char` is one letter, so this lives beside it; parse.ts reads it before the one-letter forms.
   */
  short?: string
}

declare const OUT: unique symbol

export interface BooleanFlag<T> extends FlagBase {
  type: 'boolean'
  allowNo: boolean
  default?: boolean
  parse: (input: boolean) => Promise<boolean>
  readonly [OUT]?: T
}

export interface OptionFlag<T> extends FlagBase {
  type: 'option'
  multiple: boolean
  options?: readonly string[]
  default?: unknown
  min?: number
  max?: number
  input: string[]
  hasDynamicHelp: false
  /** Turns one given value into the flag's value (throws what is accepted, e.g. "an integer from 1 to 60"). */
  parse: (input: string) => Promise<unknown>
  readonly [OUT]?: T
}

export type FlagDef<T = unknown> = BooleanFlag<T> | OptionFlag<T>
export type FlagMap = Record<string, FlagDef>

export interface ArgDef<T = unknown> {
  type: 'option'
  description?: string
  required?: boolean
  options?: readonly string[]
  default?: string
  input: string[]
  parse: (input: string) => Promise<unknown>
  readonly [OUT]?: T
}
export type ArgMap = Record<string, ArgDef>

/** The parsed value types of a flag or argument map. */
export type Inferred<M> = {[K in keyof M]: M[K] extends {readonly [OUT]?: infer T} ? T : never}

type StringOpts = FlagBase & {options?: readonly string[]; default?: string; multiple?: boolean}
type IntOpts = FlagBase & {min?: number; max?: number; default?: number; multiple?: boolean}

const identity = async (s: string): Promise<string> => s

function string(opts: StringOpts & {multiple: true}): OptionFlag<string[]>
function string(opts: StringOpts & ({required: true} | {default: string})): OptionFlag<string>
function string(opts?: StringOpts): OptionFlag<string | undefined>
function string(opts: StringOpts = {}): OptionFlag<unknown> {
  return {parse: identity, input: [], multiple: false, hasDynamicHelp: false, ...opts, type: 'option'}
}

function integer(opts: IntOpts & {multiple: true}): OptionFlag<number[]>
function integer(opts: IntOpts & ({required: true} | {default: number})): OptionFlag<number>
function integer(opts?: IntOpts): OptionFlag<number | undefined>
function integer(opts: IntOpts = {}): OptionFlag<unknown> {
  const {min, max} = opts
  const parse = async (input: string): Promise<number> => {
    const n = /^-?\d+$/.test(input.trim()) ? Number(input) : NaN
    const range =
      min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : ''
    if (!Number.isSafeInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      throw new Error(`an integer${range}`)
    }
    return n
  }
  return {input: [], multiple: false, hasDynamicHelp: false, helpValue: '<integer>', ...opts, parse, type: 'option'}
}

/**
 * A switch. As in az (its three-state flags), it may also be given a value: `--manual-start true|false`, `--enable=no`
 * (true/false/yes/no, any case; see BOOLEAN_WORDS in parse.ts).
 */
function boolean(opts: FlagBase & {allowNo?: boolean; default?: boolean} = {}): BooleanFlag<boolean> {
  return {parse: async (b: boolean) => b, allowNo: false, ...opts, type: 'boolean'}
}

export const Flags = {string, integer, boolean}

type ArgOpts = {description?: string; required?: boolean; options?: readonly string[]; default?: string}

function argString(opts: ArgOpts & ({required: true} | {default: string})): ArgDef<string>
function argString(opts?: ArgOpts): ArgDef<string | undefined>
function argString(opts: ArgOpts = {}): ArgDef<unknown> {
  return {parse: identity, input: [], ...opts, type: 'option'}
}

export const Args = {string: argString}
