/**
 * The WebAssembly address-space cap of one process (docs/fleet-scale.md): with V8's trap handler each memory
 * reserves ~10 GiB of virtual address space, which caps a process near 12,700 running apps; node's
 * --disable-wasm-trap-handler (bounds checks instead) lifts it. A utility (no OS code) so that the device link,
 * the fleet shards and the OS's DevicePool all ask the same thing.
 */
import {readFileSync} from 'node:fs'
import {SphereError} from './errors.js'

const Wasm = (globalThis as unknown as {WebAssembly: {Memory: new (d: {initial: number; maximum: number}) => object}})
  .WebAssembly

/** The node flag that trades the trap handler's guard regions for bounds checks (node >= 20.15 / 22.2). */
export const NO_TRAP_HANDLER_FLAG = '--disable-wasm-trap-handler'

/** How much address space one WebAssembly memory takes, and how many the process can hold. */
export interface WasmAddressSpace {
  /** Virtual bytes one small memory reserves (10 GiB with V8's trap handler, its declared size without). */
  reservationBytes: number
  /** True when out-of-bounds accesses are caught by guard regions (node without --disable-wasm-trap-handler). */
  trapHandler: boolean
  /** Memories (running apps) that still fit in the process's address space (47-bit user space). */
  remainingMemories: number
  /** How the figures were found: the process's VmSize around a probe memory, or the node flags alone. */
  measuredBy: 'vmsize' | 'flags'
}

/** x86-64 / arm64 Linux user space (47 bits), less 4 TiB of headroom for what else the process maps later
 * (measured, node 20.20 on x86-64: the 13,088th 10 GiB memory of a bare process fails at 127.8 TiB of VmSize). */
const USER_SPACE_BYTES = 2 ** 47 - 4 * 2 ** 40
const GIB = 2 ** 30
const TRAP_HANDLER_RESERVATION = 10 * GIB

function vmSizeBytes(): number | undefined {
  try {
    const m = /VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

function trapHandlerFlagOff(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return flags.includes(NO_TRAP_HANDLER_FLAG)
}

let probed: {reservationBytes: number; measuredBy: 'vmsize' | 'flags'} | undefined

/**
 * The address-space cost of an app's memory in this process. Measured once: VmSize before and after one
 * 64 KiB probe memory (Linux); elsewhere taken from the node flags.
 */
export function wasmAddressSpace(): WasmAddressSpace {
  if (!probed) {
    const before = vmSizeBytes()
    const probe = new Wasm.Memory({
      initial: 1,
      maximum: 1,
    })
    const after = vmSizeBytes()
    void probe
    probed =
      before !== undefined && after !== undefined && after > before
        ? {reservationBytes: after - before, measuredBy: 'vmsize'}
        : {reservationBytes: trapHandlerFlagOff() ? 65536 : TRAP_HANDLER_RESERVATION, measuredBy: 'flags'}
  }
  const used = vmSizeBytes() ?? 0
  return {
    reservationBytes: probed.reservationBytes,
    trapHandler: probed.reservationBytes >= GIB,
    remainingMemories: Math.max(0, Math.floor((USER_SPACE_BYTES - used) / probed.reservationBytes)),
    measuredBy: probed.measuredBy,
  }
}

/** Whether this node takes NO_TRAP_HANDLER_FLAG (on its command line and in NODE_OPTIONS). */
export function noTrapHandlerFlagSupported(): boolean {
  return process.allowedNodeEnvironmentFlags.has(NO_TRAP_HANDLER_FLAG)
}

/**
 * The memories a node process like this one holds with the trap handler on (node's defaults), whatever flags
 * this process runs with: what a child process spawned with node's defaults has room for.
 */
export function trapHandlerRoom(): number {
  const used = vmSizeBytes() ?? 0
  return Math.max(0, Math.floor((USER_SPACE_BYTES - used) / TRAP_HANDLER_RESERVATION))
}

/**
 * Refuse up front (SphereError FLEET_ADDRESS_SPACE) `count` devices whose running apps (`appsPerDevice`, default 1)
 * would not fit this process's address space, in one line naming the count, the room and the fix. `subject`
 * names the devices (default "N devices"); `otherFix` is offered beside the node flag.
 */
export function checkWasmRoom(
  count: number,
  opts: {appsPerDevice?: number; subject?: string; otherFix?: string} = {},
): void {
  const need = count * (opts.appsPerDevice ?? 1)
  const as = wasmAddressSpace()
  if (need <= as.remainingMemories) return
  throw new SphereError(
    'FLEET_ADDRESS_SPACE',
    `${opts.subject ?? `${count} devices`} need ${need} WebAssembly memories but this process has address space for ${as.remainingMemories} (each reserves ${(as.reservationBytes / GIB).toFixed(1)} GiB); run node with ${NO_TRAP_HANDLER_FLAG}${opts.otherFix ? ` or ${opts.otherFix}` : ''}`,
  )
}
