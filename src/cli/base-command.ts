import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import type {CommandError} from '@oclif/core/interfaces'
import {SphereError, isSphereError} from '../util/errors.js'
import {OUTPUT_FORMATS, SphereConfig, sphereHome, type OutputFormat} from './config.js'
import {render, type Column} from './output.js'
import {createProgress, type Progress} from './progress.js'
import {colorEnabled} from '../util/color.js'
import {deviceErrorAdvice} from './device-errors.js'

export type {Column} from './output.js'
export {colorEnabled} from '../util/color.js'

/**
 * The base of every `sphere` command. A command declares its metadata statically, implements
 * `execute()` returning a plain result object, and this class renders it per --output/--query,
 * maps errors to a one-line message + exit code, and owns the global flags.
 */
export abstract class SphereCommand<T = unknown> extends Command {
  static override baseFlags = {
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

  /** Global flag values, available once execute() runs. */
  protected globals: {output?: string | undefined; query?: string | undefined; verbose: boolean; debug: boolean; onlyShowErrors: boolean} = {
    verbose: false,
    debug: false,
    onlyShowErrors: false,
  }

  /** Do the work; return the result to render. Throw SphereError for expected failures. */
  abstract execute(): Promise<T>

  protected override async init(): Promise<void> {
    await super.init()
    // Read the global flags without failing on command-specific flags (execute() parses strictly).
    const argv = this.argv
    const out = flagValue(argv, '--output', '-o')
    const query = flagValue(argv, '--query')
    this.globals = {
      output: out,
      query,
      verbose: argv.includes('--verbose'),
      debug: argv.includes('--debug'),
      onlyShowErrors: argv.includes('--only-show-errors'),
    }
  }

  public async run(): Promise<T> {
    const result = await this.execute()
    if (result === undefined) return result
    const format = await this.outputFormat()
    const text = await render(result, {
      format,
      query: this.globals.query,
      columns: (this.constructor as typeof SphereCommand).columns,
      color: format.endsWith('c') || format === 'table' ? colorEnabled() : false,
    })
    if (text !== undefined && text !== '') process.stdout.write(text + '\n')
    return result
  }

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

  protected override async catch(err: CommandError): Promise<never> {
    if (err instanceof Errors.ExitError) throw err // a deliberate exit, already reported
    const debug = this.globals.debug || this.argv.includes('--debug')
    const {message, exit, suggestions} = describeError(err)
    process.stderr.write(`Error: ${message}\n`)
    for (const s of suggestions) process.stderr.write(`  Try: ${s}\n`)
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`)
    return this.exit(exit)
  }
}

/** Reads `--name value`, `--name=value` or `-x value` from argv without a full parse. */
function flagValue(argv: string[], long: string, short?: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') break
    if (a === long || (short !== undefined && a === short)) return argv[i + 1]
    if (a.startsWith(long + '=')) return a.slice(long.length + 1)
    if (short !== undefined && a.startsWith(short) && a.length > short.length && !a.startsWith('--')) return a.slice(short.length).replace(/^=/, '')
  }
  return undefined
}

/** Map any error to a one-line message, an exit code and suggestions. */
export function describeError(err: unknown): {message: string; exit: number; suggestions: string[]; code: string} {
  if (isSphereError(err)) {
    return {message: firstLine(err.message), exit: err.exit, suggestions: [...err.suggestions, ...deviceErrorAdvice(err)], code: err.code}
  }
  const e = err as Error & {oclif?: {exit?: number}; suggestions?: string[]; code?: string; parse?: unknown}
  if (e && typeof e === 'object' && 'oclif' in e && e.oclif?.exit !== undefined) {
    const isParse = e.parse !== undefined || e.oclif.exit === 2
    const suggestions = [...(e.suggestions ?? [])]
    if (isParse) suggestions.push('See more help with --help')
    return {message: firstLine(stripAnsi(e.message)), exit: isParse ? 2 : e.oclif.exit, suggestions, code: isParse ? 'USAGE' : (e.code ?? 'ERROR')}
  }
  const msg = e instanceof Error ? e.message : String(err)
  return {message: firstLine(msg) || 'Unknown error', exit: 1, suggestions: ['Run again with --debug for details.'], code: 'INTERNAL'}
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim()
}

function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, '')
}

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof SphereCommand)['baseFlags'] & T['flags']>

export {SphereError}
