/** The top two lines: which device, its OS, uptime, capabilities, manufacturing state and clock (view.ts). */
import {headerLines, type HeaderView} from '../view.js'
import {Lines} from './Lines.js'

export type HeaderProps = HeaderView

export function Header(props: HeaderProps) {
  return <Lines lines={headerLines(props)} width={props.width} height={2} />
}
