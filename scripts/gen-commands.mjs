#!/usr/bin/env node
// docs/commands.md, the command reference: every command with its summary, description, arguments, flags and
// examples, generated from the built commands (oclif.manifest.json, written by `npm run build`).
//
//   node scripts/gen-commands.mjs            write docs/commands.md
//   node scripts/gen-commands.mjs --check    exit 1 (naming the difference) when docs/commands.md is not current
//   --manifest PATH / --out PATH             read another manifest / write or check another file (tests)
import {readFileSync, writeFileSync, existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = new URL('..', import.meta.url)
const argv = process.argv.slice(2)
const opt = (name) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const check = argv.includes('--check')
const manifestPath = opt('--manifest') ?? fileURLToPath(new URL('oclif.manifest.json', root))
const outPath = opt('--out') ?? fileURLToPath(new URL('docs/commands.md', root))
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
const bin = pkg.oclif?.bin ?? 'sphere'

if (!existsSync(manifestPath)) {
  console.error(`gen-commands: ${manifestPath} is missing: run npm run build first.`)
  process.exit(1)
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
const topics = pkg.oclif?.topics ?? {}

const name = (id) => id.split(':').join(' ')
const anchor = (id) => `${bin}-${id.split(':').join('-')}`.toLowerCase().replace(/[^a-z0-9-]/g, '')
const text = (s) => String(s ?? '').replace(/<%= config\.bin %>/g, bin).trim()
const cell = (s) => text(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

function flagCell(f) {
  const names = [`\`--${f.name}\``]
  if (f.char) names.push(`\`-${f.char}\``)
  for (const a of f.aliases ?? []) names.push(`\`--${a}\``)
  if (f.type === 'option') names[0] = `\`--${f.name} <value>\``
  return names.join(', ')
}

function flagNotes(f) {
  const notes = []
  if (f.required) notes.push('required')
  if (f.multiple) notes.push('repeatable')
  if (f.options?.length) notes.push(`one of ${f.options.map((o) => `\`${o}\``).join(', ')}`)
  if (f.default !== undefined && f.default !== false) notes.push(`default \`${f.default}\``)
  if (f.exclusive?.length) notes.push(`not with ${f.exclusive.map((e) => `--${e}`).join(', ')}`)
  return notes.join('; ')
}

const commands = Object.values(manifest.commands)
  .filter((c) => !c.hidden)
  .sort((a, b) => a.id.localeCompare(b.id))

// the global flags every command has (and --device, which every device command has), documented once
const GLOBAL = new Map()
for (const c of commands) for (const f of Object.values(c.flags ?? {})) if (f.helpGroup === 'GLOBAL' && !GLOBAL.has(f.name)) GLOBAL.set(f.name, f)

const out = []
out.push('# Command reference')
out.push('')
out.push(
  `Every \`${bin}\` command: what it does, its arguments, flags and examples. Generated from the built commands by ` +
    '`scripts/gen-commands.mjs` (`npm run build && node scripts/gen-commands.mjs`); do not edit by hand: a test fails ' +
    'when this file is not current. `' + bin + ' COMMAND --help` prints the same per command.',
)
out.push('')
out.push('## Global flags')
out.push('')
out.push('| Flag | Description |')
out.push('|---|---|')
for (const f of [...GLOBAL.values()].sort((a, b) => a.name.localeCompare(b.name))) {
  const notes = flagNotes(f)
  out.push(`| ${flagCell(f)} | ${cell(f.description)}${notes ? ` (${notes})` : ''} |`)
}
out.push('')
out.push('`--device` is taken by every command that talks to a device; the others are taken by every command.')
out.push('')
out.push('## Commands')
out.push('')
const groups = new Map()
for (const c of commands) {
  const top = c.id.includes(':') ? c.id.split(':').slice(0, -1).join(':') : ''
  if (!groups.has(top)) groups.set(top, [])
  groups.get(top).push(c)
}
for (const top of [...groups.keys()].sort((a, b) => a.localeCompare(b))) {
  out.push(top === '' ? '- top level' : `- \`${name(top)}\`${topics[top]?.description ? ` (${topics[top].description})` : ''}`)
  for (const c of groups.get(top)) out.push(`  - [\`${bin} ${name(c.id)}\`](#${anchor(c.id)}): ${cell(c.summary)}`)
}
out.push('')
for (const c of commands) {
  out.push(`## ${bin} ${name(c.id)}`)
  out.push('')
  if (c.summary) out.push(text(c.summary))
  if (c.description) {
    out.push('')
    out.push(text(c.description))
  }
  if (c.aliases?.length) {
    out.push('')
    out.push(`Aliases: ${c.aliases.map((a) => `\`${bin} ${name(a)}\``).join(', ')}`)
  }
  const args = Object.values(c.args ?? {})
  const usage = [`${bin} ${name(c.id)}`, ...args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))]
  const own = Object.values(c.flags ?? {}).filter((f) => f.helpGroup !== 'GLOBAL').sort((a, b) => a.name.localeCompare(b.name))
  if (own.length) usage.push('[FLAGS]')
  out.push('')
  out.push('```')
  out.push(usage.join(' '))
  out.push('```')
  if (args.length) {
    out.push('')
    out.push('| Argument | Description |')
    out.push('|---|---|')
    for (const a of args) out.push(`| \`${a.name.toUpperCase()}\` | ${cell(a.description)}${a.required ? ' (required)' : ''} |`)
  }
  if (own.length) {
    out.push('')
    out.push('| Flag | Description |')
    out.push('|---|---|')
    for (const f of own) {
      const notes = flagNotes(f)
      out.push(`| ${flagCell(f)} | ${cell(f.description)}${notes ? ` (${notes})` : ''} |`)
    }
  }
  const globals = Object.values(c.flags ?? {}).filter((f) => f.helpGroup === 'GLOBAL').map((f) => `--${f.name}`)
  if (globals.includes('--device')) {
    out.push('')
    out.push('Takes `--device` / `-d` and the global flags.')
  }
  if (c.examples?.length) {
    out.push('')
    out.push('Examples:')
    out.push('')
    out.push('```sh')
    for (const e of c.examples) out.push(text(typeof e === 'string' ? e : e.command))
    out.push('```')
  }
  out.push('')
}
const doc = `${out.join('\n').replace(/\n+$/, '')}\n`

if (check) {
  const cur = existsSync(outPath) ? readFileSync(outPath, 'utf8') : ''
  if (cur === doc) process.exit(0)
  const a = cur.split('\n')
  const b = doc.split('\n')
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  console.error(
    `gen-commands: ${outPath} is not current (first difference at line ${i + 1}: ${JSON.stringify((b[i] ?? '').slice(0, 80))}); run: npm run build && node scripts/gen-commands.mjs`,
  )
  process.exit(1)
}
writeFileSync(outPath, doc)
console.log(`gen-commands: wrote ${outPath} (${commands.length} commands)`)
