import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * The directory holding all sphere state: config.json, keys, simulator state dirs.
 * SPHERE_HOME wins; otherwise the platform config dir (XDG_CONFIG_HOME/sphere-sdk on Linux).
 */
export function sphereHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPHERE_HOME) return env.SPHERE_HOME
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Preferences', 'sphere-sdk')
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'sphere-sdk', 'Config')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'sphere-sdk')
}
