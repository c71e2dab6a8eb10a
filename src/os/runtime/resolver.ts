import {Errno} from '../kernel/errno.js'
import {KObject} from '../kernel/objects.js'
import type {Operation} from '../lsm/lsm.js'
import type {SysCtx} from './context.js'
import {syscall, type Impl, type Policy, type SyscallGroup} from './syscalls/types.js'

/**
 * Name lookups (the `sphere.resolve` import behind getaddrinfo / gethostbyname, sdk/libapplibs/resolv.c). The
 * dispatcher asks the LSM first (dns.query: AllowedConnections, or a name discovered through a listed DNS-SD
 * service type); the device's network service answers from its hosts map and DNS-SD records, or in internet
 * mode from the host's resolver, which is asynchronous: the caller blocks on a lookup object (at most
 * LOOKUP_WAIT_NS) until the answer arrives.
 */
const dec = new TextDecoder('utf-8', {fatal: true})
/** Longest name a lookup takes (RFC 1035: 253 characters of text). */
const NAME_MAX = 253
const LOOKUP_WAIT_NS = 10_000_000_000

/** An answer of the host's resolver on its way; readable once it arrived (or failed). */
class PendingLookup extends KObject {
  readonly kind = 'lookup' as const
  override hostBacked = true
  result?: string[] | number
  override readable(): boolean {
    return this.result !== undefined
  }
  override describe(): string {
    return 'name lookup'
  }
}

interface LookupState {
  pending: PendingLookup
  deadline: number
}

/** The (name, len) argument as a lower-case name, or -errno. */
function lookupName(c: SysCtx, ptr: number, len: number, ...rest: number[]): unknown[] | number {
  if (ptr === 0 || len < 0 || !c.mem.ok(ptr, len)) return -Errno.EFAULT
  if (len === 0 || len > NAME_MAX + 1) return -Errno.EINVAL
  let name: string
  try {
    name = dec.decode(c.mem.read(ptr, len)).replace(/\0.*$/s, '')
  } catch {
    return -Errno.EINVAL
  }
  name = name.toLowerCase().replace(/\.$/, '')
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name) || name.length > NAME_MAX) return -Errno.EINVAL
  return [name, ...rest]
}

const resolvePolicy = (c: SysCtx, name: string): Operation | undefined =>
  c.callState === undefined ? {op: 'dns.query', name} : undefined

function resolverImports(c: SysCtx): Record<string, Impl> {
  const {mem, kernel} = c
  const write = (ips: readonly string[], out: number, max: number): number => {
    const n = Math.min(ips.length, max >>> 0)
    if (n === 0) return -Errno.ENOENT
    if (out === 0 || !mem.ok(out, n * 4)) return -Errno.EFAULT
    const b = new Uint8Array(n * 4)
    ips.slice(0, n).forEach((ip, i) => b.set(ip.split('.').map(Number), i * 4))
    mem.write(out, b)
    return n
  }
  return {
    resolve: ((name: string, out: number, max: number): number => {
      const netHost = c.env.net
      if (!netHost?.lookup) return -Errno.ENOENT
      const st = c.callState as LookupState | undefined
      if (st) {
        const r = st.pending.result
        if (r === undefined) {
          if (kernel.now() >= st.deadline) return -Errno.EAGAIN
          return c.block([st.pending], st.deadline)
        }
        return typeof r === 'number' ? r : write(r, out, max)
      }
      if (!netHost.isReady()) return -Errno.EAGAIN
      const r = netHost.lookup(name)
      if (Array.isArray(r)) return write(r, out, max)
      const pending = new PendingLookup()
      r.then(
        (ips) => (pending.result = ips),
        () => (pending.result = -Errno.EAGAIN),
      ).finally(() => kernel.notifyReady(pending))
      const deadline = kernel.now() + LOOKUP_WAIT_NS
      c.callState = {pending, deadline} satisfies LookupState
      return c.block([pending], deadline)
    }) as Impl,
  }
}

export const resolverGroup: SyscallGroup = {
  source: 'src/os/runtime/resolver.ts',
  bind: resolverImports,
  entries: [
    syscall('sphere', 'resolve', 'const char *name, uint32_t len, uint32_t *addrs, uint32_t max', {returns: 'n', mem: ['name[len]!'],
      decode: lookupName as never, policy: resolvePolicy as Policy,
      doc: '`getaddrinfo` / `gethostbyname`: up to `max` IPv4 addresses (network order) of `name`; -ENOENT: does not resolve, -EAGAIN: network not ready or the host resolver timed out (10 s). LSM: dns.query (AllowedConnections, or discovered through a listed DNS-SD service type)'}),
  ],
}
