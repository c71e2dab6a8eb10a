import {Errno} from '../kernel/errno.js'
import type {FileBacking} from '../kernel/objects.js'
import type {StateStore} from './state-store.js'

/**
 * One app's mutable storage, with the semantics of a Linux file system holding one file:
 * - the file at its name is on flash: every write is persisted atomically before write() returns, and what
 *   an fd reads is always what flash holds;
 * - `delete()` unlinks the name; a file deleted while fds are open lives on for those fds only (in RAM, never
 *   written to flash again, invisible to later opens, which create a new empty file) and is freed at its
 *   last close, as an unlinked inode is;
 * - space is shared: an unlinked file still open counts against the quota until its last close (as its
 *   blocks do on Linux), so delete-and-reopen cannot multiply the space an app holds.
 * Writes at or past the free space fail with ENOSPC; a write crossing it is cut short.
 */
export class MutableStorage {
  private linked?: MutableFile
  /** Files deleted while open: freed when their last fd closes. */
  private readonly unlinked = new Set<MutableFile>()

  constructor(
    private readonly store: StateStore,
    readonly componentId: string,
    readonly quotaBytes: number,
  ) {}

  /** Open (creating it empty when absent) the file at the storage's name. */
  open(): MutableFile {
    if (this.linked) return this.linked
    const cur = this.store.readMutable(this.componentId)
    if (!cur) this.store.writeMutable(this.componentId, new Uint8Array(0))
    this.linked = new MutableFile(this, cur ?? new Uint8Array(0))
    return this.linked
  }

  /** Unlink the file: 0, or -ENOENT when there is none. Open fds keep the unlinked file. */
  delete(): number {
    const f = this.linked
    this.linked = undefined
    if (f) {
      f.linked = false
      if (f.opens > 0) this.unlinked.add(f)
    }
    let existed: boolean
    try {
      existed = this.store.deleteMutable(this.componentId)
    } catch {
      return -Errno.EIO
    }
    return existed || f ? 0 : -Errno.ENOENT
  }

  /** Bytes held: the file at the name plus unlinked files still open. */
  usedBytes(): number {
    let n = this.linked?.size() ?? 0
    for (const f of this.unlinked) n += f.size()
    return n
  }

  /** Number of unlinked files kept alive by open fds. */
  get unlinkedOpen(): number {
    return this.unlinked.size
  }

  /** @internal the bytes `f` may hold: the quota less what the other files hold. */
  spaceFor(f: MutableFile): number {
    return this.quotaBytes - (this.usedBytes() - f.size())
  }

  /** @internal persist `f`'s content when it is the file at the name. */
  persist(f: MutableFile, data: Uint8Array): void {
    if (f.linked && this.linked === f) this.store.writeMutable(this.componentId, data)
  }

  /** @internal the last fd on `f` closed. */
  closed(f: MutableFile): void {
    if (!f.linked) this.unlinked.delete(f)
  }
}

/** One file (an inode) of an app's mutable storage; every fd the app opens on it shares it. */
export class MutableFile implements FileBacking {
  readonly readOnly = false
  /** Is this the file at the storage's name (on flash)? False once deleted. */
  linked = true
  /** Open fds on this file. */
  opens = 0
  private data: Uint8Array
  private len: number

  constructor(
    private readonly volume: MutableStorage,
    initial: Uint8Array,
  ) {
    this.data = new Uint8Array(Math.max(initial.length, 256))
    this.data.set(initial)
    this.len = initial.length
  }

  get name(): string {
    return `mutable storage of ${this.volume.componentId}${this.linked ? '' : ' (deleted)'}`
  }

  get quotaBytes(): number {
    return this.volume.quotaBytes
  }

  size(): number {
    return this.len
  }

  retain(): void {
    this.opens++
  }

  release(): void {
    if (--this.opens <= 0) {
      this.opens = 0
      this.volume.closed(this)
    }
  }

  read(offset: number, len: number): Uint8Array {
    if (offset >= this.len) return new Uint8Array(0)
    return this.data.slice(offset, Math.min(this.len, offset + len))
  }

  write(offset: number, bytes: Uint8Array): number {
    if (bytes.length === 0) return 0
    const space = this.volume.spaceFor(this)
    if (offset >= space) return -Errno.ENOSPC
    const n = Math.min(bytes.length, space - offset)
    const end = offset + n
    const newLen = Math.max(this.len, end)
    const r = this.commit(newLen, (buf) => buf.set(bytes.subarray(0, n), offset))
    return r < 0 ? r : n
  }

  /** ftruncate: shrink (the tail is gone) or extend with zeros. 0 or a negative errno. */
  truncate(size: number): number {
    if (!Number.isInteger(size) || size < 0) return -Errno.EINVAL
    if (size === this.len) return 0
    if (size > this.volume.spaceFor(this)) return -Errno.ENOSPC
    return this.commit(size, (buf) => {
      if (size > this.len) buf.fill(0, this.len, size)
    })
  }

  /**
   * Apply a change to a copy, persist it (when linked), then make it the content: a failed flash write
   * (EIO) leaves both RAM and flash as they were, so a read never returns what flash does not hold.
   */
  private commit(newLen: number, change: (buf: Uint8Array) => void): number {
    const next = new Uint8Array(Math.max(256, this.data.length, newLen))
    next.set(this.data.subarray(0, Math.min(this.len, newLen)))
    change(next)
    try {
      this.volume.persist(this, next.subarray(0, newLen))
    } catch {
      return -Errno.EIO
    }
    this.data = next
    this.len = newLen
    return 0
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
