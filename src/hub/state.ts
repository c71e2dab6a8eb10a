/**
 * The hub's durable state in `$SPHERE_HOME/hub/`: state.json (registry, enrolment groups, twins, queued C2D
 * messages, DPS registrations; rewritten atomically on every change) and messages.jsonl (one line per accepted
 * device-to-cloud message, appended before the device gets its PUBACK), read back on start. messages.jsonl is
 * rotated at 32 MiB into messages.1.jsonl (the one before is dropped), so a device that never stops sending
 * holds at most 64 MiB of the host's disk; duplicate detection covers both files.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../util/atomic-file.js'
import {hubDir, hubStateFile} from './paths.js'
import {emptyTwin, type TwinRecord} from './twin.js'
import type {DeviceIdentity, EnrollmentGroup, HubEvent} from './types.js'

export interface C2dQueued {
  messageId: string
  topic: string
  payload: string
}

export interface DpsRegistration {
  registrationId: string
  deviceId: string
  enrollmentGroupId: string
  createdDateTimeUtc: string
  lastUpdatedDateTimeUtc: string
  etag: string
}

interface StateFile {
  version: 1
  devices: Record<string, DeviceIdentity>
  twins: Record<string, TwinRecord>
  groups: Record<string, EnrollmentGroup>
  c2d: Record<string, C2dQueued[]>
  registrations: Record<string, DpsRegistration>
}

/** One accepted telemetry message as messages.jsonl keeps it. */
export interface AcceptedMessage {
  seq: number
  deviceId: string
  messageId: string
  event: HubEvent
}

/** How many accepted messages per device are remembered for duplicate detection and how many for replay. */
const DEDUP_WINDOW = 100_000
const REPLAY_WINDOW = 10_000
const ROTATE_BYTES = 32 * 1024 * 1024

export class HubState {
  devices: Record<string, DeviceIdentity> = {}
  twins: Record<string, TwinRecord> = {}
  groups: Record<string, EnrollmentGroup> = {}
  c2d: Record<string, C2dQueued[]> = {}
  registrations: Record<string, DpsRegistration> = {}
  /** The last accepted sequence number. */
  seq = 0
  private readonly seen = new Map<string, Set<string>>()
  readonly recent: AcceptedMessage[] = []
  private readonly messagesFile: string
  private readonly olderFile: string
  private messagesBytes = 0

  constructor(
    private readonly home: string,
    private readonly rotateBytes = ROTATE_BYTES,
  ) {
    this.messagesFile = join(hubDir(home), 'messages.jsonl')
    this.olderFile = join(hubDir(home), 'messages.1.jsonl')
    mkdirSync(hubDir(home), {recursive: true})
    this.load()
  }

  private load(): void {
    const f = hubStateFile(this.home)
    if (existsSync(f)) {
      let s: StateFile
      try {
        s = JSON.parse(readFileSync(f, 'utf8')) as StateFile
      } catch {
        throw new Error(`${f} is not valid JSON; move it away to start with an empty registry`)
      }
      this.devices = s.devices ?? {}
      this.twins = s.twins ?? {}
      this.groups = s.groups ?? {}
      this.c2d = s.c2d ?? {}
      this.registrations = s.registrations ?? {}
      // no device is connected to a service that is only starting
      for (const d of Object.values(this.devices)) d.connectionState = 'Disconnected'
    }
    for (const file of [this.olderFile, this.messagesFile]) {
      if (!existsSync(file)) continue
      const lines = readFileSync(file, 'utf8').split('\n')
      if (file === this.messagesFile) this.messagesBytes = statSync(file).size
      for (const line of lines) {
        if (!line) continue
        let m: AcceptedMessage
        try {
          m = JSON.parse(line) as AcceptedMessage
        } catch {
          continue // a line torn by a crash mid-append: that message was never acknowledged
        }
        this.remember(m)
      }
    }
  }

  save(): void {
    const s: StateFile = {
      version: 1,
      devices: this.devices,
      twins: this.twins,
      groups: this.groups,
      c2d: this.c2d,
      registrations: this.registrations,
    }
    writeFileAtomic(hubStateFile(this.home), JSON.stringify(s, null, 1))
  }

  twin(deviceId: string): TwinRecord {
    return (this.twins[deviceId] ??= emptyTwin())
  }

  private remember(m: AcceptedMessage): void {
    if (m.seq > this.seq) this.seq = m.seq
    let set = this.seen.get(m.deviceId)
    if (!set) this.seen.set(m.deviceId, (set = new Set()))
    set.add(m.messageId)
    if (set.size > DEDUP_WINDOW) set.delete(set.values().next().value!)
    this.recent.push(m)
    if (this.recent.length > REPLAY_WINDOW * 2) this.recent.splice(0, this.recent.length - REPLAY_WINDOW)
  }

  /** Whether the device's message with this ID was accepted already. */
  accepted(deviceId: string, messageId: string): boolean {
    return this.seen.get(deviceId)?.has(messageId) ?? false
  }

  /** Record an accepted message durably (before its PUBACK); returns it with its sequence number. */
  accept(deviceId: string, messageId: string, event: (seq: number) => HubEvent): AcceptedMessage {
    const m: AcceptedMessage = {seq: this.seq + 1, deviceId, messageId, event: event(this.seq + 1)}
    const line = JSON.stringify(m) + '\n'
    if (this.messagesBytes > 0 && this.messagesBytes + line.length > this.rotateBytes) {
      renameSync(this.messagesFile, this.olderFile)
      this.messagesBytes = 0
    }
    appendFileSync(this.messagesFile, line)
    this.messagesBytes += Buffer.byteLength(line)
    this.remember(m)
    return m
  }

  /** Accepted messages after sequence number `since`, oldest first (those still in the replay window). */
  since(since: number): AcceptedMessage[] {
    let i = this.recent.length
    while (i > 0 && this.recent[i - 1]!.seq > since) i--
    return this.recent.slice(i)
  }
}
