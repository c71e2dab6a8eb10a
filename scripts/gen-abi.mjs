#!/usr/bin/env node
// Regenerates the import tables of sdk/ABI.md and the import declarations of sdk/libapplibs/internal.h from
// the syscall table (src/os/runtime/syscalls, read from dist/: run `npm run build` first).
// --check writes nothing: it prints every disagreement between the table and the ABI's other copies
// (ABI.md, internal.h, the AssemblyScript declarations) and exits 1 if there is one.
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = process.env.SPHERE_DIST ?? join(root, 'dist')
const {SYSCALLS} = await import(pathToFileURL(join(dist, 'os', 'runtime', 'syscalls', 'table.js')).href)
const {checkAbi, generate} = await import(pathToFileURL(join(dist, 'os', 'runtime', 'syscalls', 'abi-docs.js')).href)

const paths = {
  abiMd: join(root, 'sdk', 'ABI.md'),
  internalH: join(root, 'sdk', 'libapplibs', 'internal.h'),
  asImports: join(root, 'sdk', 'assemblyscript', 'lib', 'applibs', 'imports.ts'),
}
const files = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, readFileSync(p, 'utf8')]))

if (process.argv.includes('--check')) {
  const problems = checkAbi(SYSCALLS, files)
  for (const p of problems) console.error(p)
  process.exit(problems.length > 0 ? 1 : 0)
}
const gen = generate(SYSCALLS, files)
for (const k of ['abiMd', 'internalH']) {
  if (gen[k] === undefined) {
    console.error(`${paths[k]}: the generated block's markers are missing`)
    process.exit(1)
  }
  if (gen[k] !== files[k]) {
    writeFileSync(paths[k], gen[k])
    console.log(`wrote ${paths[k]}`)
  }
}
const left = checkAbi(SYSCALLS, {...files, ...gen})
for (const p of left) console.error(p)
process.exit(left.length > 0 ? 1 : 0)
