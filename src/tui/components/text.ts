/**
 * Text helpers for the Ink view. Ink measures every text node on every frame, and a string with any
 * non-ASCII character takes a much slower path than plain ASCII; so the view keeps lines ASCII and puts
 * the few symbols (bars, LED dots, marks) in text nodes of their own.
 */
import {cell, fit} from '../model.js'

/** Cut to `width` with an ASCII ellipsis. */
export function fitA(s: string, width: number): string {
  return fit(s, width, '~')
}

/** Pad or cut to exactly `width` with an ASCII ellipsis. */
export function cellA(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  return cell(s, width, align, '~')
}
