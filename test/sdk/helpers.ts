/** Shared helpers for the SDK tests. */
import {cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {probeToolchain} from '../../src/sdk/index.js'
import {Wasm} from './mock-host.js'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const samplesFixture = join(repoRoot, 'test', 'fixtures', 'samples')

/** True when clang, wasm-ld, wasi-libc, cmake and ninja are installed. */
export const toolchainPresent = probeToolchain().missing.length === 0

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, {recursive: true, force: true})
}

/** Copies the unmodified samples (Samples/ + HardwareDefinitions/) into dir. */
export function copySamples(dir: string): void {
  cpSync(samplesFixture, dir, {recursive: true})
}

/** The import names sdk/ABI.md lists, per module ("module.name"). */
export function abiImportNames(): Set<string> {
  const text = readFileSync(join(repoRoot, 'sdk', 'ABI.md'), 'utf8')
  const out = new Set<string>()
  let module: string | undefined
  for (const line of text.split('\n')) {
    const h = /^## Module `([a-z_0-9]+)`/.exec(line)
    if (h) {
      module = h[1]
      continue
    }
    if (/^## /.test(line)) module = undefined
    if (!module) continue
    if (module === 'wasi_snapshot_preview1') {
      for (const m of line.matchAll(/`([a-z_]+)`/g)) out.add(`${module}.${m[1]}`)
      continue
    }
    // Table rows: | `a` / `b` | ... ; prose lists: `name(args)`.
    const row = /^\| ((?:`[a-z_0-9]+`(?: \/ )?)+) \|/.exec(line)
    if (row) for (const m of row[1]!.matchAll(/`([a-z_0-9]+)`/g)) out.add(`${module}.${m[1]}`)
    for (const m of line.matchAll(/`([a-z_0-9]+)\(/g)) out.add(`${module}.${m[1]}`)
  }
  return out
}

/** Imports of a wasm module as "module.name". */
export function wasmImports(bytes: Uint8Array): string[] {
  return Wasm.Module.imports(new Wasm.Module(bytes))
    .map((i) => `${i.module}.${i.name}`)
    .sort()
}
