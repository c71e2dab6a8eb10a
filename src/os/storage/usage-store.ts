import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'

/**
 * What each app has used of its manifest capabilities, kept across restarts (the least-privilege advisor
 * reads it): `<stateDir>/usage/<componentId>.json`, replaced atomically whenever an app uses a capability
 * for the first time.
 */
export interface UsageRecord {
  componentId: string
  /** The image the record is about: a new image starts a new record. */
  imageId: string
  /** LSM capability keys (`Gpio:8`, `AllowedConnections:example.com`, `NetworkConfig`, ...). */
  used: string[]
  /** ISO time the record started. */
  since: string
}

export class UsageStore {
  private readonly dir: string

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'usage')
    mkdirSync(this.dir, {recursive: true})
  }

  private file(componentId: string): string {
    return join(this.dir, `${componentId}.json`)
  }

  read(componentId: string): UsageRecord | undefined {
    const f = this.file(componentId)
    if (!existsSync(f)) return undefined
    try {
      const r = JSON.parse(readFileSync(f, 'utf8')) as UsageRecord
      return Array.isArray(r.used) && typeof r.imageId === 'string' ? r : undefined
    } catch {
      return undefined // a damaged record only loses usage history
    }
  }

  write(r: UsageRecord): void {
    writeFileAtomic(this.file(r.componentId), JSON.stringify(r))
  }

  delete(componentId: string): void {
    rmSync(this.file(componentId), {force: true})
  }

  componentIds(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .map((f) => f.slice(0, -5))
  }
}
