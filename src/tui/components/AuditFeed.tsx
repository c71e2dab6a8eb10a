/** The live LSM audit feed: the latest decisions, denials highlighted (view.ts). */
import {auditFeedLines, type AuditFeedView} from '../view.js'
import {Lines} from './Lines.js'

export {subjectName} from '../view.js'
export type AuditFeedProps = AuditFeedView

export function AuditFeed(props: AuditFeedProps) {
  return <Lines lines={auditFeedLines(props)} width={props.width} height={props.height} />
}
