import type {Operation} from '../../lsm/lsm.js'
import {COST, type SysCtx} from '../context.js'
import {SOCKET_BUFFER_BYTES, bindTarget, connectTarget, socketImports} from '../sockets.js'
import {syscall, type Impl, type Policy, type SyscallGroup} from './types.js'

/**
 * The socket imports of the `sphere` module. The implementations are src/os/runtime/sockets.ts's. connect and
 * bind are decided here, from their arguments: the destination of a connect (net.connect), the port of a
 * bind, port 0 included (net.listen, with the protocol of the socket the fd names). What depends on flow
 * state is decided in sockets.ts, which asks the LSM at the point it knows: a listen on an unbound socket,
 * a datagram to a destination the socket has not reached, every datagram or connection that arrives
 * (net.inbound) and a reply from a server port (net.reply). A blocked call that is retried was decided at
 * its first attempt (`callState` is kept across the retries), so it is not decided (nor audited) again.
 */
const S = 'sphere'
const inSockets = (what: string): Policy => ({inImpl: what})
const state = inSockets('decided on the socket it names (no new reach)')
const arrived = inSockets('what it takes was admitted on arrival (net.inbound)')

const connectPolicy = (c: SysCtx, fd: number, addr: number, len: number): Operation | undefined => {
  if (c.callState !== undefined) return undefined
  const a = connectTarget(c, fd, addr, len)
  return a && {op: 'net.connect', host: a.ip, port: a.port}
}

const bindPolicy = (c: SysCtx, fd: number, addr: number, len: number): Operation | undefined => {
  if (c.callState !== undefined) return undefined
  const t = bindTarget(c, fd, addr, len)
  return t && {op: 'net.listen', protocol: t.protocol, port: t.port}
}

/** sockets.ts's implementations, with the modelled cost of the bytes a send / receive may move. */
function bindSockets(c: SysCtx): Record<string, Impl> {
  const impls = socketImports(c) as Record<string, (...a: number[]) => number>
  const charged = (name: 'sendto' | 'recvfrom'): void => {
    const f = impls[name]!
    impls[name] = (fd, buf, len, flags, addr, addrLen) => {
      const wait = c.admit(Math.min(len! >>> 0, SOCKET_BUFFER_BYTES) * COST.nsPerByte)
      if (wait !== 0) return wait
      return f(fd!, buf!, len!, flags!, addr!, addrLen!)
    }
  }
  charged('sendto')
  charged('recvfrom')
  return impls as Record<string, Impl>
}

export const socketGroup: SyscallGroup = {
  source: 'src/os/runtime/sockets.ts',
  bind: bindSockets,
  entries: [
    syscall(S, 'socket', 'int32_t domain, int32_t type, int32_t protocol', {returns: 'fd', policy: {none: 'an unbound socket reaches nothing; connect/bind/sendto decide'},
      doc: 'Linux numbers: AF_UNIX 1, AF_INET 2, AF_INET6 10; SOCK_STREAM 1, SOCK_DGRAM 2, `| SOCK_NONBLOCK 0x800`. wasi-libc\'s own values (AF_INET 1, SOCK_STREAM 6, ...) are translated by the C library'}),
    syscall(S, 'connect', 'int32_t fd, const void *addr, uint32_t addrlen', {returns: '0', policy: connectPolicy as Policy,
      doc: '`struct sockaddr_in` as wasi-libc lays it out (family u16 @0, port @2 big-endian, addr @4), family field in Linux numbering (the C library rewrites it); LSM: AllowedConnections'}),
    syscall(S, 'bind', 'int32_t fd, const void *addr, uint32_t addrlen', {returns: '0', policy: bindPolicy as Policy,
      doc: 'LSM: AllowedTcpServerPorts / AllowedUdpServerPorts; port 0 (an ephemeral UDP port, replies to the app\'s own flows only) needs AllowedConnections'}),
    syscall(S, 'listen', 'int32_t fd, int32_t backlog', {returns: '0', policy: inSockets('net.listen of port 0 when the socket was not bound to a port'),
      doc: 'LSM: AllowedTcpServerPorts; an inbound connection is a net.inbound decision'}),
    syscall(S, 'accept', 'int32_t fd, void *addr, uint32_t *addrlen, int32_t flags', {returns: 'fd', policy: arrived,
      doc: 'blocking unless O_NONBLOCK; `addrlen` points to a u32 (in: capacity, out: length); flags SOCK_NONBLOCK 0x800'}),
    syscall(S, 'shutdown', 'int32_t fd, int32_t how', {returns: '0', policy: state, doc: 'how: 0 RD, 1 WR, 2 RDWR (Linux)'}),
    syscall(S, 'getsockname', 'int32_t fd, void *addr, uint32_t *addrlen', {returns: '0', policy: state, doc: '`addrlen` points to a u32 (in/out)'}),
    syscall(S, 'getpeername', 'int32_t fd, void *addr, uint32_t *addrlen', {returns: '0', policy: state, doc: '`addrlen` points to a u32 (in/out)'}),
    syscall(S, 'sendto', 'int32_t fd, const void *buf, uint32_t len, int32_t flags, const void *addr, uint32_t addrlen', {returns: 'n',
      policy: inSockets('net.connect for a UDP destination the socket has no flow to; net.reply from a server port'), heavy: 'bytes sent',
      doc: 'blocking unless O_NONBLOCK / MSG_DONTWAIT 0x40; flags in Linux numbering (MSG_PEEK 2, MSG_WAITALL 0x100)'}),
    syscall(S, 'recvfrom', 'int32_t fd, void *buf, uint32_t len, int32_t flags, void *addr, uint32_t *addrlen', {returns: 'n', policy: arrived,
      heavy: 'bytes received', doc: 'as sendto, but `addrlen` points to a u32 (in: capacity, out: length)'}),
    syscall(S, 'setsockopt', 'int32_t fd, int32_t level, int32_t name, const void *val, uint32_t len', {returns: '0', policy: state,
      doc: 'level SOL_SOCKET = 1 (Linux); option names as wasi-libc\'s header numbers them (Linux values; SO_RCVTIMEO/SO_SNDTIMEO take wasm32 `struct timeval` = `{i64 sec; i64 usec}`); on an `Application_Connect` fd: SO_RCVTIMEO/SO_SNDTIMEO (a blocking recv/send then fails with EAGAIN), SO_SNDBUF/SO_RCVBUF accepted, others ENOPROTOOPT'}),
    syscall(S, 'getsockopt', 'int32_t fd, int32_t level, int32_t name, void *val, uint32_t *len', {returns: '0', policy: state,
      doc: '`len` points to a u32 (in/out); an `Application_Connect` fd answers SO_TYPE (SOCK_SEQPACKET 5), SO_ERROR, the buffer sizes and the timeouts'}),
  ],
}
