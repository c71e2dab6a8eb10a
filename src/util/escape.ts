/**
 * Make a string safe to embed in one line of text the OS writes (an audit object, a diagnostic log line, an OS
 * log line): every control character (C0, DEL, C1) and the Unicode line and paragraph separators become
 * `\n`, `\r`, `\t` or `\xNN` / `\uNNNN`, so text that came from an app can never start a line of its own.
 */
export function escapeControl(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return '\\t'
    const n = c.charCodeAt(0)
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`
  })
}
