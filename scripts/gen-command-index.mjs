#!/usr/bin/env node
// Build step (after `oclif manifest`): the command index bin/run.js starts from (dist/cli/command-index.json): each
// command id with its module path and aliases, and the CLI version. oclif.manifest.json (all flags and help, ~150 KB)
// stays the framework's; parsing it on every start cost more than the lookup needs.
import {readFileSync, writeFileSync} from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
const commands = {}
for (const [id, c] of Object.entries(manifest.commands)) {
  commands[id] = {id, relativePath: c.relativePath, ...(c.aliases?.length ? {aliases: c.aliases} : {})}
}
writeFileSync(new URL('../dist/cli/command-index.json', import.meta.url), JSON.stringify({version: manifest.version, commands}) + '\n')
