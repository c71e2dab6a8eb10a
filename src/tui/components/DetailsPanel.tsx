/** Everything about the selected app (Enter): full IDs, exact memory, every capability line (view.ts). */
import {detailsPanelLines, type AppPanelView} from '../view.js'
import {Lines} from './Lines.js'

export type DetailsPanelProps = AppPanelView

export function DetailsPanel(props: DetailsPanelProps) {
  return <Lines lines={detailsPanelLines(props)} width={props.width} height={props.height} />
}
