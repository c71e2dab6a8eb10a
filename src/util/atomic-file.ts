import {closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, mkdirSync} from 'node:fs'
import {dirname, basename, join} from 'node:path'

let durable = true

/**
 * Process-wide: whether writeFileAtomic / fsyncDir wait for the disk (fsync, the default) or only keep the
 * write atomic (temp file + rename: a crash of the process never leaves a torn file, a power cut of the host
 * may lose the last writes). A fleet of simulated devices whose state is scratch (docs/fleet-scale.md) turns
 * it off: the fsyncs are most of a device's boot time on a real disk. Returns the previous setting.
 */
export function setDurableWrites(on: boolean): boolean {
  const was = durable
  durable = on
  return was
}

/** Whether writes wait for the disk (setDurableWrites). */
export function durableWrites(): boolean {
  return durable
}

/** fsync a directory so a rename inside it is durable. Best effort: some filesystems refuse. */
export function fsyncDir(dir: string): void {
  if (!durable) return
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // not supported here; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Write a file so that a crash at any moment leaves either the old content or the new one, never a
 * torn file: write a temp file in the same directory, fsync it, rename over the target, fsync the dir.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: {mode?: number} = {}): void {
  const dir = dirname(path)
  mkdirSync(dir, {recursive: true})
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}.tmp`)
  const fd = openSync(tmp, 'w', opts.mode ?? 0o644)
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    if (durable) fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
    throw e
  }
  closeSync(fd)
  renameSync(tmp, path)
  fsyncDir(dir)
}
