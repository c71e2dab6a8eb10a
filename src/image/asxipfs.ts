/**
 * ASXipFS: the read-only, execute-in-place file system at the start of every application image
 * package. A cramfs variant: cramfs superblock and 12-byte inodes, directories sorted by name, but no
 * compression and no block table: each regular file's bytes are stored raw at a 4096-byte-aligned
 * offset, and regular files carry the sticky bit (the kernel's mark for XIP files).
 */
import {LeReader, alignUp, crc32, decodeUtf8, encodeUtf8, fail, hex, printable} from './binary.js'
export {printable}

export const ASXIPFS_MAGIC = 0x28cd3d45
export const ASXIPFS_SIGNATURE = 'Compressed ROMFS'
export const ASXIPFS_DEFAULT_NAME = 'Compressed'
export const ASXIPFS_PAGE = 4096
/** Superblock (64 bytes) + root inode (12 bytes). */
export const ASXIPFS_SUPER_SIZE = 76

export const FLAG_FSID_VERSION_2 = 0x1
export const FLAG_SORTED_DIRS = 0x2
export const FLAG_HOLES = 0x100
export const FLAG_WRONG_SIGNATURE = 0x200
export const FLAG_SHIFTED_ROOT_OFFSET = 0x400
export const FLAG_EXT_BLOCK_POINTERS = 0x800
const SUPPORTED_FLAGS = 0xff | FLAG_WRONG_SIGNATURE | FLAG_SHIFTED_ROOT_OFFSET | FLAG_EXT_BLOCK_POINTERS

export const S_IFMT = 0o170000
export const S_IFDIR = 0o040000
export const S_IFREG = 0o100000
export const S_IFLNK = 0o120000
export const S_ISVTX = 0o001000
/** Modes the SDK writes: directories 0755, files 0644 or 0755, files with the sticky (XIP) bit. */
export const MODE_DIR = S_IFDIR | 0o755
export const MODE_FILE = S_IFREG | S_ISVTX | 0o644
export const MODE_EXEC = S_IFREG | S_ISVTX | 0o755

/** Largest name an inode can hold (6-bit length in 4-byte units). */
export const MAX_NAME_BYTES = 252
/** Largest regular file (24-bit size field). */
export const MAX_FILE_SIZE = 0xffffff
/** Hard caps that bound a reader's work on hostile input. */
export const MAX_ENTRIES = 65536
export const MAX_PATH_CHARS = 4096

export interface AsxipfsSuperblock {
  magic: number
  size: number
  flags: number
  future: number
  signature: string
  crc: number
  edition: number
  blocks: number
  files: number
  name: string
}

export interface AsxipfsEntry {
  /** Package-relative path, '/'-separated, no leading slash ('' is the root). */
  path: string
  type: 'dir' | 'file'
  mode: number
  uid: number
  gid: number
  /** File length, or the byte length of a directory's entry table. */
  size: number
  /** Byte offset of the file data or of the directory's first entry (0 when empty). */
  offset: number
  /** Byte offset of this entry's inode. */
  inodeOffset: number
}

export interface Asxipfs {
  superblock: AsxipfsSuperblock
  /** Every inode in on-disk order, the root first. */
  entries: AsxipfsEntry[]
  /** Regular files by path, copies of their bytes. */
  files: Map<string, Uint8Array>
}

/** Checks one path component; returns it or throws IMAGE_BAD_NAME naming the problem. */
export function checkName(name: string, where: string): string {
  if (name.length === 0) fail('IMAGE_BAD_NAME', `${where}: empty file name`)
  if (name === '.' || name === '..') fail('IMAGE_BAD_NAME', `${where}: file name "${name}" is not allowed`)
  if (name.includes('/')) fail('IMAGE_BAD_NAME', `${where}: file name "${printable(name)}" contains '/'`)
  if (name.includes('\\')) fail('IMAGE_BAD_NAME', `${where}: file name "${printable(name)}" contains '\\'`)

  if (/[\u0000-\u001f\u007f]/.test(name))
    fail('IMAGE_BAD_NAME', `${where}: file name "${printable(name)}" contains a control character`)
  if (encodeUtf8(name).length > MAX_NAME_BYTES)
    fail('IMAGE_BAD_NAME', `${where}: file name is longer than ${MAX_NAME_BYTES} bytes`)
  return name
}

/** Splits and checks a package-relative path ('bin/app', '/bin/app'); rejects '..', '.', '//' and '\'. */
export function splitPackagePath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) fail('IMAGE_BAD_NAME', 'empty path in package')
  if (path.length > MAX_PATH_CHARS) fail('IMAGE_BAD_NAME', `path longer than ${MAX_PATH_CHARS} characters`)
  const p = path.startsWith('/') ? path.slice(1) : path
  const parts = p.split('/')
  for (const part of parts) {
    if (part === '..') fail('IMAGE_BAD_NAME', `path "${printable(path)}" contains '..'`)
    if (part === '' || part === '.') fail('IMAGE_BAD_NAME', `path "${printable(path)}" has an empty or '.' component`)
    checkName(part, `path "${printable(path)}"`)
  }
  return parts
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

interface DirNode {
  kind: 'dir'
  name: string
  nameBytes: Uint8Array
  children: Map<string, Node>
  inodeOffset: number
  entriesOffset: number
  tableSize: number
}
interface FileNode {
  kind: 'file'
  name: string
  nameBytes: Uint8Array
  data: Uint8Array
  mode: number
  inodeOffset: number
  dataOffset: number
}
type Node = DirNode | FileNode

function sortedChildren(d: DirNode): Node[] {
  return [...d.children.values()].sort((a, b) => compareBytes(a.nameBytes, b.nameBytes))
}

export interface WriteAsxipfsOptions {
  /** Paths to mark executable (mode 0755); others get 0644. */
  executables?: Iterable<string>
  /** Empty directories to create as well. */
  directories?: Iterable<string>
}

/**
 * Builds an ASXipFS image from package-relative paths. Layout (as the SDK's packages have it):
 * superblock + root inode, then each directory's sorted entry table (a directory's table, then its
 * subdirectories' tables, depth first as mkcramfs does), zero padding to 4096, then each non-empty
 * file's data at a 4096-aligned offset in the same depth-first, name-sorted order, zero padded; the
 * total size is a multiple of 4096 and fsid.crc is the zlib CRC-32 of the image with that field zero.
 */
export function writeAsxipfs(
  files: Map<string, Uint8Array> | Record<string, Uint8Array>,
  opts: WriteAsxipfsOptions = {},
): Uint8Array {
  const root: DirNode = {
    kind: 'dir',
    name: '',
    nameBytes: new Uint8Array(),
    children: new Map(),
    inodeOffset: 64,
    entriesOffset: 0,
    tableSize: 0,
  }
  const exec = new Set<string>()
  for (const e of opts.executables ?? []) exec.add(splitPackagePath(e).join('/'))
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files)
  let count = 1
  const mkdirs = (parts: string[], full: string): DirNode => {
    let d = root
    for (const part of parts) {
      let n = d.children.get(part)
      if (!n) {
        n = {
          kind: 'dir',
          name: part,
          nameBytes: encodeUtf8(part),
          children: new Map(),
          inodeOffset: 0,
          entriesOffset: 0,
          tableSize: 0,
        }
        d.children.set(part, n)
        count++
      } else if (n.kind !== 'dir') {
        fail('IMAGE_BAD_NAME', `path "${printable(full)}" uses the file "${printable(part)}" as a directory`)
      }
      d = n
    }
    return d
  }
  for (const dir of opts.directories ?? []) mkdirs(splitPackagePath(dir), dir)
  for (const [path, data] of entries) {
    if (!(data instanceof Uint8Array)) fail('IMAGE_BAD_INPUT', `file "${printable(path)}" has no byte content`)
    const parts = splitPackagePath(path)
    const name = parts.pop() as string
    const d = mkdirs(parts, path)
    if (d.children.has(name)) fail('IMAGE_BAD_NAME', `path "${printable(path)}" is given twice or is also a directory`)
    if (data.length > MAX_FILE_SIZE)
      fail('IMAGE_TOO_LARGE', `file "${printable(path)}" is ${data.length} bytes; the limit is ${MAX_FILE_SIZE}`)
    const key = [...parts, name].join('/')
    d.children.set(name, {
      kind: 'file',
      name,
      nameBytes: encodeUtf8(name),
      data,
      mode: exec.has(key) ? MODE_EXEC : MODE_FILE,
      inodeOffset: 0,
      dataOffset: 0,
    })
    count++
  }
  if (count > MAX_ENTRIES) fail('IMAGE_TOO_LARGE', `${count} inodes; the limit is ${MAX_ENTRIES}`)

  // Directory tables, mkcramfs order: a table, then its subdirectories' tables (stack, first child first).
  let pos = ASXIPFS_SUPER_SIZE
  const stack: DirNode[] = []
  let dir: DirNode | undefined = root
  while (dir) {
    const kids = sortedChildren(dir)
    if (kids.length > 0) dir.entriesOffset = pos
    const start = pos
    for (const k of kids) {
      k.inodeOffset = pos
      pos += 12 + alignUp(k.nameBytes.length, 4)
    }
    dir.tableSize = pos - start
    const subdirs = kids.filter((k): k is DirNode => k.kind === 'dir' && k.children.size > 0)
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as DirNode)
    dir = stack.pop()
  }
  // File data: depth first in name order, each file page-aligned.
  let dataPos = alignUp(pos, ASXIPFS_PAGE)
  const placeData = (d: DirNode): void => {
    for (const k of sortedChildren(d)) {
      if (k.kind === 'dir') placeData(k)
      else if (k.data.length > 0) {
        k.dataOffset = dataPos
        dataPos = alignUp(dataPos + k.data.length, ASXIPFS_PAGE)
      }
    }
  }
  placeData(root)
  const size = Math.max(alignUp(dataPos, ASXIPFS_PAGE), ASXIPFS_PAGE)
  if (size / 4 >= 2 ** 26) fail('IMAGE_TOO_LARGE', `file system of ${size} bytes exceeds the 256 MiB offset range`)

  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  const putInode = (at: number, mode: number, sz: number, nameBytes: Uint8Array, offset: number): void => {
    view.setUint32(at, mode & 0xffff, true) // uid 0
    view.setUint32(at + 4, sz & 0xffffff, true) // gid 0
    const nameLen = alignUp(nameBytes.length, 4)
    view.setUint32(at + 8, ((nameLen / 4) & 0x3f) | ((offset / 4) << 6), true)
    out.set(nameBytes, at + 12)
  }
  // superblock
  view.setUint32(0, ASXIPFS_MAGIC, true)
  view.setUint32(4, size, true)
  view.setUint32(8, FLAG_FSID_VERSION_2 | FLAG_SORTED_DIRS, true)
  view.setUint32(12, 0, true)
  out.set(encodeUtf8(ASXIPFS_SIGNATURE), 16)
  // 0x20 crc (patched below), 0x24 edition 0, 0x28 blocks 0
  view.setUint32(0x2c, count, true)
  out.set(encodeUtf8(ASXIPFS_DEFAULT_NAME), 0x30)
  putInode(64, MODE_DIR, root.tableSize, new Uint8Array(), root.entriesOffset)
  const writeDir = (d: DirNode): void => {
    for (const k of d.children.values()) {
      if (k.kind === 'dir') {
        putInode(k.inodeOffset, MODE_DIR, k.tableSize, k.nameBytes, k.entriesOffset)
        writeDir(k)
      } else {
        putInode(k.inodeOffset, k.mode, k.data.length, k.nameBytes, k.dataOffset)
        out.set(k.data, k.dataOffset)
      }
    }
  }
  writeDir(root)
  view.setUint32(0x20, crc32(out), true)
  return out
}

function readSuperblock(r: LeReader): AsxipfsSuperblock {
  if (r.length < ASXIPFS_SUPER_SIZE)
    fail('IMAGE_TRUNCATED', `ASXipFS: ${r.length} bytes is shorter than the ${ASXIPFS_SUPER_SIZE}-byte superblock`)
  const magic = r.u32(0, 'magic')
  if (magic !== ASXIPFS_MAGIC) {
    if (magic === 0x453dcd28) fail('IMAGE_BAD_MAGIC', 'ASXipFS: big-endian cramfs images are not supported')
    fail(
      'IMAGE_BAD_MAGIC',
      `ASXipFS: bad magic 0x${hex(magic).padStart(8, '0')} (expected 0x28CD3D45); not an application image package`,
    )
  }
  const latin = (b: Uint8Array): string => String.fromCharCode(...b)
  const nameBytes = r.slice(0x30, 16, 'name')
  const nul = nameBytes.indexOf(0)
  return {
    magic,
    size: r.u32(4, 'size'),
    flags: r.u32(8, 'flags'),
    future: r.u32(12, 'future'),
    signature: latin(r.slice(16, 16, 'signature')),
    crc: r.u32(0x20, 'fsid.crc'),
    edition: r.u32(0x24, 'fsid.edition'),
    blocks: r.u32(0x28, 'fsid.blocks'),
    files: r.u32(0x2c, 'fsid.files'),
    name: latin(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes),
  }
}

/** CRC-32 of the first `size` bytes with the fsid.crc field taken as zero. */
export function asxipfsCrc(bytes: Uint8Array, size: number): number {
  let c = crc32(bytes.subarray(0, 0x20))
  c = crc32(new Uint8Array(4), c)
  return crc32(bytes.subarray(0x24, size), c)
}

/**
 * Parses and checks an ASXipFS image (the bytes may continue past the file system). Every offset and
 * length is range-checked, directory tables may not overlap each other or file data, names are
 * checked (no '/', '.', '..', NUL or control characters, valid UTF-8, sorted, unique), only
 * directories and regular files are accepted, and the walk is bounded by MAX_ENTRIES.
 */
export function readAsxipfs(bytes: Uint8Array): Asxipfs {
  const r = new LeReader(bytes, 'ASXipFS')
  const sb = readSuperblock(r)
  if (sb.size < ASXIPFS_SUPER_SIZE || sb.size > bytes.length) {
    fail('IMAGE_TRUNCATED', `ASXipFS: superblock size ${sb.size} is outside the ${bytes.length}-byte input`)
  }
  if (sb.size % 4 !== 0) fail('IMAGE_BAD_FS', `ASXipFS: size ${sb.size} is not a multiple of 4`)
  if ((sb.flags & ~SUPPORTED_FLAGS) !== 0) fail('IMAGE_BAD_FS', `ASXipFS: unsupported flags 0x${hex(sb.flags)}`)
  if (!(sb.flags & FLAG_FSID_VERSION_2)) fail('IMAGE_BAD_FS', 'ASXipFS: not a version-2 image (no CRC); refusing it')
  if (sb.signature !== ASXIPFS_SIGNATURE && !(sb.flags & FLAG_WRONG_SIGNATURE)) {
    fail('IMAGE_BAD_MAGIC', `ASXipFS: bad signature "${printable(sb.signature)}" (expected "${ASXIPFS_SIGNATURE}")`)
  }
  const crc = asxipfsCrc(bytes, sb.size)
  if (crc !== sb.crc) {
    fail(
      'IMAGE_BAD_CRC',
      `ASXipFS: CRC mismatch (stored 0x${hex(sb.crc).padStart(8, '0')}, computed 0x${hex(crc).padStart(8, '0')})`,
    )
  }
  const fsEnd = sb.size
  const sorted = (sb.flags & FLAG_SORTED_DIRS) !== 0
  const regions: {start: number; end: number; what: string}[] = [
    {start: 0, end: ASXIPFS_SUPER_SIZE, what: 'the superblock'},
  ]
  const entries: AsxipfsEntry[] = []
  const files = new Map<string, Uint8Array>()

  const readInode = (
    at: number,
    where: string,
  ): {mode: number; uid: number; size: number; gid: number; nameLen: number; offset: number} => {
    const w0 = r.u32(at, `${where} inode`)
    const w1 = r.u32(at + 4, `${where} inode`)
    const w2 = r.u32(at + 8, `${where} inode`)
    return {
      mode: w0 & 0xffff,
      uid: w0 >>> 16,
      size: w1 & 0xffffff,
      gid: w1 >>> 24,
      nameLen: (w2 & 0x3f) * 4,
      offset: (w2 >>> 6) * 4,
    }
  }
  const root = readInode(64, 'root')
  if ((root.mode & S_IFMT) !== S_IFDIR) fail('IMAGE_BAD_INODE', 'ASXipFS: the root inode is not a directory')
  const rootExpected = sb.flags & FLAG_SHIFTED_ROOT_OFFSET ? 512 + ASXIPFS_SUPER_SIZE : ASXIPFS_SUPER_SIZE
  if (root.size > 0 && root.offset !== rootExpected) {
    fail(
      'IMAGE_BAD_INODE',
      `ASXipFS: root directory entries at 0x${hex(root.offset)} (expected 0x${hex(rootExpected)})`,
    )
  }
  entries.push({
    path: '',
    type: 'dir',
    mode: root.mode,
    uid: root.uid,
    gid: root.gid,
    size: root.size,
    offset: root.offset,
    inodeOffset: 64,
  })

  const visited = new Set<number>()
  const stack: {path: string; offset: number; size: number}[] = [{path: '', offset: root.offset, size: root.size}]
  while (stack.length > 0) {
    const d = stack.pop() as {path: string; offset: number; size: number}
    const label = d.path === '' ? 'the root directory' : `directory "${printable(d.path)}"`
    if (d.size === 0) continue
    if (d.offset < ASXIPFS_SUPER_SIZE || d.offset + d.size > fsEnd) {
      fail(
        'IMAGE_BAD_INODE',
        `ASXipFS: ${label} entries [0x${hex(d.offset)}, 0x${hex(d.offset + d.size)}) lie outside the file system`,
      )
    }
    if (visited.has(d.offset))
      fail('IMAGE_OVERLAP', `ASXipFS: ${label} reuses the entry table at 0x${hex(d.offset)} (a loop)`)
    visited.add(d.offset)
    regions.push({start: d.offset, end: d.offset + d.size, what: `${label} entries`})
    const subdirs: {path: string; offset: number; size: number}[] = []
    let at = d.offset
    let prev: Uint8Array | undefined
    while (at < d.offset + d.size) {
      if (entries.length >= MAX_ENTRIES) fail('IMAGE_TOO_LARGE', `ASXipFS: more than ${MAX_ENTRIES} inodes`)
      if (at + 12 > d.offset + d.size) fail('IMAGE_BAD_INODE', `ASXipFS: ${label} has a partial inode at 0x${hex(at)}`)
      const ino = readInode(at, label)
      if (ino.nameLen === 0) fail('IMAGE_BAD_NAME', `ASXipFS: inode at 0x${hex(at)} in ${label} has an empty name`)
      if (at + 12 + ino.nameLen > d.offset + d.size)
        fail('IMAGE_BAD_INODE', `ASXipFS: name of the inode at 0x${hex(at)} runs past the end of ${label}`)
      const raw = r.slice(at + 12, ino.nameLen, 'name')
      let n = raw.length
      while (n > 0 && raw[n - 1] === 0) n--
      const nameBytes = raw.subarray(0, n)
      if (nameBytes.includes(0)) fail('IMAGE_BAD_NAME', `ASXipFS: name at 0x${hex(at + 12)} contains a NUL byte`)
      const name = checkName(decodeUtf8(nameBytes, `ASXipFS: name at 0x${hex(at + 12)}`), `ASXipFS: ${label}`)
      if (prev) {
        const c = compareBytes(prev, nameBytes)
        if (c === 0) fail('IMAGE_BAD_NAME', `ASXipFS: ${label} lists "${printable(name)}" twice`)
        if (c > 0 && sorted) fail('IMAGE_BAD_FS', `ASXipFS: ${label} is not sorted at "${printable(name)}"`)
      }
      prev = nameBytes
      const path = d.path === '' ? name : `${d.path}/${name}`
      if (path.length > MAX_PATH_CHARS) fail('IMAGE_BAD_NAME', `ASXipFS: path longer than ${MAX_PATH_CHARS} characters`)
      const type = ino.mode & S_IFMT
      if (type === S_IFDIR) {
        entries.push({
          path,
          type: 'dir',
          mode: ino.mode,
          uid: ino.uid,
          gid: ino.gid,
          size: ino.size,
          offset: ino.offset,
          inodeOffset: at,
        })
        subdirs.push({path, offset: ino.offset, size: ino.size})
      } else if (type === S_IFREG) {
        if (ino.size > 0) {
          if (ino.offset < ASXIPFS_SUPER_SIZE || ino.offset + ino.size > fsEnd) {
            fail(
              'IMAGE_BAD_INODE',
              `ASXipFS: data of "${printable(path)}" [0x${hex(ino.offset)}, 0x${hex(ino.offset + ino.size)}) lies outside the file system`,
            )
          }
          regions.push({start: ino.offset, end: ino.offset + ino.size, what: `data of "${printable(path)}"`})
        }
        entries.push({
          path,
          type: 'file',
          mode: ino.mode,
          uid: ino.uid,
          gid: ino.gid,
          size: ino.size,
          offset: ino.offset,
          inodeOffset: at,
        })
        files.set(path, bytes.slice(ino.offset, ino.offset + ino.size))
      } else {
        const kind =
          type === S_IFLNK
            ? 'a symbolic link'
            : type === 0o020000 || type === 0o060000
              ? 'a device node'
              : type === 0o010000
                ? 'a FIFO'
                : type === 0o140000
                  ? 'a socket'
                  : `type 0o${type.toString(8)}`
        fail(
          'IMAGE_BAD_INODE',
          `ASXipFS: "${printable(path)}" is ${kind}; only directories and regular files are allowed`,
        )
      }
      at += 12 + ino.nameLen
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as {path: string; offset: number; size: number})
  }
  regions.sort((a, b) => a.start - b.start || a.end - b.end)
  for (let i = 1; i < regions.length; i++) {
    const a = regions[i - 1] as {start: number; end: number; what: string}
    const b = regions[i] as {start: number; end: number; what: string}
    if (b.start < a.end) fail('IMAGE_OVERLAP', `ASXipFS: ${b.what} at 0x${hex(b.start)} overlaps ${a.what}`)
  }
  if (sb.files !== entries.length)
    fail('IMAGE_BAD_FS', `ASXipFS: superblock counts ${sb.files} inodes but the tree has ${entries.length}`)
  return {superblock: sb, entries, files}
}
