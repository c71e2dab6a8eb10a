import {SphereError} from '../../util/errors.js'

/** Stable codes of everything the link layer can reject or fail with. */
export type LinkErrorCode =
  // frame/packet decoding (a bad frame is dropped; these never reach a user unless decoding is called directly)
  | 'SLIP_BAD_ESCAPE'
  | 'SLIP_FRAME_TOO_LARGE'
  | 'IPV4_TRUNCATED'
  | 'IPV4_BAD_VERSION'
  | 'IPV4_BAD_HEADER_LENGTH'
  | 'IPV4_BAD_LENGTH'
  | 'IPV4_BAD_CHECKSUM'
  | 'IPV4_FRAGMENT'
  | 'IPV4_BAD_ADDRESS'
  | 'TCP_TRUNCATED'
  | 'TCP_BAD_OFFSET'
  | 'TCP_BAD_OPTION'
  | 'TCP_BAD_CHECKSUM'
  | 'TCP_BAD_CRC'
  | 'TCP_BAD_SEGMENT'
  // connection / link failures (these do reach users, via the Duplex 'error' event)
  | 'TCP_CONNECTION_REFUSED'
  | 'TCP_CONNECTION_RESET'
  | 'TCP_TIMEOUT'
  | 'TCP_TOO_MANY_CONNECTIONS'
  | 'TCP_STACK_CLOSED'
  | 'LINK_DOWN'
  | 'SERIAL_OPEN_FAILED'

/** Typed rejection of a malformed frame / packet / segment, or a failed connection. */
export class LinkError extends SphereError {
  declare readonly code: LinkErrorCode
  constructor(code: LinkErrorCode, message: string, opts: {suggestions?: string[]; cause?: unknown} = {}) {
    super(code, message, opts)
    this.name = 'LinkError'
  }
}

export function isLinkError(e: unknown): e is LinkError {
  return e instanceof LinkError
}
