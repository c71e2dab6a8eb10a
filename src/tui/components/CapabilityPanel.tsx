/** The selected app's declared capabilities next to what it used, and what the LSM denied it (view.ts). */
import {capabilityPanelLines, type AppPanelView} from '../view.js'
import {Lines} from './Lines.js'

export {capabilityLines, type CapabilityLine} from '../view.js'
export type CapabilityPanelProps = AppPanelView

export function CapabilityPanel(props: CapabilityPanelProps) {
  return <Lines lines={capabilityPanelLines(props)} width={props.width} height={props.height} />
}
