import type {SyscallTable, TableEntry} from './dispatch.js'
import {parseParams, type AbiModule} from './types.js'

/**
 * What the syscall table generates, and the check that every other copy of the ABI agrees with it:
 * the import tables of sdk/ABI.md, the import declarations of sdk/libapplibs/internal.h, the AssemblyScript
 * @external declarations and any test host. `node scripts/gen-abi.mjs` rewrites the generated blocks;
 * `--check` (and test/os/runtime/abi-table.test.ts) fails on any difference.
 */

export const GENERATED_BEGIN = (what: string): string => `<!-- generated from the syscall table (${what}): edit src/os/runtime/syscalls, then run node scripts/gen-abi.mjs -->`
export const GENERATED_END = '<!-- end of generated table -->'
export const H_BEGIN = '/* ---- generated from the syscall table (src/os/runtime/syscalls): run node scripts/gen-abi.mjs ---- */'
export const H_END = '/* ---- end of generated declarations ---- */'

const C_PREFIX: Record<Exclude<AbiModule, 'wasi_snapshot_preview1'>, string> = {sphere: 'SPHERE', applibs: 'APPLIBS'}

/** The internal.h declaration of one sphere / applibs entry. */
export function cDeclaration(e: TableEntry): string {
  const m = e.spec.module as keyof typeof C_PREFIX
  return `${C_PREFIX[m]}("${e.spec.name}") ${e.spec.ret} __${m}_${e.spec.name}(${e.spec.params || 'void'});`
}

/** The generated block of internal.h (both modules, in table order). */
export function renderInternalH(table: SyscallTable): string {
  const lines = [H_BEGIN]
  for (const m of ['sphere', 'applibs'] as const) {
    lines.push(m === 'sphere' ? '/* module "sphere": Linux calls wasi-libc lacks */' : '/* module "applibs": the Azure Sphere API */')
    for (const e of table.entries) if (e.spec.module === m) lines.push(cDeclaration(e))
  }
  lines.push(H_END)
  return lines.join('\n')
}

/** `(fd, buf: ptr, len) -> n`, as ABI.md writes signatures. */
export function abiSignature(e: TableEntry): string {
  const nullable = new Set((e.spec.mem ?? []).filter((m) => m.endsWith('?')).map((m) => m.replace(/\[.*$/, '')))
  const ps = parseParams(e.spec.params).map((p) => {
    if (!p.ctype.includes('*')) return p.ctype === 'float' ? `${p.name}: f32` : /64/.test(p.ctype) ? `${p.name}: i64` : p.name
    return `${p.name}: ptr${nullable.has(p.name) ? '|0' : ''}`
  })
  const ret = e.spec.ret === 'void' ? '()' : (e.spec.returns ?? (e.spec.module === 'wasi_snapshot_preview1' ? 'errno' : 'r'))
  return `(${ps.join(', ')}) -> ${ret}`
}

const cell = (s: string): string => s.replace(/\|/g, '\\|')

function policyText(e: TableEntry): string {
  const p = e.spec.policy
  if (typeof p === 'function') return 'LSM'
  if ('none' in p) return `none: ${p.none}`
  return `in the call: ${p.inImpl}`
}

/** The generated import table of one module in ABI.md. */
export function renderAbiTable(table: SyscallTable, module: AbiModule): string {
  const rows = [GENERATED_BEGIN(module), '| import | signature | meaning | policy |', '|---|---|---|---|']
  for (const e of table.entries) {
    if (e.spec.module !== module) continue
    rows.push(`| \`${e.spec.name}\` | \`${cell(abiSignature(e))}\` | ${cell(e.spec.doc)} | ${cell(policyText(e))} |`)
  }
  rows.push(GENERATED_END)
  return rows.join('\n')
}

/** Replace the block between `begin` and `end` in `text` (both kept). */
export function replaceBlock(text: string, begin: string, end: string, block: string): string | undefined {
  const a = text.indexOf(begin)
  const b = a < 0 ? -1 : text.indexOf(end, a)
  if (a < 0 || b < 0) return undefined
  return text.slice(0, a) + block + text.slice(b + end.length)
}

export interface AbiFiles {
  abiMd: string
  internalH: string
  /** sdk/assemblyscript/lib/applibs/imports.ts */
  asImports: string
}

/** The files as the table generates them (undefined where a file lacks its markers). */
export function generate(table: SyscallTable, f: AbiFiles): {abiMd?: string; internalH?: string} {
  let md: string | undefined = f.abiMd
  for (const m of ['wasi_snapshot_preview1', 'sphere', 'applibs'] as const)
    md = md === undefined ? undefined : replaceBlock(md, GENERATED_BEGIN(m), GENERATED_END, renderAbiTable(table, m))
  return {abiMd: md, internalH: replaceBlock(f.internalH, H_BEGIN, H_END, renderInternalH(table))}
}

/** Import names documented in ABI.md: every `name` in a module's table rows and `name(` in its prose. */
export function documentedImports(abiMd: string): Set<string> {
  const out = new Set<string>()
  let module: string | undefined
  for (const line of abiMd.split('\n')) {
    const h = /^## Module `([a-z_0-9]+)`/.exec(line)
    if (h) {
      module = h[1]
      continue
    }
    if (/^## /.test(line)) module = undefined
    if (!module) continue
    const row = /^\| ((?:`[a-z_0-9]+`(?: \/ )?)+) \|/.exec(line)
    if (row) for (const m of row[1]!.matchAll(/`([a-z_0-9]+)`/g)) out.add(`${module}.${m[1]}`)
    for (const m of line.matchAll(/`([a-z_0-9]+)\(/g)) out.add(`${module}.${m[1]}`)
  }
  return out
}

/** Imports internal.h declares, with their C prototype. */
export function declaredInC(internalH: string): Map<string, {ret: string; params: string}> {
  const out = new Map<string, {ret: string; params: string}>()
  for (const m of internalH.matchAll(/^(SPHERE|APPLIBS)\("([a-z_0-9]+)"\) (\S+) __\w+\((.*)\);$/gm))
    out.set(`${m[1] === 'SPHERE' ? 'sphere' : 'applibs'}.${m[2]}`, {ret: m[3]!, params: m[4] === 'void' ? '' : m[4]!})
  return out
}

const AS_TYPES: Record<string, string> = {i32: 'i', u32: 'i', usize: 'i', isize: 'i', u16: 'i', i16: 'i', u8: 'i', i8: 'i', bool: 'i', i64: 'I', u64: 'I', f32: 'f', f64: 'F', void: ''}

/** `@external(module, name)` declarations of the AssemblyScript library, with their wasm signature. */
export function declaredInAssemblyScript(src: string): Map<string, string> {
  const out = new Map<string, string>()
  const re = /@external\("([a-z_0-9]+)", "([a-z_0-9]+)"\)\s*export declare function \w+\(([^)]*)\)\s*:\s*(\w+)/g
  for (const m of src.matchAll(re)) {
    const ps = m[3]!.trim() === '' ? [] : m[3]!.split(',').map((p) => p.split(':')[1]!.trim())
    const t = (x: string): string => AS_TYPES[x] ?? '?'
    out.set(`${m[1]}.${m[2]}`, `${ps.map(t).join('')}->${t(m[4]!)}`)
  }
  return out
}

/** Every disagreement between the table and the other copies of the ABI, one line each ([] when none). */
export function checkAbi(table: SyscallTable, f: AbiFiles): string[] {
  const problems: string[] = []
  const gen = generate(table, f)
  if (gen.abiMd === undefined) problems.push('sdk/ABI.md: a generated import table (its markers) is missing')
  else if (gen.abiMd !== f.abiMd) problems.push('sdk/ABI.md: the import tables differ from the syscall table (run node scripts/gen-abi.mjs)')
  if (gen.internalH === undefined) problems.push('sdk/libapplibs/internal.h: the generated declarations (their markers) are missing')
  else if (gen.internalH !== f.internalH)
    problems.push('sdk/libapplibs/internal.h: the import declarations differ from the syscall table (run node scripts/gen-abi.mjs)')
  const known = (k: string): boolean => {
    const [m, n] = k.split('.')
    return table.get(m!, n!) !== undefined
  }
  for (const k of documentedImports(f.abiMd)) if (!known(k)) problems.push(`sdk/ABI.md documents ${k}, which has no implementation in the syscall table`)
  for (const [k, p] of declaredInC(f.internalH)) {
    const [m, n] = k.split('.')
    const e = table.get(m!, n!)
    if (!e) problems.push(`sdk/libapplibs/internal.h declares ${k}, which has no implementation in the syscall table`)
    else if (p.params !== e.spec.params || p.ret !== e.spec.ret)
      problems.push(`sdk/libapplibs/internal.h declares ${k} as ${p.ret}(${p.params}), the table as ${e.spec.ret}(${e.spec.params})`)
  }
  for (const e of table.entries) {
    if (!documentedImports(f.abiMd).has(e.key)) problems.push(`${e.key} is in the syscall table but not in sdk/ABI.md`)
    if (e.spec.module !== 'wasi_snapshot_preview1' && !declaredInC(f.internalH).has(e.key))
      problems.push(`${e.key} is in the syscall table but not declared in sdk/libapplibs/internal.h`)
  }
  for (const [k, sig] of declaredInAssemblyScript(f.asImports)) {
    const [m, n] = k.split('.')
    const e = table.get(m!, n!)
    if (!e) problems.push(`the AssemblyScript library declares ${k}, which has no implementation in the syscall table`)
    else if (e.sig !== sig) problems.push(`the AssemblyScript library declares ${k} as ${sig}, the table as ${e.sig}`)
  }
  return problems
}

/** Problems of a test host's import object against the table (an import it fakes must exist, with no more parameters). */
export function checkHostImports(table: SyscallTable, host: Record<string, Record<string, unknown>>): string[] {
  const problems: string[] = []
  for (const [m, fns] of Object.entries(host)) {
    for (const [n, fn] of Object.entries(fns)) {
      const e = table.get(m, n)
      if (!e) problems.push(`the test host implements ${m}.${n}, which the syscall table lacks`)
      else if (typeof fn !== 'function' || fn.length > e.arity)
        problems.push(`the test host's ${m}.${n} takes ${typeof fn === 'function' ? fn.length : 'no'} parameters, the table ${e.arity}`)
    }
  }
  return problems
}
