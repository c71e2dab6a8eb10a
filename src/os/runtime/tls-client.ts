import tls from 'node:tls'
import {Errno} from '../kernel/errno.js'
import type {Process} from '../kernel/process.js'
import type {SysCtx} from './context.js'
import {packageMountPath} from './applibs/storage.js'
import {COST} from './context.js'
import {NetSocket, SOCKET_BUFFER_BYTES, chargeBytes, releaseBytes, socketRecv, socketSend} from './sockets.js'
import {MAX_CA_CERTIFICATES, MAX_CA_FILE_BYTES, clientContext, isCertificate, pemBlocks, verifyRoots} from './trust.js'
import {syscall, type Impl, type Policy, type SyscallGroup} from './syscalls/types.js'

/**
 * wolfSSL as the OS's library (sdk/sysroot/include/wolfssl/ssl.h, sdk/libapplibs/wolfssl.c): the app holds
 * handles; the TLS client runs on the host side (Node's tls) over the app's own connected TCP socket, the one
 * the LSM let it open (net.connect). The CA file an app loads is read from its image package through the LSM
 * (storage.package-file); the server is verified against those certificates and the device's stand-ins for
 * them (runtime/trust.ts verifyRoots, the rule libcurl uses too; docs/world.md "Trust"). Per app: at most
 * MAX_CONTEXTS contexts and MAX_SESSIONS sessions; CA bytes are charged to the app's host buffers.
 */
const MAX_CONTEXTS = 8
const MAX_SESSIONS = 16
const dec = new TextDecoder('utf-8', {fatal: true})

/** wolfSSL error codes the calls return (wolfssl/error-ssl.h, wolfcrypt/error-crypt.h). */
export const WolfError = {
  BAD_FILE: -4,
  BAD_FILETYPE: -5,
  ASN_AFTER_DATE_E: -151,
  ASN_NO_SIGNER_E: -188,
  SOCKET_ERROR_E: -308,
  FATAL_ERROR: -313,
  DOMAIN_NAME_MISMATCH: -322,
  VERSION_ERROR: -326,
  VERIFY_CERT_ERROR: -329,
  SSL_NO_PEM_HEADER: -372,
  SOCKET_PEER_CLOSED_E: -397,
} as const
/** tls_connect / tls_read / tls_write: call again when the socket is readable / writable. */
const WANT_READ = 1
const WANT_WRITE = 2

/** Methods (wolfSSLv23 / wolfTLS = TLS 1.2 or 1.3, else one version). */
const METHODS: Record<number, {min: tls.SecureVersion; max: tls.SecureVersion}> = {
  0: {min: 'TLSv1.2', max: 'TLSv1.3'},
  12: {min: 'TLSv1.2', max: 'TLSv1.2'},
  13: {min: 'TLSv1.3', max: 'TLSv1.3'},
}

interface Ctx {
  versions: {min: tls.SecureVersion; max: tls.SecureVersion}
  cas: string[]
  caBytes: number
  verify: boolean
}

interface Session {
  ctx: Ctx
  fd?: number
  sock?: NetSocket
  sni?: string
  checkName?: string
}

interface TlsTables {
  ctxs: Map<number, Ctx>
  sessions: Map<number, Session>
  next: number
}

const tables = new WeakMap<Process, TlsTables>()
function tablesOf(p: Process): TlsTables {
  let t = tables.get(p)
  if (!t) tables.set(p, (t = {ctxs: new Map(), sessions: new Map(), next: 1}))
  return t
}

/** The wolfSSL error of a failed host TLS session. */
export function wolfErrorOf(e: Error | undefined): number {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? ''
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return WolfError.ASN_NO_SIGNER_E
    case 'CERT_HAS_EXPIRED':
      return WolfError.ASN_AFTER_DATE_E
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return WolfError.DOMAIN_NAME_MISMATCH
    case 'ECONNRESET':
    case 'EPIPE':
      return WolfError.SOCKET_ERROR_E
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
      return WolfError.VERSION_ERROR
    default:
      if (code.startsWith('CERT_') || code.includes('CERTIFICATE')) return WolfError.VERIFY_CERT_ERROR
      if (e && /socket disconnected|ECONNRESET|closed/i.test(e.message)) return WolfError.SOCKET_PEER_CLOSED_E
      return WolfError.FATAL_ERROR
  }
}

/** The distinct certificates of a PEM file (each checked by parsing it, once: runtime/trust.ts), or a wolfSSL error. */
function pemCertificates(text: string): string[] | number {
  const blocks = pemBlocks(text)
  if (blocks === 'too-many') return WolfError.BAD_FILE
  if (blocks.length === 0) return WolfError.SSL_NO_PEM_HEADER
  return blocks.every(isCertificate) ? blocks : WolfError.BAD_FILETYPE
}

/** The package-relative path of a CA file the app names (an absolute path inside its package mount, or relative). */
function caPath(c: SysCtx, ctx: number, ptr: number, len: number): unknown[] | number {
  if (ptr === 0 || len <= 0 || len > 4096 || !c.mem.ok(ptr, len)) return -Errno.EFAULT
  let p: string
  try {
    p = dec.decode(c.mem.read(ptr, len)).replace(/\0.*$/s, '')
  } catch {
    return -Errno.EINVAL
  }
  const root = `${packageMountPath(c.proc.componentId)}/`
  return [ctx, p.startsWith(root) ? p.slice(root.length) : p]
}

function tlsImports(c: SysCtx): Record<string, Impl> {
  const {mem, proc, env} = c
  const t = tablesOf(proc)
  const handle = (): number => {
    const h = t.next
    t.next = (t.next % 0x7fff_ffff) + 1
    return h
  }
  const str = (ptr: number, len: number): string | undefined => {
    if (ptr === 0 || len <= 0 || len > 253 || !mem.ok(ptr, len)) return undefined
    try {
      return dec.decode(mem.read(ptr, len)).replace(/\0.*$/s, '')
    } catch {
      return undefined
    }
  }
  const session = (h: number): Session | undefined => t.sessions.get(h)
  /** The connected TCP socket of a session (its fd still names it), or -errno. */
  const sockOf = (s: Session): NetSocket | number => {
    if (s.fd === undefined || !s.sock) return -Errno.EBADF
    if (proc.fds.get(s.fd) !== s.sock) return -Errno.EBADF
    return s.sock
  }
  const failure = (s: NetSocket): number => {
    const e = s.takeError()
    return s.tlsFailure ? wolfErrorOf(s.tlsFailure) : e ? WolfError.SOCKET_ERROR_E : WolfError.FATAL_ERROR
  }

  return {
    tls_ctx_new(method: number): number {
      const v = METHODS[method]
      if (!v) return -Errno.EINVAL
      if (t.ctxs.size >= MAX_CONTEXTS) {
        c.lsm.deny(c.subject, {op: 'resource.limit', resource: 'TLS contexts', limit: MAX_CONTEXTS}, `TLS contexts are at their limit (${MAX_CONTEXTS})`, Errno.ENOMEM)
        return -Errno.ENOMEM
      }
      const h = handle()
      t.ctxs.set(h, {versions: v, cas: [], caBytes: 0, verify: true})
      return h
    },
    tls_ctx_free(h: number): number {
      const x = t.ctxs.get(h)
      if (!x) return -Errno.EBADF
      releaseBytes(proc.hostUsage, x.caBytes)
      t.ctxs.delete(h)
      return 0
    },
    tls_ctx_load_verify: ((h: number, path: string): number => {
      const x = t.ctxs.get(h)
      if (!x) return -Errno.EBADF
      const f = env.openPackageFile(path)
      if (typeof f === 'number') return WolfError.BAD_FILE
      const size = f.size()
      if (size > MAX_CA_FILE_BYTES) return WolfError.BAD_FILE
      const bytes = f.read(0, size)
      const certs = pemCertificates(Buffer.from(bytes).toString('latin1'))
      if (typeof certs === 'number') return certs
      // a context holds at most MAX_CA_CERTIFICATES distinct roots, whatever number of files they came in
      const fresh = certs.filter((p) => !x.cas.includes(p))
      if (x.cas.length + fresh.length > MAX_CA_CERTIFICATES) return WolfError.BAD_FILE
      if (!chargeBytes(proc.hostUsage, size)) return -Errno.ENOMEM
      x.caBytes += size
      x.cas.push(...fresh)
      return 0
    }) as Impl,
    tls_ctx_set_verify(h: number, mode: number): number {
      const x = t.ctxs.get(h)
      if (!x) return -Errno.EBADF
      x.verify = (mode & 1) !== 0
      return 0
    },
    tls_new(ctxh: number): number {
      const x = t.ctxs.get(ctxh)
      if (!x) return -Errno.EBADF
      if (t.sessions.size >= MAX_SESSIONS) {
        c.lsm.deny(c.subject, {op: 'resource.limit', resource: 'TLS sessions', limit: MAX_SESSIONS}, `TLS sessions are at their limit (${MAX_SESSIONS})`, Errno.ENOMEM)
        return -Errno.ENOMEM
      }
      const h = handle()
      t.sessions.set(h, {ctx: x})
      return h
    },
    tls_free(h: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      t.sessions.delete(h)
      return 0
    },
    tls_set_fd(h: number, fd: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const o = proc.fds.get(fd)
      if (!o) return -Errno.EBADF
      if (!(o instanceof NetSocket)) return -Errno.ENOTSOCK
      if (o.protocol !== 'tcp' || o.state === 'listening') return -Errno.EINVAL
      if ([...t.sessions.values()].some((x) => x !== s && x.sock === o)) return -Errno.EBUSY
      s.fd = fd
      s.sock = o
      return 0
    },
    tls_set_name(h: number, kind: number, ptr: number, len: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const name = str(ptr, len)
      if (name === undefined) return -Errno.EINVAL
      if (kind === 0) s.sni = name
      else if (kind === 1) s.checkName = name
      else return -Errno.EINVAL
      return 0
    },
    tls_connect(h: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const sock = sockOf(s)
      if (typeof sock === 'number') return sock
      if (sock.tlsState === undefined) {
        if (sock.state !== 'connected') return sock.state === 'connecting' ? WANT_WRITE : -Errno.ENOTCONN
        const x = s.ctx
        const check = s.checkName
        const r = sock.startTls({
          // one context per distinct set of roots and versions, made once (runtime/trust.ts)
          secureContext: clientContext({ca: verifyRoots(x.cas, env.tlsTrust), minVersion: x.versions.min, maxVersion: x.versions.max}),
          rejectUnauthorized: x.verify,
          servername: s.sni,
          // wolfSSL checks the peer's name only when the app asked (wolfSSL_check_domain_name)
          checkServerIdentity: (_host, cert) => (check && x.verify ? tls.checkServerIdentity(check, cert) : undefined),
        })
        if (r !== 0) return r
      }
      if (sock.tlsState === 'ready') return 0
      if (sock.tlsState === 'failed') return failure(sock)
      if (sock.error !== 0) return failure(sock)
      if (sock.nonblock) return WANT_READ
      if (c.pendingSignals() !== 0) return -Errno.EINTR
      c.callState = 'tls'
      return c.block([sock], Infinity)
    },
    tls_read(h: number, buf: number, len: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const sock = sockOf(s)
      if (typeof sock === 'number') return sock
      if (sock.tlsState !== 'ready') return sock.tlsState === 'failed' ? failure(sock) : -Errno.ENOTCONN
      if (len < 0 || !mem.ok(buf, len)) return -Errno.EFAULT
      const wait = c.admit(Math.min(len >>> 0, SOCKET_BUFFER_BYTES) * COST.nsPerByte)
      if (wait !== 0) return wait
      const r = socketRecv(c, sock, len, 0)
      if (typeof r === 'number') return r === -Errno.EAGAIN ? -Errno.EAGAIN : r
      mem.write(buf, r.data)
      return r.data.length
    },
    tls_write(h: number, buf: number, len: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const sock = sockOf(s)
      if (typeof sock === 'number') return sock
      if (sock.tlsState !== 'ready') return sock.tlsState === 'failed' ? failure(sock) : -Errno.ENOTCONN
      if (len < 0 || !mem.ok(buf, len)) return -Errno.EFAULT
      const wait = c.admit(Math.min(len >>> 0, SOCKET_BUFFER_BYTES) * COST.nsPerByte)
      if (wait !== 0) return wait
      return socketSend(c, sock, mem.read(buf, len), 0)
    },
    tls_shutdown(h: number): number {
      const s = session(h)
      if (!s) return -Errno.EBADF
      const sock = sockOf(s)
      if (typeof sock === 'number') return sock
      if (sock.tlsState !== 'ready') return -Errno.ENOTCONN
      if (!sock.shutWr) {
        sock.shutWr = true
        sock.tcp?.end() // close_notify
      }
      return 0
    },
  }
}

const S = 'sphere'
const own: Policy = {inImpl: 'handles of the app\'s own TLS objects; TLS runs on a TCP socket the app connected (net.connect decided it)'}

export const tlsGroup: SyscallGroup = {
  source: 'src/os/runtime/tls-client.ts',
  bind: tlsImports,
  entries: [
    syscall(S, 'tls_ctx_new', 'int32_t method', {returns: 'handle', policy: {none: 'a context of the app (at most 8)'},
      doc: '`wolfSSL_CTX_new`: method 0 = TLS 1.2 or 1.3 (wolfSSLv23 / wolfTLS), 12 = TLS 1.2, 13 = TLS 1.3'}),
    syscall(S, 'tls_ctx_free', 'int32_t ctx', {returns: '0', policy: own, doc: '`wolfSSL_CTX_free`'}),
    syscall(S, 'tls_ctx_load_verify', 'int32_t ctx, const char *path, uint32_t len', {returns: '0', mem: ['path[len]!'],
      decode: caPath as never, policy: ((_c: SysCtx, _ctx: number, path: string) => ({op: 'storage.package-file', path})) as Policy,
      doc: '`wolfSSL_CTX_load_verify_locations`: a PEM file of the app\'s image package (absolute under its mount, or relative); -4 BAD_FILE, -372 no PEM certificate. LSM: storage.package-file'}),
    syscall(S, 'tls_ctx_set_verify', 'int32_t ctx, int32_t mode', {returns: '0', policy: own,
      doc: '`wolfSSL_CTX_set_verify`: bit 0 = verify the peer (the client default)'}),
    syscall(S, 'tls_new', 'int32_t ctx', {returns: 'handle', policy: {none: 'a session of the app (at most 16)'}, doc: '`wolfSSL_new`'}),
    syscall(S, 'tls_free', 'int32_t ssl', {returns: '0', policy: own, doc: '`wolfSSL_free`'}),
    syscall(S, 'tls_set_fd', 'int32_t ssl, int32_t fd', {returns: '0', policy: own,
      doc: '`wolfSSL_set_fd`: a TCP socket of the app (-ENOTSOCK otherwise; -EBUSY if another session has it)'}),
    syscall(S, 'tls_set_name', 'int32_t ssl, int32_t kind, const char *name, uint32_t len', {returns: '0', policy: own,
      doc: 'kind 0: `wolfSSL_UseSNI` (server name sent); kind 1: `wolfSSL_check_domain_name` (the name the certificate must carry)'}),
    syscall(S, 'tls_connect', 'int32_t ssl', {returns: '0', policy: own,
      doc: '`wolfSSL_connect`: 0 done, 1 want read, 2 want write (non-blocking socket; a blocking one blocks), a wolfSSL error (<= -100) or -errno. The socket is neither readable nor writable while the handshake runs'}),
    syscall(S, 'tls_read', 'int32_t ssl, void *buf, uint32_t len', {returns: 'n', policy: own, heavy: 'bytes received',
      doc: '`wolfSSL_read`: plaintext bytes, 0 when the peer closed, -EAGAIN want read'}),
    syscall(S, 'tls_write', 'int32_t ssl, const void *buf, uint32_t len', {returns: 'n', policy: own, heavy: 'bytes sent',
      doc: '`wolfSSL_write`: plaintext bytes accepted, -EAGAIN want write'}),
    syscall(S, 'tls_shutdown', 'int32_t ssl', {returns: '0', policy: own, doc: '`wolfSSL_shutdown`: sends close_notify'}),
  ],
}
