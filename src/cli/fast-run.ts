/**
 * The start path of every `sphere` command: find the command in dist/cli/command-index.json (written at build time
 * from oclif.manifest.json by scripts/gen-command-index.mjs), import that one command's module and run it. The framework (@oclif/core: ~160 modules, about as
 * long to load as Node itself) is loaded only for what needs it: help, the root and topic listings, plugin commands
 * and unknown commands (bin/run.js falls back to oclif when this returns false).
 */
import {readFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import type {CliConfig, CommandClass} from './base-command.js'

interface ManifestCommand {
  id: string
  aliases?: string[]
  relativePath?: string[]
}

interface Manifest {
  version: string
  commands: Record<string, ManifestCommand>
}

const HELP_FLAGS = new Set(['--help', '-h'])

/** SPHERE_TRACE_START=1: print when each start-up phase ended, to find what a command's start pays for. */
const trace: string[] | undefined = process.env.SPHERE_TRACE_START ? [`entry=${performance.now().toFixed(1)}`] : undefined
const mark = (what: string): void => void trace?.push(`${what}=${performance.now().toFixed(1)}`)

/** The command id (colon-separated) argv names and the arguments after it; undefined when it names none. */
export function findCommand(manifest: Manifest, argv: readonly string[]): {entry: ManifestCommand; rest: string[]} | undefined {
  const words: string[] = []
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 4) break
    words.push(a)
  }
  for (let k = words.length; k > 0; k--) {
    const id = words.slice(0, k).join(':')
    const entry = manifest.commands[id] ?? Object.values(manifest.commands).find((c) => c.aliases?.includes(id))
    if (entry) return {entry, rest: argv.slice(k)}
  }
  return undefined
}

/** Run the command argv names; false when it is not one this runner handles (help, topics, unknown, plugins). */
export async function fastRun(argv: string[], root: URL): Promise<boolean> {
  if (argv.length === 0) return false
  const end = argv.indexOf('--')
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => HELP_FLAGS.has(a))) return false
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/cli/command-index.json', root), 'utf8')) as Manifest
  } catch {
    return false // no index (a source checkout before `npm run build`): the framework finds the commands itself
  }
  const found = findCommand(manifest, argv)
  if (!found?.entry.relativePath) return false
  const config: CliConfig = {
    version: manifest.version,
    bin: 'sphere',
    findCommand: (id: string) => manifest.commands[id],
    runCommand: async (id: string, args: string[] = []) => {
      const entry = manifest.commands[id]
      if (!entry?.relativePath) throw new Error(`command ${id} not found`)
      return (await load(root, entry)).run(args, config)
    },
  }
  mark('manifest')
  const cmd = await load(root, found.entry)
  mark('import')
  try {
    await cmd.run(found.rest, config)
  } finally {
    mark('run')
    if (trace) process.stderr.write(`start-up (ms since process start): ${trace.join(' ')}\n`)
  }
  return true
}

async function load(root: URL, entry: ManifestCommand): Promise<CommandClass> {
  const mod = (await import(pathToFileURL(new URL(entry.relativePath!.join('/'), root).pathname).href)) as {default: CommandClass}
  const cmd = mod.default
  cmd.id = entry.id
  return cmd
}
