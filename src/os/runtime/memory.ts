import {type WasmMemory} from './wasm-api.js'
/** Bounds-checked access to an app's linear memory. The kernel never trusts a pointer or a length. */
export class AppMemory {
  private u8 = new Uint8Array(0)
  private dv = new DataView(new ArrayBuffer(0))
  private memory: WasmMemory = {buffer: new ArrayBuffer(0), grow: () => -1}

  /** The memory exists only once the instance does: syscalls are bound first, then attached. */
  attach(memory: WasmMemory): void {
    this.memory = memory
    this.u8 = new Uint8Array(memory.buffer)
    this.dv = new DataView(memory.buffer)
  }

  /**
   * Current bytes. memory.grow (by the app or the kernel) detaches the old buffer, whose views then have length
   * 0: only then are the views made again (reading `memory.buffer` on every access was a measurable share of a
   * syscall's cost).
   */
  bytes(): Uint8Array {
    if (this.u8.length === 0) {
      this.u8 = new Uint8Array(this.memory.buffer)
      this.dv = new DataView(this.memory.buffer)
    }
    return this.u8
  }

  view(): DataView {
    if (this.u8.length === 0) this.bytes()
    return this.dv
  }

  get size(): number {
    return this.bytes().length
  }

  /**
   * Is [ptr, ptr+len) inside memory? Both come from the app as i32 and are taken as unsigned. A length the
   * kernel computed (count * element size) can exceed 2^32: it is never wrapped (`>>> 0` would turn
   * 0x100000010 into 16 and pass a range the call then writes far beyond).
   */
  ok(ptr: number, len: number): boolean {
    const p = ptr >>> 0
    const l = len < 0 ? len >>> 0 : len
    return Number.isFinite(l) && p + l <= this.bytes().length
  }

  u32(ptr: number): number {
    return this.view().getUint32(ptr >>> 0, true)
  }
  setU32(ptr: number, v: number): void {
    this.view().setUint32(ptr >>> 0, v >>> 0, true)
  }
  setU16(ptr: number, v: number): void {
    this.view().setUint16(ptr >>> 0, v, true)
  }
  setU8(ptr: number, v: number): void {
    this.bytes()[ptr >>> 0] = v
  }
  i64(ptr: number): bigint {
    return this.view().getBigInt64(ptr >>> 0, true)
  }
  u64(ptr: number): bigint {
    return this.view().getBigUint64(ptr >>> 0, true)
  }
  setU64(ptr: number, v: bigint | number): void {
    // setBigUint64 takes the value modulo 2^64 itself
    this.view().setBigUint64(ptr >>> 0, typeof v === 'bigint' ? v : BigInt(v), true)
  }
  /** Copy out (the caller checked bounds). */
  read(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0
    return this.bytes().slice(p, p + (len >>> 0))
  }
  write(ptr: number, data: Uint8Array): void {
    this.bytes().set(data, ptr >>> 0)
  }
}
