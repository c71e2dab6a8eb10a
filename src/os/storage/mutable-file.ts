import {Errno} from '../kernel/errno.js'
import type {FileBacking} from '../kernel/objects.js'
import type {StateStore} from './state-store.js'

/**
 * An app's mutable storage file, shared by all fds the app opens on it. Every write is persisted
 * atomically before write() returns; writes at or past the quota fail with ENOSPC (a write crossing
 * the quota is cut short, as Linux does when a file system fills up).
 */
export class MutableFile implements FileBacking {
  readonly readOnly = false
  private data: Uint8Array
  private len: number

  constructor(
    private readonly store: StateStore,
    readonly componentId: string,
    readonly quotaBytes: number,
  ) {
    const cur = store.readMutable(componentId) ?? new Uint8Array(0)
    this.data = new Uint8Array(Math.max(cur.length, 256))
    this.data.set(cur)
    this.len = cur.length
    if (!store.readMutable(componentId)) store.writeMutable(componentId, new Uint8Array(0))
  }

  get name(): string {
    return `mutable storage of ${this.componentId}`
  }

  size(): number {
    return this.len
  }

  read(offset: number, len: number): Uint8Array {
    if (offset >= this.len) return new Uint8Array(0)
    return this.data.slice(offset, Math.min(this.len, offset + len))
  }

  write(offset: number, bytes: Uint8Array): number {
    if (bytes.length === 0) return 0
    if (offset >= this.quotaBytes) return -Errno.ENOSPC
    const n = Math.min(bytes.length, this.quotaBytes - offset)
    const end = offset + n
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.min(this.quotaBytes, Math.max(end, this.data.length * 2)))
      grown.set(this.data.subarray(0, this.len))
      this.data = grown
    }
    this.data.set(bytes.subarray(0, n), offset)
    const newLen = Math.max(this.len, end)
    try {
      this.store.writeMutable(this.componentId, this.data.subarray(0, newLen))
    } catch {
      return -Errno.EIO
    }
    this.len = newLen
    return n
  }
}

/** A read-only file from the app's image package. */
export class PackageFile implements FileBacking {
  readonly readOnly = true
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {}
  size(): number {
    return this.bytes.length
  }
  read(offset: number, len: number): Uint8Array {
    return this.bytes.slice(offset, offset + len)
  }
  write(): number {
    return -Errno.EBADF
  }
}
