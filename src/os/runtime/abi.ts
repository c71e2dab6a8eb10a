import {SYSCALLS} from './syscalls/table.js'
import {ABI_MODULES, type AbiModule} from './syscalls/types.js'

/**
 * The app ABI (sdk/ABI.md) as data, derived from the syscall table (src/os/runtime/syscalls): the import
 * modules an app may use and the exact wasm signature of every import. An import of one of these modules
 * that the table lacks is still linked (an ENOSYS stub).
 */
export {ABI_MODULES, type AbiModule}

export const ABI_SIGNATURES: Record<AbiModule, Record<string, string>> = SYSCALLS.signatures()

/** Encode a wasm function type as a signature string ('ii->i'). */
export function sigOf(params: readonly number[], results: readonly number[]): string {
  const c = (t: number): string => (t === 0x7f ? 'i' : t === 0x7e ? 'I' : t === 0x7d ? 'f' : t === 0x7c ? 'F' : '?')
  return `${params.map(c).join('')}->${results.map(c).join('')}`
}

export function isAbiModule(m: string): m is AbiModule {
  return (ABI_MODULES as readonly string[]).includes(m)
}
