import {afterAll, describe, expect, test} from '@jest/globals'
import {StateStore} from '../../../src/os/storage/state-store.js'
import {MutableStorage} from '../../../src/os/storage/mutable-file.js'
import {FdTable, FileObject} from '../../../src/os/kernel/objects.js'
import {Errno} from '../../../src/os/kernel/errno.js'
import {tempDir} from '../helpers.js'

const CID = '00000000-0000-0000-0000-0000000000a1'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b)

const dirs: (() => void)[] = []
afterAll(() => dirs.forEach((c) => c()))

function setup(quota = 1024): {store: StateStore; vol: MutableStorage; fds: FdTable; open: () => number} {
  const t = tempDir()
  dirs.push(t.cleanup)
  const store = StateStore.open(t.dir)
  const vol = new MutableStorage(store, CID, quota)
  const fds = new FdTable()
  return {store, vol, fds, open: () => fds.add(new FileObject(vol.open()))}
}

function file(fds: FdTable, fd: number): FileObject {
  const o = fds.get(fd)
  if (!(o instanceof FileObject)) throw new Error(`fd ${fd} is not a file`)
  return o
}

/** write(2) at the fd's offset, as fd_write does. */
function write(fds: FdTable, fd: number, s: string): number {
  const f = file(fds, fd)
  const n = f.backing.write(f.offset, enc(s))
  if (n > 0) f.offset += n
  return n
}

function readAll(fds: FdTable, fd: number): string {
  return dec(file(fds, fd).backing.read(0, 1 << 20))!
}

describe('mutable storage: unlink while open', () => {
  test('a write through an fd of a deleted file never reaches flash and is invisible to a new open', () => {
    const {store, vol, fds, open} = setup()
    const old = open()
    expect(write(fds, old, 'secret')).toBe(6)
    expect(dec(store.readMutable(CID))).toBe('secret')
    expect(vol.delete()).toBe(0)
    expect(store.readMutable(CID)).toBeUndefined()
    // the unlinked file lives on for its fd
    expect(write(fds, old, '-more')).toBe(5)
    expect(readAll(fds, old)).toBe('secret-more')
    expect(store.readMutable(CID)).toBeUndefined()
    // a new open creates a new, empty file
    const fresh = open()
    expect(readAll(fds, fresh)).toBe('')
    expect(dec(store.readMutable(CID))).toBe('')
  })

  test('an acknowledged write to the new file is on flash whatever the old fd writes afterwards', () => {
    const {store, vol, fds, open} = setup()
    const old = open()
    write(fds, old, 'aaaa')
    vol.delete()
    const fresh = open()
    expect(write(fds, fresh, 'new')).toBe(3)
    expect(write(fds, old, 'bbbb')).toBe(4)
    expect(dec(store.readMutable(CID))).toBe('new')
    expect(readAll(fds, fresh)).toBe('new')
    // after a reboot (a new storage object over the same flash) the app reads what it was told is written
    const again = new MutableStorage(store, CID, 1024).open()
    expect(dec(again.read(0, 100))).toBe('new')
  })

  test('delete with nothing there is ENOENT; a second delete too', () => {
    const {vol, fds, open} = setup()
    expect(vol.delete()).toBe(-Errno.ENOENT)
    open()
    expect(vol.delete()).toBe(0)
    expect(vol.delete()).toBe(-Errno.ENOENT)
    expect(fds.size).toBe(4)
  })

  test('an unlinked file holds its space until its last fd closes, then it is freed', () => {
    const {vol, fds, open} = setup(100)
    const old = open()
    expect(write(fds, old, 'x'.repeat(80))).toBe(80)
    const dup = fds.add(file(fds, old)) // a second fd on the same open file (dup)
    vol.delete()
    expect(vol.unlinkedOpen).toBe(1)
    const fresh = open()
    // 80 B are still held by the unlinked file: only 20 B are free
    expect(write(fds, fresh, 'y'.repeat(50))).toBe(20)
    expect(write(fds, fresh, 'y')).toBe(-Errno.ENOSPC)
    fds.remove(old)
    expect(vol.unlinkedOpen).toBe(1) // dup still holds it
    fds.remove(dup)
    expect(vol.unlinkedOpen).toBe(0)
    expect(vol.usedBytes()).toBe(20)
    expect(write(fds, fresh, 'y'.repeat(100))).toBe(80)
  })

  test('closing the last fd of a deleted file that nobody reopened leaves nothing behind', () => {
    const {store, vol, fds, open} = setup()
    const fd = open()
    write(fds, fd, 'abc')
    vol.delete()
    fds.closeAll()
    expect(vol.unlinkedOpen).toBe(0)
    expect(vol.usedBytes()).toBe(0)
    expect(store.readMutable(CID)).toBeUndefined()
  })
})

describe('mutable storage: shared and concurrent fds', () => {
  test('two fds opened on the file see each other’s writes, each with its own offset', () => {
    const {store, fds, open} = setup()
    const a = open()
    const b = open()
    expect(file(fds, a).backing).toBe(file(fds, b).backing)
    write(fds, a, 'hello')
    expect(readAll(fds, b)).toBe('hello')
    write(fds, b, 'HE') // b is at offset 0: overwrites
    expect(readAll(fds, a)).toBe('HEllo')
    expect(dec(store.readMutable(CID))).toBe('HEllo')
  })

  test('a write past the end leaves a hole of zeros, as on Linux', () => {
    const {store, fds, open} = setup()
    const a = open()
    file(fds, a).offset = 4
    write(fds, a, 'z')
    expect(Array.from(store.readMutable(CID)!)).toEqual([0, 0, 0, 0, 0x7a])
  })
})

describe('mutable storage: truncate', () => {
  test('shrinking drops the tail on flash; extending reads zeros; both past the quota are ENOSPC', () => {
    const {store, vol, fds, open} = setup(16)
    const a = open()
    write(fds, a, 'abcdefgh')
    const f = vol.open()
    expect(f.truncate(3)).toBe(0)
    expect(dec(store.readMutable(CID))).toBe('abc')
    expect(f.truncate(6)).toBe(0)
    expect(Array.from(store.readMutable(CID)!)).toEqual([0x61, 0x62, 0x63, 0, 0, 0])
    expect(f.truncate(17)).toBe(-Errno.ENOSPC)
    expect(f.truncate(-1)).toBe(-Errno.EINVAL)
    expect(f.size()).toBe(6)
  })

  test('truncating a deleted file does not touch flash', () => {
    const {store, vol, fds, open} = setup()
    const a = open()
    write(fds, a, 'abc')
    const f = vol.open()
    vol.delete()
    const fresh = open()
    write(fds, fresh, 'new')
    expect(f.truncate(0)).toBe(0)
    expect(dec(store.readMutable(CID))).toBe('new')
  })
})

describe('mutable storage: flash failures', () => {
  test('a write flash refuses (EIO) changes neither what the app reads nor flash', () => {
    const {store, fds, open} = setup()
    const a = open()
    write(fds, a, 'keep')
    const real = store.writeMutable.bind(store)
    store.writeMutable = () => {
      throw new Error('flash worn out')
    }
    file(fds, a).offset = 0
    expect(write(fds, a, 'XXXXXXXX')).toBe(-Errno.EIO)
    expect(readAll(fds, a)).toBe('keep')
    store.writeMutable = real
    expect(dec(store.readMutable(CID))).toBe('keep')
  })
})
