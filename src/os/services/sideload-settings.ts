/**
 * Device-side sideload settings served under /sphere/sideload/timeout (`device sideload
 * set-deployment-timeout` / `show-deployment-timeout`). Persisted in `<stateDir>/sideload.json`.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'

/** Longest deployment timeout accepted (minutes): one week. */
export const MAX_DEPLOYMENT_TIMEOUT_MINUTES = 7 * 24 * 60

export class SideloadSettings {
  private timeout: number | null = null
  private readonly file: string | undefined

  private constructor(file: string | undefined) {
    this.file = file
  }

  static open(stateDir: string | undefined): SideloadSettings {
    const s = new SideloadSettings(stateDir === undefined ? undefined : join(stateDir, 'sideload.json'))
    if (s.file && existsSync(s.file)) {
      try {
        const t = (JSON.parse(readFileSync(s.file, 'utf8')) as {timeoutMinutes?: unknown}).timeoutMinutes
        s.timeout =
          typeof t === 'number' && Number.isFinite(t) && t >= 0 && t <= MAX_DEPLOYMENT_TIMEOUT_MINUTES ? t : null
      } catch {
        s.timeout = null
      }
    }
    return s
  }

  /** Deployment timeout in minutes; null when none is set. */
  deploymentTimeout(): number | null {
    return this.timeout
  }

  setDeploymentTimeout(minutes: number | null): void {
    if (minutes !== null && (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_DEPLOYMENT_TIMEOUT_MINUTES)) {
      throw new RangeError(`deployment timeout must be 0-${MAX_DEPLOYMENT_TIMEOUT_MINUTES} minutes`)
    }
    if (this.file) writeFileAtomic(this.file, JSON.stringify({timeoutMinutes: minutes}))
    this.timeout = minutes
  }
}
