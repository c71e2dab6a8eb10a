/** The bottom line: key hints, the filter being typed, a confirmation question, or the last message. */
import {Text} from 'ink'
import {fitA} from './text.js'
import {useTheme} from './theme.js'

export type Message = {text: string; kind: 'info' | 'ok' | 'error'}

export type FooterProps =
  | {mode: 'normal' | 'help'; message: Message | undefined; width: number}
  | {mode: 'filter'; filter: string; width: number}
  | {mode: 'confirm'; question: string; width: number}

export const HINTS =
  'j/k select  Enter details  s start/stop  r restart  d delete  b/B buttons  / filter  ? help  q quit'

export function Footer(p: FooterProps) {
  const t = useTheme()
  if (p.mode === 'filter') {
    return (
      <Text wrap="truncate">
        <Text wrap="truncate" bold color={t.c('accent')}>
          /
        </Text>
        {fitA(`${p.filter}_  (Enter: keep, Esc: clear)`, p.width - 1)}
      </Text>
    )
  }
  if (p.mode === 'confirm') {
    return (
      <Text wrap="truncate" bold inverse color={t.c('bad')}>
        {fitA(` ${p.question} y = yes, any other key = no `, p.width)}
      </Text>
    )
  }
  if (p.message) {
    const role = p.message.kind === 'error' ? 'bad' : p.message.kind === 'ok' ? 'ok' : 'accent'
    return (
      <Text wrap="truncate" color={t.c(role)} bold={p.message.kind === 'error'}>
        {fitA(p.message.text, p.width)}
      </Text>
    )
  }
  return (
    <Text wrap="truncate" color={t.c('muted')}>
      {fitA(HINTS, p.width)}
    </Text>
  )
}
