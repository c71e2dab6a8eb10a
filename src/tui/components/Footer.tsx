/** The bottom line: key hints, the filter being typed, a confirmation question, or the last message (view.ts). */
import {footerLine, type FooterView} from '../view.js'
import {LineText} from './Lines.js'

export {HINTS, type Message} from '../view.js'
export type FooterProps = FooterView

export function Footer(props: FooterProps) {
  return <LineText line={footerLine(props)} />
}
