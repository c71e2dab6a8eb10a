import type {AuditRecord} from '../kernel/events.js'

/** Records the audit log keeps in RAM, all subjects together. */
export const AUDIT_RING = 10_000
/** First denials of distinct kinds (operation and errno) kept per subject whatever it does afterwards. */
export const AUDIT_PINS = 32
/** Per subject in the persisted tail: its pinned denials plus this many most recent ones. */
export const TAIL_RECENT = 32
/** Subjects in the persisted tail (the most recently active). */
export const TAIL_SUBJECTS = 32

/** Where the tail of denials is kept across restarts (the device state dir, written atomically). */
export interface AuditTailStore {
  read(): AuditRecord[]
  write(records: AuditRecord[]): void
}

interface SubjectLog {
  /** kind (operation/errno) -> the subject's first denial of that kind. */
  pins: Map<string, AuditRecord>
  /** Everything else, oldest first from `head`. */
  recent: AuditRecord[]
  head: number
  /** The subject's latest record, for coalescing a repeated denial into it. */
  last?: AuditRecord
}

const kindOf = (r: AuditRecord): string => `${r.operation}/${r.errno ?? 0}`

const same = (a: AuditRecord, b: AuditRecord): boolean =>
  !a.allowed &&
  !b.allowed &&
  a.operation === b.operation &&
  a.object === b.object &&
  a.reason === b.reason &&
  a.errno === b.errno &&
  a.pid === b.pid &&
  !a.previousBoot

/**
 * The audit log, with quotas so no subject can evict another's records or every trace of its own denials:
 * - a denial identical to the subject's previous record is coalesced into it (`count`, `lastT`, a new seq);
 * - past AUDIT_RING records, the subject holding the most loses its oldest: a flood evicts the flooder's own
 *   records first, and a subject holding no more than its fair share (AUDIT_RING / subjects) keeps them all;
 * - the first denial of each kind (operation and errno) per subject is pinned, never evicted, and counts all
 *   later denials of that kind (`kindTotal`);
 * - the pinned denials and the latest TAIL_RECENT denials of each subject are persisted (written at once
 *   when a new kind is pinned, else at `flush`), and restored at boot marked `previousBoot`.
 */
export class AuditLog {
  private seq = 0
  private total = 0
  private readonly subjects = new Map<string, SubjectLog>()
  private store?: AuditTailStore
  private dirty = false

  /** Restore the persisted tail (before any new record) and persist to `store` from now on. */
  attach(store: AuditTailStore): void {
    this.store = store
    const old = [...store.read()].sort((a, b) => a.seq - b.seq)
    for (const o of old) {
      const r: AuditRecord = {...o, seq: ++this.seq, previousBoot: true}
      const s = this.subject(r.subject)
      if (!r.allowed && !s.pins.has(kindOf(r)) && s.pins.size < AUDIT_PINS) s.pins.set(kindOf(r), r)
      else this.push(s, r)
      this.total++
    }
    this.evict()
  }

  /** Record a decision; returns the stored record (a new one, or the one a repeated denial was folded into). */
  add(r: Omit<AuditRecord, 'seq'>): AuditRecord {
    const s = this.subject(r.subject)
    const rec = r as AuditRecord
    if (!rec.allowed) {
      const pin = s.pins.get(kindOf(rec))
      if (pin) pin.kindTotal = (pin.kindTotal ?? 1) + 1
      this.dirty = true
    }
    if (s.last && same(s.last, rec)) {
      s.last.count = (s.last.count ?? 1) + 1
      s.last.lastT = rec.t
      s.last.seq = ++this.seq
      return s.last
    }
    rec.seq = ++this.seq
    s.last = rec
    this.total++
    if (!rec.allowed && !s.pins.has(kindOf(rec)) && s.pins.size < AUDIT_PINS) {
      s.pins.set(kindOf(rec), rec)
      this.evict()
      this.flush(true)
      return rec
    }
    this.push(s, rec)
    this.evict()
    return rec
  }

  /** Records, oldest first. */
  list(filter: {subject?: string; deniedOnly?: boolean} = {}): AuditRecord[] {
    const logs =
      filter.subject === undefined
        ? [...this.subjects.values()]
        : [this.subjects.get(filter.subject)].filter((s) => !!s)
    const out: AuditRecord[] = []
    for (const s of logs) {
      for (const r of s.pins.values()) out.push(r)
      for (let i = s.head; i < s.recent.length; i++) out.push(s.recent[i]!)
    }
    out.sort((a, b) => a.seq - b.seq)
    return filter.deniedOnly ? out.filter((r) => !r.allowed) : out
  }

  /** Records held in RAM now. */
  get size(): number {
    return this.total
  }

  /** Persist the tail when it changed since the last write (`force`: write now whatever). */
  flush(force = false): void {
    if (!this.store || (!this.dirty && !force)) return
    this.dirty = false
    try {
      this.store.write(this.tail())
    } catch {
      this.dirty = true // flash refused: kept for the next flush
    }
  }

  /** What is persisted: per subject (the most recently active), its pins and latest denials. */
  tail(): AuditRecord[] {
    const latest = (s: SubjectLog): number => s.last?.seq ?? s.recent.at(-1)?.seq ?? 0
    const subjects = [...this.subjects.values()].sort((a, b) => latest(b) - latest(a)).slice(0, TAIL_SUBJECTS)
    const out: AuditRecord[] = []
    for (const s of subjects) {
      out.push(...s.pins.values())
      let n = 0
      for (let i = s.recent.length - 1; i >= s.head && n < TAIL_RECENT; i--) {
        const r = s.recent[i]!
        if (!r.allowed) {
          out.push(r)
          n++
        }
      }
    }
    return out.sort((a, b) => a.seq - b.seq)
  }

  private subject(name: string): SubjectLog {
    let s = this.subjects.get(name)
    if (!s) this.subjects.set(name, (s = {pins: new Map(), recent: [], head: 0}))
    return s
  }

  private push(s: SubjectLog, r: AuditRecord): void {
    s.recent.push(r)
  }

  private shift(s: SubjectLog): void {
    if (s.recent[s.head] === s.last) s.last = undefined
    s.recent[s.head++] = undefined as unknown as AuditRecord
    this.total--
    if (s.head > 4096) {
      s.recent = s.recent.slice(s.head)
      s.head = 0
    }
  }

  /** Past the global bound, the subject holding the most records loses its oldest. */
  private evict(): void {
    while (this.total > AUDIT_RING) {
      let big: SubjectLog | undefined
      for (const s of this.subjects.values())
        if (!big || s.recent.length - s.head > big.recent.length - big.head) big = s
      if (!big || big.recent.length - big.head === 0) return
      this.shift(big)
    }
  }
}
