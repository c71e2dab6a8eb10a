import {SphereError, isSphereError} from '../util/errors.js'
import {OUTPUT_FORMATS, SphereConfig, sphereHome, type OutputFormat} from './config.js'
import {describeFsError} from './fs-errors.js'
import {Flags, type ArgMap, type FlagMap, type Inferred} from './flags.js'
import {parseArgv, type Parsed} from './parse.js'
import {render, type Column} from './output.js'
import {createProgress, type Progress} from './progress.js'
import {colorEnabled} from '../util/color.js'
import {deviceErrorAdvice, withDeviceErrorSubject} from './device-errors.js'

export type {Column} from './output.js'
export {azColumns} from './output.js'
export {colorEnabled} from '../util/color.js'

/** What a command sees of the CLI around it: oclif's Config on the framework path, fast-run.ts's on the fast one. */
export interface CliConfig {
  readonly version: string
  readonly bin: string
  findCommand(id: string): unknown
  runCommand(id: string, argv?: string[]): Promise<unknown>
}

/** `this.exit(n)`: ends the command with status n (the shape oclif uses, so either runner honours it). */
export class ExitError extends Error {
  readonly code = 'EEXIT'
  readonly oclif: {exit: number}
  constructor(exit: number) {
    super(`EEXIT: ${exit}`)
    this.oclif = {exit}
  }
}

/** The command class shape the runners (fast-run.ts, oclif) need. */
export interface CommandClass {
  id?: string
  flags: FlagMap
  baseFlags: FlagMap
  args: ArgMap
  strict?: boolean
  run(argv: string[], config: CliConfig): Promise<unknown>
}

/**
 * The base of every `sphere` command. A command declares its metadata statically, implements
 * `execute()` returning a plain result object, and this class renders it per --output/--query,
 * maps errors to a one-line message + exit code, and owns the global flags.
 *
 * It does not extend oclif's Command: oclif reads the statics (manifest, help) and calls the static `run`, and so
 * does the fast runner (fast-run.ts) without loading the framework. The command line is parsed once (parse.ts),
 * before execute(); `this.parse(Cls)` returns that result.
 */
export abstract class SphereCommand<T = unknown> {
  static id: string | undefined
  static summary: string | undefined
  static description: string | undefined
  static examples: string[] | undefined
  static aliases: string[] = []
  static hidden = false
  static strict = true
  static flags: FlagMap = {}
  static args: ArgMap = {}
  static baseFlags = {
    output: Flags.string({
      char: 'o',
      description: 'Output format. Default: table on a terminal, json otherwise (or the `defaults.output` config).',
      options: [...OUTPUT_FORMATS],
      helpGroup: 'GLOBAL',
    }),
    query: Flags.string({
      description: 'JMESPath query applied to the result before rendering, e.g. --query "[].name".',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({description: 'Print progress details to stderr.', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({description: 'Print debug logs and stack traces on errors.', helpGroup: 'GLOBAL'}),
    'only-show-errors': Flags.boolean({description: 'Suppress warnings; only errors are printed.', helpGroup: 'GLOBAL'}),
  }

  /** Columns used by `-o table` and `-o tsv` (dotted paths into each row). Default: every key. */
  static columns: readonly Column[] | undefined = undefined
  /** For `-o table|tsv`: the key of the result whose array holds the rows (see RenderOptions.rows). */
  static tableRows: string | undefined = undefined

  /** Run the command class on argv (the entry both runners call). */
  static run(this: new (argv: string[], config: CliConfig) => SphereCommand, argv: string[] = process.argv.slice(2), config?: CliConfig): Promise<unknown> {
    const cmd = new this(argv, config ?? (undefined as unknown as CliConfig))
    return cmd._run()
  }

  /** Global flag values, available once execute() runs. */
  protected globals: {output?: string | undefined; query?: string | undefined; verbose: boolean; debug: boolean; onlyShowErrors: boolean} = {
    verbose: false,
    debug: false,
    onlyShowErrors: false,
  }

  private parsed: Parsed<FlagMap, ArgMap> | undefined

  constructor(
    readonly argv: string[],
    readonly config: CliConfig,
  ) {}

  /** Do the work; return the result to render. Throw SphereError for expected failures. */
  abstract execute(): Promise<T>

  /** init -> run -> catch -> finally, as oclif's commands. */
  async _run(): Promise<T | undefined> {
    let err: Error | undefined
    let result: T | undefined
    try {
      await this.init()
      result = await this.run()
    } catch (e) {
      err = e as Error
      await this.catch(e as Error)
    } finally {
      await this.finally(err)
    }
    return result
  }

  /** Parse the command line once: every flag (the global ones included) and argument. */
  protected async init(): Promise<void> {
    const cls = this.constructor as unknown as CommandClass
    // --debug must work even when the parse fails
    this.globals.debug = this.argv.includes('--debug')
    this.parsed = await parseArgv(this.argv, {...cls.baseFlags, ...cls.flags}, cls.args ?? {}, {strict: cls.strict ?? true})
    const f = this.parsed.flags as Record<string, unknown>
    this.globals = {
      output: f.output as string | undefined,
      query: f.query as string | undefined,
      verbose: f.verbose === true,
      debug: f.debug === true,
      onlyShowErrors: f['only-show-errors'] === true,
    }
  }

  /** One parsed flag value by name (for base classes that own a flag). */
  protected flagValue(name: string): unknown {
    return (this.parsed?.flags as Record<string, unknown> | undefined)?.[name]
  }

  /** The parsed command line (flags typed by the class's definitions). */
  protected async parse<C extends {flags: FlagMap; baseFlags: FlagMap; args: ArgMap}>(
    _cls: C,
  ): Promise<{flags: Inferred<C['baseFlags'] & C['flags']>; args: Inferred<C['args']>; argv: string[]}> {
    if (!this.parsed) throw new Error('parse() before init()')
    return this.parsed as never
  }

  public async run(): Promise<T> {
    const result = await this.execute()
    if (result === undefined) return result
    const format = await this.outputFormat()
    const text = await render(result, {
      format,
      query: this.globals.query,
      columns: (this.constructor as typeof SphereCommand).columns,
      rows: (this.constructor as typeof SphereCommand).tableRows,
      color: format.endsWith('c') || format === 'table' ? colorEnabled() : false,
    })
    if (text !== undefined && text !== '') process.stdout.write(text + '\n')
    return result
  }

  /** End the command with exit status `code`. */
  protected exit(code = 0): never {
    throw new ExitError(code)
  }

  /** Called after run or catch, with the error if there was one. */
  protected async finally(_err: Error | undefined): Promise<void> {}

  /** The effective output format: --output, else the config default, else table on a TTY / json otherwise. */
  protected async outputFormat(): Promise<OutputFormat> {
    const f = this.globals.output
    if (f && (OUTPUT_FORMATS as readonly string[]).includes(f)) return f as OutputFormat
    try {
      const cfg = await SphereConfig.open(sphereHome())
      const d = cfg.get('defaults.output')
      if (d) return d as OutputFormat
    } catch {
      // an unreadable config must not hide a result
    }
    return process.stdout.isTTY ? 'table' : 'json'
  }

  /** A warning line on stderr, unless --only-show-errors. */
  protected warnLine(message: string): void {
    if (this.globals.onlyShowErrors) return
    process.stderr.write(`Warning: ${message}\n`)
  }

  /** A verbose line on stderr, only with --verbose or --debug. */
  protected verboseLine(message: string): void {
    if (this.globals.verbose || this.globals.debug) process.stderr.write(`${message}\n`)
  }

  /** A progress bar on stderr when it is a TTY (and not --only-show-errors); silent otherwise. */
  protected progress(label: string, total: number): Progress {
    const enabled = Boolean(process.stderr.isTTY) && !this.globals.onlyShowErrors
    return createProgress(label, total, enabled ? process.stderr : undefined)
  }

  protected async catch(err: Error): Promise<never> {
    if (err instanceof ExitError || (err as {code?: unknown}).code === 'EEXIT') throw err // a deliberate exit, already reported
    const debug = this.globals.debug || this.argv.includes('--debug')
    const {message, exit, suggestions} = describeError(err)
    process.stderr.write(`Error: ${message}\n`)
    for (const s of suggestions) process.stderr.write(`  Try: ${s}\n`)
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`)
    return this.exit(exit)
  }
}

/** Map any error to a one-line message, an exit code and suggestions. */
export function describeError(err: unknown): {message: string; exit: number; suggestions: string[]; code: string} {
  if (isSphereError(err)) {
    return {
      message: withDeviceErrorSubject(firstLine(err.message), err),
      exit: err.exit,
      suggestions: [...err.suggestions, ...deviceErrorAdvice(err)],
      code: err.code,
    }
  }
  const e = err as Error & {oclif?: {exit?: number}; suggestions?: string[]; code?: string; parse?: unknown}
  if (e && typeof e === 'object' && 'oclif' in e && e.oclif?.exit !== undefined) {
    const isParse = e.parse !== undefined || e.oclif.exit === 2
    const suggestions = [...(e.suggestions ?? [])]
    if (isParse) suggestions.push('See more help with --help')
    return {message: firstLine(stripAnsi(e.message)), exit: isParse ? 2 : e.oclif.exit, suggestions, code: isParse ? 'USAGE' : (e.code ?? 'ERROR')}
  }
  // a file-system failure nothing caught: the path and the reason in words, not the raw ENOENT text
  const fsLine = describeFsError(err)
  if (fsLine) return {message: fsLine, exit: 1, suggestions: [], code: 'FILE_ERROR'}
  const msg = e instanceof Error ? e.message : String(err)
  return {message: firstLine(msg) || 'Unknown error', exit: 1, suggestions: ['Run again with --debug for details.'], code: 'INTERNAL'}
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim()
}

function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, '')
}

export type InferredFlags<T extends {flags: FlagMap}> = Inferred<(typeof SphereCommand)['baseFlags'] & T['flags']>

export {SphereError}
