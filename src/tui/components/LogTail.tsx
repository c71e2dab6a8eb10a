/** The selected app's last output lines (view.ts). */
import {logTailLines, type LogTailView} from '../view.js'
import {Lines} from './Lines.js'

export type LogTailProps = LogTailView

export function LogTail(props: LogTailProps) {
  return <Lines lines={logTailLines(props)} width={props.width} height={props.height} />
}
