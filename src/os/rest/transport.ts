/**
 * Which transport a REST connection arrived on. Each listener (listen.ts) tags the sockets it accepts; the
 * handler (server.ts) refuses the simulator's privileged extensions on transports a remote peer can reach.
 *
 *   unix    the daemon's Unix socket (mode 0600: only the user who started the simulator)   privileged
 *   https   the HTTPS device API on TCP (any host that can route to it)                     not privileged
 *   http    plain HTTP on TCP (local tools)                                                  not privileged
 *   serial  HTTP over the SLIP/TCP service link (whoever holds the serial line)             not privileged
 *
 * Privileged = may grant device capabilities without a signed capability file and may change the simulated
 * physical world (buttons, pins). Everything the device REST API defines works on every transport.
 */
export type RestTransport = 'unix' | 'https' | 'http' | 'serial'

const TAG = Symbol.for('sphere.rest.transport')

export function tagTransport(sock: object, transport: RestTransport): void {
  ;(sock as Record<symbol, unknown>)[TAG] = transport
}

/** The tag of a socket; a TLS socket without one counts as https; anything else untagged is undefined. */
export function transportOf(sock: object | null | undefined): RestTransport | undefined {
  if (!sock) return undefined
  const t = (sock as Record<symbol, unknown>)[TAG]
  if (typeof t === 'string') return t as RestTransport
  if ((sock as {encrypted?: boolean}).encrypted === true) return 'https'
  return undefined
}

/** Transports on which the privileged /sphere/ extensions are accepted. */
export const PRIVILEGED_TRANSPORTS: readonly RestTransport[] = ['unix']
