/**
 * src/{util,image,os,protocol,hub} transpiled to plain ESM (no type check: fast) for child processes that a test
 * kills (the kill -9 suites), laid out as the project is: `<dir>/js/...` beside `<dir>/sdk/schemas` (which the
 * image code reads) and `<dir>/node_modules` (a link to the project's own, for the packages src imports).
 * Returns the path of the js tree.
 */
import {cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SRC = join(ROOT, 'src')

export function transpiledTree(dir: string, areas: readonly string[] = ['util', 'image', 'os', 'protocol', 'hub']): string {
  const out = join(dir, 'js')
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f)
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
    })
  for (const area of areas) {
    for (const file of walk(join(SRC, area))) {
      const js = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false},
      }).outputText
      const dest = join(out, relative(SRC, file)).replace(/\.ts$/, '.js')
      mkdirSync(dirname(dest), {recursive: true})
      writeFileSync(dest, js)
    }
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}')
  cpSync(join(ROOT, 'sdk', 'schemas'), join(dir, 'sdk', 'schemas'), {recursive: true})
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return out
}
