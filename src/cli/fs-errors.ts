/** File-system failures in words (light: the top-level error handler uses it on every command's path). */

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
  EIO: 'an I/O error',
}

/** A file-system failure in words (`no such file`, `it is a folder, not a file`), else the system's message. */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException
  return (err?.code && REASONS[err.code]) || (err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(e))
}

/** A Node file-system error (code + syscall + path) as one line naming the path, or undefined for other errors. */
export function describeFsError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException
  if (!(err instanceof Error) || typeof err.code !== 'string' || typeof err.syscall !== 'string' || typeof err.path !== 'string') return undefined
  const verb = /^(open|read|stat|lstat|access|readdir|scandir|realpath)$/.test(err.syscall) ? 'read' : 'write'
  return `Cannot ${verb} ${err.path}: ${fsReason(err)}.`
}
