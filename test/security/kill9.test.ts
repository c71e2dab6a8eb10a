/**
 * Fault injection: kill -9 of a process running the Device at random points of install, update (stage +
 * install of signed packages), storage writes (by an app, through the syscalls) and capability updates.
 * After every kill the state directory verifies, the mode's invariant holds (nothing torn, nothing never
 * written), and the device boots from it. CI runs SPHERE_KILL9_TRIALS (default 100); `npm run soak` runs
 * 1,000 over dist/.
 */
import {afterAll, beforeAll, describe, expect, test} from '@jest/globals'
import {cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import * as image from '../../src/image/index.js'
import * as os from '../../src/os/index.js'
import {prepare, soak, warm} from '../fixtures/security/soak.mjs'
import {CACHE_DIR, tempDir} from '../os/helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const SRC = join(here, '..', '..', 'src')
const TRIALS = Number(process.env.SPHERE_KILL9_TRIALS ?? 100)

/** Transpile src/{util,image,os,protocol} to plain ESM (no type check: fast) for the children. */
function transpile(out: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
    })
  for (const area of ['util', 'image', 'os', 'protocol']) {
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
}

let tmp: {dir: string; cleanup: () => void}

beforeAll(() => {
  tmp = tempDir('sphere-sec-kill9-')
  transpile(join(tmp.dir, 'js'))
  // the manifest schema the image code reads, where it finds it beside the tree (../../sdk/schemas)
  cpSync(join(SRC, '..', 'sdk', 'schemas'), join(tmp.dir, 'sdk', 'schemas'), {recursive: true})
  // and the packages it imports (ajv, the X.509 structures), as from the project's own tree
  symlinkSync(join(SRC, '..', 'node_modules'), join(tmp.dir, 'node_modules'))
})
afterAll(() => tmp.cleanup())

describe('kill -9 at random points of install, update, storage write and capability update', () => {
  test(`${TRIALS} trials: 0 inconsistent states, the device boots after every kill`, async () => {
    const work = join(tmp.dir, 'work')
    const {perMode} = await prepare(image, work)
    await warm(os, image, work, CACHE_DIR)
    const r = await soak({os, treeRoot: join(tmp.dir, 'js'), work, cacheDir: CACHE_DIR, trials: TRIALS, perMode})
    process.stdout.write(
      `kill -9 trials: ${r.trials}, inconsistent: ${r.inconsistent} (${Object.entries(r.perMode)
        .map(([m, v]) => `${m} ${v.trials} (state changed by ${v.changed})`)
        .join(', ')})\n`,
    )
    expect(r.failures).toEqual([])
    expect(r.inconsistent).toBe(0)
    expect(r.trials).toBe(TRIALS)
    for (const m of Object.values(r.perMode)) {
      expect(m.booted).toBe(m.trials)
      // most kills interrupted work that was changing the state (not an idle device)
      expect(m.changed).toBeGreaterThan(m.trials / 2)
    }
  }, 900_000)
})
