import type {Operation} from '../../lsm/lsm.js'
import type {SysCtx} from '../context.js'

/**
 * The syscall table's types. Every app import is one `Syscall` entry: its module and name, its C prototype
 * (from which the wasm signature, sdk/libapplibs/internal.h and the ABI.md row are derived), the memory it
 * reads or writes (checked before anything else runs: -EFAULT), the LSM operation it needs, a one-line doc
 * and the implementation. Entries are grouped with the code that implements them (`SyscallGroup`): the
 * group's `bind(c)` returns the implementations for one process, keyed by entry name.
 */
export const ABI_MODULES = ['wasi_snapshot_preview1', 'sphere', 'applibs'] as const
export type AbiModule = (typeof ABI_MODULES)[number]

/** An implementation: raw wasm arguments (or what `decode` made of them) in, a number out. */
export type Impl = (...a: never[]) => number

/**
 * The policy of a call:
 * - a function from the (decoded) arguments to the LSM `Operation` the dispatcher checks before the call;
 *   returning `undefined` means "no decision needed for these arguments" (e.g. `kill(self, 0)` is not one),
 * - `{none: reason}`: the call touches nothing the manifest governs,
 * - `{inImpl: reason}`: the decision depends on state only the implementation knows (e.g. which address a
 *   socket is connected to); the implementation calls the LSM itself, at the point it knows.
 */
export type Policy =
  | ((c: SysCtx, ...args: never[]) => Operation | undefined)
  | {readonly none: string}
  | {readonly inImpl: string}

export interface Syscall {
  readonly module: AbiModule
  readonly name: string
  /** C return type as internal.h declares it: 'int32_t' (sphere/applibs), 'uint16_t' (a WASI errno), 'void'. */
  readonly ret: string
  /** C parameter list as internal.h declares it ('int32_t fd, const void *buf, uint32_t len'; '' for none). */
  readonly params: string
  /**
   * Memory the call touches, checked by the dispatcher before decode, policy and implementation:
   * `name[N]` (N bytes at the pointer param `name`), `name[len]` (as many as param `len`), `name[count*16]`;
   * a trailing `!` also refuses NULL, a trailing `?` means NULL is "absent" (not checked).
   */
  readonly mem?: readonly string[]
  /** Turn raw args into what policy and implementation take (e.g. read a string); a number is an errno result. */
  readonly decode?: (c: SysCtx, ...args: never[]) => unknown[] | number
  readonly policy: Policy
  /** What the result means, for the ABI.md signature column ('fd', '0', 'n', 'len' ...). */
  readonly returns?: string
  /** One line for ABI.md. */
  readonly doc: string
  /**
   * The call's host work grows with its arguments (bytes moved, subscriptions scanned): the dispatcher
   * measures its host time in real-time mode and the implementation charges its modelled cost
   * (`SysCtx.charge`) in fast-forward mode, so preemption sees it. The text says what scales.
   */
  readonly heavy?: string
}

export interface SyscallGroup {
  /** Where the implementations live (for the docs). */
  readonly source: string
  readonly entries: readonly Syscall[]
  /** The implementations for one process, keyed by entry name (exactly the entries' names). */
  bind(c: SysCtx): Record<string, Impl>
}

/** A wasm value type letter: i (i32), I (i64), f (f32), F (f64). */
export function wasmTypeOfC(ctype: string): string {
  const t = ctype.replace(/\b(const|volatile)\b/g, '').trim()
  if (t.includes('*')) return 'i'
  if (/^(u?int64_t|long long|unsigned long long)$/.test(t)) return 'I'
  if (t === 'float') return 'f'
  if (t === 'double') return 'F'
  if (/^(u?int(8|16|32)_t|int|unsigned|uint|size_t|char|bool)$/.test(t)) return 'i'
  throw new Error(`syscall table: no wasm type for C type ${JSON.stringify(ctype)}`)
}

export interface CParam {
  ctype: string
  name: string
}

/** Split a C parameter list into types and names. */
export function parseParams(params: string): CParam[] {
  if (params.trim() === '' || params.trim() === 'void') return []
  return params.split(',').map((p) => {
    const m = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(p.trim())
    if (!m || m[1]!.trim() === '') throw new Error(`syscall table: bad C parameter ${JSON.stringify(p)}`)
    return {ctype: m[1]!.trim(), name: m[2]!}
  })
}

/** The wasm signature of an entry ('iiii->i'). */
export function signatureOf(s: Pick<Syscall, 'ret' | 'params'>): string {
  const ps = parseParams(s.params)
    .map((p) => wasmTypeOfC(p.ctype))
    .join('')
  return `${ps}->${s.ret === 'void' ? '' : wasmTypeOfC(s.ret)}`
}

type EntryOpts = Omit<Syscall, 'module' | 'name' | 'params' | 'ret'> & {ret?: string}

/** An entry; `ret` defaults to the module's convention (a WASI errno, or an i32 result / -errno). */
export function syscall(module: AbiModule, name: string, params: string, o: EntryOpts): Syscall {
  return {module, name, params, ret: o.ret ?? (module === 'wasi_snapshot_preview1' ? 'uint16_t' : 'int32_t'), ...o}
}
