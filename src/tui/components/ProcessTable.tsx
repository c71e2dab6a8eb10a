/** The process table: one row per app with pid, uid, state, memory bar, restarts and cpu share (view.ts). */
import {processTableLines, type ProcessTableView} from '../view.js'
import {Lines} from './Lines.js'

export {scrollTop} from '../view.js'
export type ProcessTableProps = ProcessTableView

export function ProcessTable(props: ProcessTableProps) {
  return <Lines lines={processTableLines(props)} width={props.width} height={props.height} />
}
