/**
 * Installed board configurations (image type 21): sideloaded with `device sideload deploy`, listed by GET
 * /images, removed with `device sideload delete --component-id`, erased by recovery. The device holds one
 * board configuration: installing another replaces it. Persisted in `<stateDir>/boardconfig.json`.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../../util/atomic-file.js'

export interface InstalledBoardConfig {
  componentId: string
  imageId: string
  name: string
  preset: string
  sizeBytes: number
}

export const BOARD_CONFIG_STATE_FILE = 'boardconfig.json'

export class BoardConfigStore {
  private items: InstalledBoardConfig[] = []

  private constructor(private readonly file: string) {}

  static open(stateDir: string): BoardConfigStore {
    const s = new BoardConfigStore(join(stateDir, BOARD_CONFIG_STATE_FILE))
    if (existsSync(s.file)) {
      try {
        const data = JSON.parse(readFileSync(s.file, 'utf8')) as {boardConfigs?: InstalledBoardConfig[]}
        if (Array.isArray(data.boardConfigs))
          s.items = data.boardConfigs.filter((b) => typeof b?.componentId === 'string' && typeof b.imageId === 'string').slice(0, 1)
      } catch {
        s.items = [] // unreadable: no board configuration
      }
    }
    return s
  }

  list(): InstalledBoardConfig[] {
    return this.items.map((b) => ({...b}))
  }

  has(componentId: string): boolean {
    return this.items.some((b) => b.componentId === componentId.toLowerCase())
  }

  /** Install (replacing the board configuration installed before). */
  install(b: InstalledBoardConfig): void {
    this.commit([{...b, componentId: b.componentId.toLowerCase()}])
  }

  /** False when no such board configuration is installed. */
  remove(componentId: string): boolean {
    const cid = componentId.toLowerCase()
    if (!this.has(cid)) return false
    this.commit(this.items.filter((b) => b.componentId !== cid))
    return true
  }

  /** Recovery: forget every board configuration. */
  static erase(stateDir: string): void {
    rmSync(join(stateDir, BOARD_CONFIG_STATE_FILE), {force: true})
  }

  private commit(next: InstalledBoardConfig[]): void {
    writeFileAtomic(this.file, JSON.stringify({boardConfigs: next}))
    this.items = next
  }
}
