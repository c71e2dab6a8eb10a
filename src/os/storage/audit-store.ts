import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'
import {escapeControl} from '../../util/escape.js'
import type {AuditRecord} from '../kernel/events.js'

/** Largest tail accepted back from flash (records): what AuditLog writes is well under it. */
const MAX_RECORDS = 4096

/**
 * The persisted tail of the audit log's denials: `<stateDir>/audit/denials.json`, replaced atomically (temp
 * file, fsync, rename) each time it is written, so a power cut leaves the old tail or the new one.
 */
export class AuditStore {
  readonly file: string

  constructor(stateDir: string) {
    this.file = join(stateDir, 'audit', 'denials.json')
  }

  read(): AuditRecord[] {
    if (!existsSync(this.file)) return []
    try {
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as {version?: number; records?: unknown}
      if (doc.version !== 1 || !Array.isArray(doc.records)) return []
      return doc.records.slice(-MAX_RECORDS).flatMap((r) => record(r))
    } catch {
      return [] // a damaged tail only loses history; it never keeps the device from booting
    }
  }

  write(records: AuditRecord[]): void {
    writeFileAtomic(this.file, JSON.stringify({version: 1, records}))
  }
}

/** A record read back, checked field by field (its text fields re-escaped: one record stays one line). */
function record(v: unknown): AuditRecord[] {
  if (typeof v !== 'object' || v === null) return []
  const r = v as Record<string, unknown>
  const str = (k: string): string | undefined => (typeof r[k] === 'string' ? escapeControl(r[k] as string) : undefined)
  const num = (k: string): number | undefined => (Number.isFinite(r[k]) ? (r[k] as number) : undefined)
  const subject = str('subject')
  const operation = str('operation')
  const object = str('object')
  const reason = str('reason')
  const seq = num('seq')
  const t = num('t')
  if (subject === undefined || operation === undefined || object === undefined || reason === undefined) return []
  if (seq === undefined || t === undefined || typeof r.allowed !== 'boolean') return []
  const out: AuditRecord = {seq, t, subject, operation, object, allowed: r.allowed, reason}
  for (const k of ['pid', 'errno', 'count', 'lastT', 'kindTotal'] as const) {
    const n = num(k)
    if (n !== undefined) out[k] = n
  }
  return [out]
}
