/** The board: LEDs lit, blinking (with their measured rate) or steady off, buttons with presses, pins (view.ts). */
import {boardPanelLines, type BoardPanelView} from '../view.js'
import {Lines} from './Lines.js'

export {boardLineCount} from '../view.js'
export type BoardPanelProps = BoardPanelView

export function BoardPanel(props: BoardPanelProps) {
  return <Lines lines={boardPanelLines(props)} width={props.width} height={props.height} />
}
