/** The live LSM audit feed: the latest decisions, denials highlighted. */
import {Text} from 'ink'
import type {SphereAppInfo, SphereAuditRecord} from '../../protocol/rest-api.js'
import {auditComponentId} from '../model.js'
import {Section} from './Section.js'
import {fitA} from './text.js'
import {useTheme} from './theme.js'

export interface AuditFeedProps {
  records: readonly SphereAuditRecord[]
  apps: readonly SphereAppInfo[]
  width: number
  height: number
  /** Only denials (toggled by the filter `denied`)? */
  deniedOnly?: boolean
}

/** Who a subject is, shortly: the app's name when known, else `host:x` / the component ID prefix. */
export function subjectName(r: SphereAuditRecord, apps: readonly SphereAppInfo[]): string {
  const cid = auditComponentId(r)
  if (cid === undefined) return r.subject
  return apps.find((a) => a.componentId.toLowerCase() === cid)?.name ?? cid.slice(0, 8)
}

export function AuditFeed({records, apps, width, height, deniedOnly}: AuditFeedProps) {
  const t = useTheme()
  const body = Math.max(0, height - 1)
  const list = deniedOnly ? records.filter((r) => !r.allowed) : records
  const shown = list.slice(Math.max(0, list.length - body))
  const denied = records.filter((r) => !r.allowed).length
  return (
    <Section title="Audit" subtitle={`${denied} denied of last ${records.length}`} width={width} height={height}>
      {shown.length === 0 ? (
        <Text wrap="truncate" color={t.c('muted')}>
          {fitA('no LSM decisions yet', width)}
        </Text>
      ) : null}
      {shown.map((r) => (
        <Text wrap="truncate" key={r.seq} bold={!r.allowed}>
          <Text wrap="truncate" color={t.c(r.allowed ? 'ok' : 'bad')}>
            {r.allowed ? 'allow ' : 'DENY  '}
          </Text>
          {fitA(
            `${subjectName(r, apps)} ${r.operation} ${r.object}${r.allowed ? '' : ` (${r.reason})`}`,
            Math.max(1, width - 6),
          )}
        </Text>
      ))}
    </Section>
  )
}
