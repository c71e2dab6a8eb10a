/**
 * A small writer of the ZIP container (PKWARE APPNOTE 6.3: local file headers, central directory, end of
 * central directory record) around zlib's raw DEFLATE. Entries are deflated (method 8) or, when that does
 * not make them smaller, stored (method 0); names are UTF-8 (general-purpose flag bit 11). No ZIP64: the
 * archive and each entry must stay under 4 GiB and 65,535 entries, which support archives do by far.
 */
import {deflateRawSync} from 'node:zlib'
import CRC32 from 'crc-32'
import {SphereError} from './errors.js'

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative. */
  name: string
  data: Uint8Array | string
  /** Modification time (default: now). */
  mtime?: Date
}

const LIMIT = 0xffffffff

/** MS-DOS date and time words (2-second resolution, years 1980-2107), as ZIP headers hold them. */
function dosDateTime(d: Date): {date: number; time: number} {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107)
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  }
}

function checkName(name: string): Buffer {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').some((p) => p === '..' || p === ''))
    throw new SphereError('ZIP_BAD_NAME', `Cannot put '${name}' in a zip archive: a name must be a relative path without empty or '..' parts.`)
  const b = Buffer.from(name, 'utf8')
  if (b.length > 0xffff) throw new SphereError('ZIP_BAD_NAME', `Cannot put a ${b.length}-byte name in a zip archive.`)
  return b
}

/** The bytes of a ZIP archive holding `entries` in the given order. */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  if (entries.length > 0xffff) throw new SphereError('ZIP_TOO_LARGE', `A zip archive holds at most 65535 entries, not ${entries.length}.`)
  const seen = new Set<string>()
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = checkName(e.name)
    if (seen.has(e.name)) throw new SphereError('ZIP_BAD_NAME', `'${e.name}' is twice in the zip archive.`)
    seen.add(e.name)
    const raw = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)
    if (raw.length >= LIMIT) throw new SphereError('ZIP_TOO_LARGE', `'${e.name}' is too large for a zip archive without ZIP64.`)
    const deflated = deflateRawSync(raw)
    const method = deflated.length < raw.length ? 8 : 0
    const body = method === 8 ? deflated : raw
    const crc = CRC32.buf(raw) >>> 0
    const {date, time} = dosDateTime(e.mtime ?? new Date())
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(raw.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const cd = Buffer.alloc(46)
    cd.writeUInt32LE(0x02014b50, 0)
    cd.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, 2.0
    cd.writeUInt16LE(20, 6)
    cd.writeUInt16LE(0x0800, 8)
    cd.writeUInt16LE(method, 10)
    cd.writeUInt16LE(time, 12)
    cd.writeUInt16LE(date, 14)
    cd.writeUInt32LE(crc, 16)
    cd.writeUInt32LE(body.length, 20)
    cd.writeUInt32LE(raw.length, 24)
    cd.writeUInt16LE(name.length, 28)
    // extra length, comment length, disk number start, internal attributes: 0
    cd.writeUInt32LE(((0o100644 << 16) >>> 0), 38) // external attributes: a regular file, rw-r--r--
    cd.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    central.push(cd, name)
    offset += local.length + name.length + body.length
    if (offset >= LIMIT) throw new SphereError('ZIP_TOO_LARGE', 'The zip archive would exceed 4 GiB.')
  }
  const cdBytes = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cdBytes.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cdBytes, end])
}
