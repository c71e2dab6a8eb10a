import {Errno} from '../../kernel/errno.js'
import {FileObject} from '../../kernel/objects.js'
import {ERANGE} from './objects.js'
import {COST, type SysCtx} from '../context.js'
import {syscall, type Impl, type SyscallGroup} from '../syscalls/types.js'

/**
 * The applibs log and storage imports (sdk/ABI.md): Log_Debug's `log_write`, the app's mutable storage file
 * and read-only files of its image package.
 */
const dec = new TextDecoder('utf-8', {fatal: true})
const enc = new TextEncoder()
/** Longest package path an app may name. */
const PATH_MAX = 4096

/** Where the OS mounts an app's image package (the app manager starts `bin/app` from there). */
export function packageMountPath(componentId: string): string {
  return `/mnt/apps/${componentId}`
}

/** The package-relative path of storage_open_in_package, or -errno. */
function packagePath(c: SysCtx, path: number, len: number): [string] | number {
  if (len < 0 || path === 0 || !c.mem.ok(path, len)) return -Errno.EFAULT
  if (len > PATH_MAX) return -Errno.ENAMETOOLONG
  try {
    return [dec.decode(c.mem.read(path, len)).replace(/\0.*$/s, '')]
  } catch {
    return -Errno.EINVAL
  }
}

function storageImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, env} = c
  const fds = proc.fds
  const fileFd = (b: ReturnType<typeof env.openMutableStorage>): number =>
    typeof b === 'number' ? b : fds.add(new FileObject(b))

  return {
    log_write(buf: number, len: number): number {
      const wait = c.admit(len * COST.nsPerByte)
      if (wait !== 0) return wait
      // a view, not a copy: the log keeps only what a line can hold (a 192 KiB copy per call kept the host's
      // garbage collector busy for tens of ms at a time, and other apps' timers waited)
      const at = buf >>> 0
      env.output('log', mem.bytes().subarray(at, at + (len >>> 0)))
      return len
    },
    storage_open_mutable(): number {
      return fileFd(env.openMutableStorage())
    },
    storage_delete_mutable(): number {
      return env.deleteMutableStorage()
    },
    storage_open_in_package(path: string): number {
      return fileFd(env.openPackageFile(path))
    },
    storage_package_path(buf: number, cap: number): number {
      const p = enc.encode(packageMountPath(proc.componentId))
      if (cap >>> 0 < p.length) return -ERANGE
      if (buf === 0 || !mem.ok(buf, p.length)) return -Errno.EFAULT
      mem.write(buf, p)
      return p.length
    },
  }
}

const A = 'applibs'

export const storageGroup: SyscallGroup = {
  source: 'src/os/runtime/applibs/storage.ts',
  bind: storageImports,
  entries: [
    syscall(A, 'log_write', 'const char *buf, uint32_t len', {returns: 'len', mem: ['buf[len]'], heavy: 'bytes logged',
      policy: {none: 'writes to the app\'s own log (bounded by its log ring)'},
      doc: '`Log_Debug` / `Log_DebugVarArgs` (the C library formats, then writes)'}),
    syscall(A, 'storage_open_mutable', '', {returns: 'fd', policy: (c) => ({op: 'storage.open', owner: c.proc.componentId}),
      doc: '`Storage_OpenMutableFile` (LSM: MutableStorage)'}),
    syscall(A, 'storage_delete_mutable', '', {returns: '0', policy: (c) => ({op: 'storage.delete', owner: c.proc.componentId}),
      doc: '`Storage_DeleteMutableFile` (LSM: MutableStorage)'}),
    syscall(A, 'storage_open_in_package', 'const char *path, uint32_t len', {returns: 'fd', decode: packagePath,
      policy: (_c, path: string) => ({op: 'storage.package-file', path}),
      doc: '`Storage_OpenFileInImagePackage` (read-only; `..`, leading `/` -> EINVAL)'}),
    syscall(A, 'storage_package_path', 'char *buf, uint32_t cap', {returns: 'len',
      policy: {none: 'the app\'s own mount point'},
      doc: 'writes the absolute path where the app\'s image package is mounted (no NUL), for `Storage_GetAbsolutePathInImagePackage`; ERANGE when `cap` is too small'}),
  ],
}
