/** Where the local hub keeps its state: `$SPHERE_HOME/hub/` (one hub per SPHERE_HOME). */
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const hubDir = (home: string): string => join(home, 'hub')
/** The running service's record (pid, ports, socket); removed on a clean exit. */
export const hubInfoFile = (home: string): string => join(hubDir(home), 'hub.json')
/** Settings kept across restarts (the MQTT port chosen on the first start, host names, ID scope). */
export const hubConfigFile = (home: string): string => join(hubDir(home), 'config.json')
/** The registry, enrolment groups, twins and accepted message IDs. */
export const hubStateFile = (home: string): string => join(hubDir(home), 'state.json')
export const hubLogFile = (home: string): string => join(hubDir(home), 'hub.log')
export const hubLockFile = (home: string): string => join(hubDir(home), 'start.lock')
export const hubTlsDir = (home: string): string => join(hubDir(home), 'tls')

/** The control channel's Unix socket; a short path in tmpdir when the home is too deep for sun_path. */
export function hubSocketPath(home: string): string {
  const p = join(hubDir(home), 'control.sock')
  if (Buffer.byteLength(p) < 100) return p
  return join(tmpdir(), `sphere-hub-${createHash('sha256').update(p).digest('hex').slice(0, 16)}.sock`)
}
