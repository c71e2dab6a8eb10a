/**
 * The device's resolver: what apps reach at 127.0.0.1:53 (DNS messages, the way Azure Sphere's DNS-SD support
 * takes them) and what getaddrinfo asks (sphere.resolve). It answers from
 * - the DNS-SD records of the world file (`dnsSd`, docs/world.md): PTR for a service type, SRV + TXT for an
 *   instance (with the target's A record as additional data), A for the instance's target host,
 * - the device's hosts map (A records).
 * Everything else is NXDOMAIN: an unknown name never becomes an address. Which names an app may ask about is the
 * LSM's decision (`dns.query`, AllowedConnections); this module only knows the records.
 *
 * The wire format is RFC 1035 (header, question, resource records; names in answers are written uncompressed;
 * names in questions may use compression pointers, which are followed with a hop limit).
 */
import {isIPv4} from 'node:net'

/** One DNS-SD service instance the world advertises. */
export interface DnsSdInstance {
  /** Service type, e.g. `_sample-service._tcp.local`. */
  service: string
  /** Instance label, e.g. `SampleInstance` (full name `SampleInstance._sample-service._tcp.local`). */
  instance: string
  /** Target host name of the SRV record, e.g. `sample-host.local`. */
  host: string
  /** IPv4 address of the target host (its A record). */
  address: string
  port: number
  /** TXT strings (`key=value`). */
  txt: string[]
  /** TTL of the records, seconds (default 120). */
  ttl?: number
}

export const DNS_TYPE = {A: 1, PTR: 12, TXT: 16, SRV: 33, ANY: 255} as const
const CLASS_IN = 1
const MAX_MESSAGE = 512

/** Normalise a DNS name: lower case, no trailing dot. */
export function dnsName(n: string): string {
  return n.toLowerCase().replace(/\.$/, '')
}

export interface DnsQuestion {
  id: number
  flags: number
  name: string
  type: number
  cls: number
  /** Bytes of the header + question (echoed in the answer). */
  end: number
}

/** Read a (possibly compressed) name at `off`; returns the name and the offset after it, or undefined. */
function readName(b: Uint8Array, off: number): {name: string; next: number} | undefined {
  const labels: string[] = []
  let p = off
  let next = -1
  let hops = 0
  let total = 0
  for (;;) {
    if (p >= b.length) return undefined
    const len = b[p]!
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= b.length || ++hops > 32) return undefined
      if (next < 0) next = p + 2
      p = ((len & 0x3f) << 8) | b[p + 1]!
      continue
    }
    if (len & 0xc0) return undefined
    if (len === 0) {
      if (next < 0) next = p + 1
      break
    }
    if (p + 1 + len > b.length) return undefined
    total += len + 1
    if (total > 255) return undefined
    labels.push(Buffer.from(b.subarray(p + 1, p + 1 + len)).toString('latin1'))
    p += 1 + len
  }
  return {name: labels.join('.'), next}
}

/** The question of a DNS query (QR clear, opcode QUERY, exactly one question), or undefined. */
export function parseQuestion(msg: Uint8Array): DnsQuestion | undefined {
  if (msg.length < 12 || msg.length > MAX_MESSAGE) return undefined
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  const flags = v.getUint16(2)
  if (flags & 0x8000 || ((flags >> 11) & 0xf) !== 0) return undefined
  if (v.getUint16(4) !== 1) return undefined
  const n = readName(msg, 12)
  if (!n || n.next + 4 > msg.length) return undefined
  return {
    id: v.getUint16(0),
    flags,
    name: dnsName(n.name),
    type: v.getUint16(n.next),
    cls: v.getUint16(n.next + 2) & 0x7fff,
    end: n.next + 4,
  }
}

/** A name in wire form, its case kept (DNS compares names case-insensitively and answers keep the case). */
function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '')
  return Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ])
}

interface Rr {
  name: string
  type: number
  ttl: number
  rdata: Buffer
}

function rrBytes(r: Rr): Buffer {
  const fixed = Buffer.alloc(10)
  fixed.writeUInt16BE(r.type, 0)
  fixed.writeUInt16BE(CLASS_IN, 2)
  fixed.writeUInt32BE(r.ttl, 4)
  fixed.writeUInt16BE(r.rdata.length, 8)
  return Buffer.concat([encodeName(r.name), fixed, r.rdata])
}

const aData = (ip: string): Buffer => Buffer.from(ip.split('.').map(Number))

function srvData(port: number, target: string): Buffer {
  const h = Buffer.alloc(6)
  h.writeUInt16BE(0, 0) // priority
  h.writeUInt16BE(0, 2) // weight
  h.writeUInt16BE(port, 4)
  return Buffer.concat([h, encodeName(target)])
}

function txtData(txt: readonly string[]): Buffer {
  const parts = txt.length === 0 ? [''] : txt
  return Buffer.concat(
    parts.map((t) => {
      const s = Buffer.from(t, 'utf8').subarray(0, 255)
      return Buffer.concat([Buffer.from([s.length]), s])
    }),
  )
}

/** The records the device's resolver serves. */
export class DnsRecords {
  private instances: DnsSdInstance[] = []

  constructor(private readonly hostAddress: (name: string) => string | undefined) {}

  /** Replace the DNS-SD instances (the world file's `dnsSd`). */
  setInstances(list: readonly DnsSdInstance[]): void {
    this.instances = list.map((i) => ({...i, service: dnsName(i.service), host: dnsName(i.host)}))
  }

  list(): DnsSdInstance[] {
    return this.instances.map((i) => ({...i, txt: [...i.txt]}))
  }

  /** The instance's full name, as the world spells it. */
  private fullName(i: DnsSdInstance): string {
    return `${i.instance}.${i.service}`
  }

  /** Addresses a DNS-SD service type stands for (its instances' hosts), for the firewall. */
  serviceAddresses(service: string): string[] {
    const s = dnsName(service)
    return [...new Set(this.instances.filter((i) => i.service === s).map((i) => i.address))]
  }

  /** Names discovered through service type `service`: its instances and their target hosts. */
  serviceNames(service: string): string[] {
    const s = dnsName(service)
    return this.instances.filter((i) => i.service === s).flatMap((i) => [dnsName(this.fullName(i)), i.host])
  }

  /** The A record of a name: a DNS-SD target host or the hosts map. */
  address(name: string): string | undefined {
    const n = dnsName(name)
    return this.instances.find((i) => i.host === n)?.address ?? this.hostAddress(n)
  }

  /** The answer to a query (NXDOMAIN for names the device does not know), or undefined for a malformed one. */
  answer(msg: Uint8Array): Uint8Array | undefined {
    const q = parseQuestion(msg)
    if (!q) return undefined
    const an: Rr[] = []
    const ar: Rr[] = []
    const wants = (t: number): boolean => q.type === t || q.type === DNS_TYPE.ANY
    let known = false
    if (q.cls === CLASS_IN || q.cls === DNS_TYPE.ANY) {
      for (const i of this.instances) {
        const ttl = i.ttl ?? 120
        if (i.service === q.name) {
          known = true
          if (wants(DNS_TYPE.PTR))
            an.push({name: i.service, type: DNS_TYPE.PTR, ttl, rdata: encodeName(this.fullName(i))})
        }
        if (dnsName(this.fullName(i)) === q.name) {
          known = true
          const full = this.fullName(i)
          if (wants(DNS_TYPE.SRV)) an.push({name: full, type: DNS_TYPE.SRV, ttl, rdata: srvData(i.port, i.host)})
          if (wants(DNS_TYPE.TXT)) an.push({name: full, type: DNS_TYPE.TXT, ttl, rdata: txtData(i.txt)})
          if (wants(DNS_TYPE.SRV)) ar.push({name: i.host, type: DNS_TYPE.A, ttl, rdata: aData(i.address)})
        }
      }
      const a = this.address(q.name)
      if (a && isIPv4(a)) {
        known = true
        if (wants(DNS_TYPE.A)) an.push({name: q.name, type: DNS_TYPE.A, ttl: 120, rdata: aData(a)})
      }
    }
    const header = Buffer.alloc(12)
    header.writeUInt16BE(q.id, 0)
    // QR, AA, RD echoed; RCODE 0 or 3 (NXDOMAIN)
    header.writeUInt16BE(0x8400 | (q.flags & 0x0100) | (known ? 0 : 3), 2)
    header.writeUInt16BE(1, 4)
    header.writeUInt16BE(an.length, 6)
    header.writeUInt16BE(0, 8)
    header.writeUInt16BE(ar.length, 10)
    const out = Buffer.concat([header, Buffer.from(msg.subarray(12, q.end)), ...an.map(rrBytes), ...ar.map(rrBytes)])
    return out.length > MAX_MESSAGE ? out.subarray(0, MAX_MESSAGE) : out
  }
}

/** Check a world file's `dnsSd` entry; throws Error with a message naming the problem. */
export function dnsSdInstance(v: unknown, where: string): DnsSdInstance {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} must be a mapping`)
  const o = v as Record<string, unknown>
  const str = (k: string): string => {
    const x = o[k]
    if (typeof x !== 'string' || x.trim() === '') throw new Error(`${where}.${k} must be a non-empty string`)
    return x.trim()
  }
  const known = ['service', 'instance', 'host', 'address', 'port', 'txt', 'ttl']
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new Error(`${where}.${k}: unknown (use ${known.join(', ')})`)
  const service = str('service')
  if (!/^_[a-z0-9-]+\._(tcp|udp)(\.[a-z0-9-]+)+$/i.test(service))
    throw new Error(`${where}.service: ${service} is not a DNS-SD service type (e.g. _http._tcp.local)`)
  const instance = str('instance')
  if (instance.length > 63 || instance.includes('.'))
    throw new Error(`${where}.instance: one label of at most 63 characters, no dots`)
  const host = str('host')
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(host)) throw new Error(`${where}.host: ${host} is not a host name`)
  const address = str('address')
  if (!isIPv4(address)) throw new Error(`${where}.address: ${address} is not an IPv4 address`)
  const port = o.port
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
    throw new Error(`${where}.port must be a port number (1-65535)`)
  const txt = o.txt ?? []
  if (!Array.isArray(txt) || !txt.every((t) => typeof t === 'string' && Buffer.byteLength(t) <= 255))
    throw new Error(`${where}.txt must be a list of strings (each at most 255 bytes)`)
  const ttl = o.ttl
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > 2 ** 31 - 1))
    throw new Error(`${where}.ttl must be a number of seconds`)
  return {
    service,
    instance,
    host,
    address,
    port: port as number,
    txt: txt as string[],
    ...(ttl === undefined ? {} : {ttl: ttl as number}),
  }
}
