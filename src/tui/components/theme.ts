/**
 * Colours of the monitor, switched off as a whole when colour is disabled (NO_COLOR, not a TTY).
 *
 * Components ask `useTheme()` for a colour by role; with colour off every role is undefined, so Ink
 * writes no colour codes. Bold, dim and inverse stay on: they carry meaning (selection, headings) and are
 * not colours.
 */
import {createContext, useContext} from 'react'

import type {Role} from '../view.js'

export type {Role} from '../view.js'
export {ledRole, stateRole} from '../view.js'

const COLORS: Record<Role, string> = {
  accent: 'cyan',
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  muted: 'gray',
  red: 'red',
  green: 'green',
  blue: 'blue',
  yellow: 'yellow',
  magenta: 'magenta',
  cyan: 'cyan',
  white: 'white',
}

export interface Theme {
  color: boolean
  /** The Ink colour for a role, or undefined when colour is off. */
  c(role: Role): string | undefined
}

export function makeTheme(color: boolean): Theme {
  return {color, c: (role) => (color ? COLORS[role] : undefined)}
}

export const ThemeContext = createContext<Theme>(makeTheme(false))

export function useTheme(): Theme {
  return useContext(ThemeContext)
}
