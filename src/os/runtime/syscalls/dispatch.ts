import {Errno} from '../../kernel/errno.js'
import type {Operation} from '../../lsm/lsm.js'
import type {SysCtx} from '../context.js'
import {parseParams, signatureOf, type AbiModule, type Impl, type Syscall, type SyscallGroup} from './types.js'

/**
 * The one dispatch wrapper of the syscall table: for every import it runs, in this order,
 * 1. the memory checks the entry declares (-EFAULT; WASI calls return the errno unnegated),
 * 2. the entry's decoder, 3. `lsm.check` of the entry's Operation (a denial returns its errno),
 * 4. the implementation. An import cannot skip its check: there is no other way into an implementation.
 */

interface MemCheck {
  arg: number
  /** Constant byte count, or -1 when the count is an argument. */
  bytes: number
  lenArg: number
  mult: number
  mode: '' | '!' | '?'
}

export interface TableEntry {
  readonly key: string
  readonly spec: Syscall
  readonly group: SyscallGroup
  readonly sig: string
  readonly arity: number
  readonly checks: readonly MemCheck[]
}

export class SyscallTable {
  readonly entries: readonly TableEntry[]
  private readonly byKey = new Map<string, TableEntry>()

  constructor(readonly groups: readonly SyscallGroup[]) {
    const list: TableEntry[] = []
    for (const group of groups) {
      for (const spec of group.entries) {
        const key = `${spec.module}.${spec.name}`
        const prev = this.byKey.get(key)
        if (prev)
          throw new Error(`syscall table: ${key} is defined twice (${prev.group.source} and ${group.source})`)
        const params = parseParams(spec.params)
        const e: TableEntry = {key, spec, group, sig: signatureOf(spec), arity: params.length, checks: memChecks(spec, params.map((p) => p.name))}
        this.byKey.set(key, e)
        list.push(e)
      }
    }
    this.entries = list
  }

  get(module: string, name: string): TableEntry | undefined {
    return this.byKey.get(`${module}.${name}`)
  }

  /** Signatures by module, as the install-time import check wants them. */
  signatures(): Record<AbiModule, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {wasi_snapshot_preview1: {}, sphere: {}, applibs: {}}
    for (const e of this.entries) out[e.spec.module]![e.spec.name] = e.sig
    return out as Record<AbiModule, Record<string, string>>
  }
}

function memChecks(spec: Syscall, names: string[]): MemCheck[] {
  return (spec.mem ?? []).map((m) => {
    const r = /^([A-Za-z_]\w*)\[(\d+|[A-Za-z_]\w*)(?:\*(\d+))?\]([!?]?)$/.exec(m)
    const where = `${spec.module}.${spec.name}`
    if (!r) throw new Error(`syscall table: ${where}: bad memory spec ${JSON.stringify(m)}`)
    const arg = names.indexOf(r[1]!)
    if (arg < 0) throw new Error(`syscall table: ${where}: memory spec names no parameter ${r[1]}`)
    const isConst = /^\d+$/.test(r[2]!)
    const lenArg = isConst ? -1 : names.indexOf(r[2]!)
    if (!isConst && lenArg < 0) throw new Error(`syscall table: ${where}: memory spec length names no parameter ${r[2]}`)
    return {arg, bytes: isConst ? Number(r[2]) : -1, lenArg, mult: r[3] ? Number(r[3]) : 1, mode: r[4] as MemCheck['mode']}
  })
}

/** Hooks the task gives the dispatcher. */
export interface DispatchHooks {
  /** Real-time mode: called with the measured host ns of every `heavy` call. Absent in fast-forward mode. */
  measured?: (ns: number) => void
}

const bound = new WeakSet<SyscallGroup>()

/**
 * The implementations of every table entry for one process, each behind the dispatch wrapper; with `only`
 * (keys `module.name`, the app's imports), just those are wrapped (every group is still bound and checked).
 */
export function bindTable(
  table: SyscallTable,
  c: SysCtx,
  hooks: DispatchHooks = {},
  only?: ReadonlySet<string>,
): Map<string, Impl> {
  const out = new Map<string, Impl>()
  for (const group of table.groups) {
    const impls = group.bind(c)
    if (!bound.has(group)) {
      // the group's code and its entries agree exactly (checked once per group)
      const names = new Set(group.entries.map((e) => e.name))
      for (const k of Object.keys(impls))
        if (!names.has(k)) throw new Error(`syscall table: ${group.source} implements ${k}, which has no table entry`)
      for (const n of names)
        if (typeof impls[n] !== 'function') throw new Error(`syscall table: ${group.source} has no implementation of ${n}`)
      bound.add(group)
    }
    for (const spec of group.entries) {
      const e = table.get(spec.module, spec.name)!
      if (only && !only.has(e.key)) continue
      out.set(e.key, wrapEntry(e, c, impls[spec.name]!, hooks))
    }
  }
  return out
}

function wrapEntry(e: TableEntry, c: SysCtx, impl: Impl, hooks: DispatchHooks): Impl {
  const {spec, checks} = e
  const wasi = spec.module === 'wasi_snapshot_preview1'
  const efault = wasi ? Errno.EFAULT : -Errno.EFAULT
  const policy = typeof spec.policy === 'function' ? spec.policy : undefined
  const decode = spec.decode
  const f = impl as (...a: unknown[]) => number
  let run: (...a: unknown[]) => number = f
  if (checks.length > 0 || decode || policy) {
    const mem = c.mem
    run = (...a: unknown[]): number => {
      for (let i = 0; i < checks.length; i++) {
        const k = checks[i]!
        const p = a[k.arg] as number
        if (p === 0 && k.mode !== '') {
          if (k.mode === '?') continue
          return efault
        }
        const n = k.bytes >= 0 ? k.bytes : (a[k.lenArg] as number) * k.mult
        if (n < 0 || !mem.ok(p, n)) return efault
      }
      let args = a
      if (decode) {
        const d = (decode as (c: SysCtx, ...x: unknown[]) => unknown[] | number)(c, ...a)
        if (typeof d === 'number') return d
        args = d
      }
      if (policy) {
        const op = (policy as (c: SysCtx, ...x: unknown[]) => Operation | undefined)(c, ...args)
        if (op !== undefined) {
          const d = c.lsm.check(c.subject, op)
          if (!d.allowed) return wasi ? d.errno : -d.errno
        }
      }
      return f(...args)
    }
  }
  if (spec.heavy && hooks.measured) {
    const inner = run
    const measured = hooks.measured
    run = (...a: unknown[]): number => {
      const t0 = performance.now()
      try {
        return inner(...a)
      } finally {
        measured((performance.now() - t0) * 1e6)
      }
    }
  }
  return arity(run, e.arity)
}

/** A function of the declared arity (the task picks its fast wrapper by `length`). */
function arity(f: (...a: unknown[]) => number, n: number): Impl {
  if (f.length === n) return f as Impl
  switch (n) {
    case 0:
      return (() => f()) as Impl
    case 1:
      return ((a: unknown) => f(a)) as Impl
    case 2:
      return ((a: unknown, b: unknown) => f(a, b)) as Impl
    case 3:
      return ((a: unknown, b: unknown, x: unknown) => f(a, b, x)) as Impl
    case 4:
      return ((a: unknown, b: unknown, x: unknown, d: unknown) => f(a, b, x, d)) as Impl
    default: {
      // a longer list: a function whose `length` is n, passing every argument on
      const g = (...a: unknown[]): number => f(...a)
      Object.defineProperty(g, 'length', {value: n})
      return g as Impl
    }
  }
}
