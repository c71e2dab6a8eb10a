/**
 * Record / replay and snapshots (docs/replay.md): the virtual clock, the recording in progress, device
 * snapshots. All under /sphere/, privileged where they change the device.
 */
import {route} from './spec.js'

export interface ClockAdvanceResponse {
  /** Virtual time since boot after the advance (ms). */
  virtualTimeMs: number
}

export interface RecordingStatus {
  /** The file being written, or null when the device is not recording. */
  file: string | null
  /** The clock of the recording ('fast-forward', 'paced' for a recorded realtime device), or null. */
  clock: string | null
  /** Lines written so far (header included). */
  lines: number
  /** Boot and scheduling point (Kernel.steps) the device is at, and its virtual time (ms). */
  boot: number
  step: number
  virtualTimeMs: number
}

export interface SnapshotInfo {
  name: string
  /** When it was saved (ISO 8601, host time). */
  createdAt: string
  /** Boot, scheduling point and virtual time (ms) the snapshot was taken at. */
  boot: number
  step: number
  virtualTimeMs: number
  /** Inputs a restore re-applies to reach that point. */
  inputs: number
  /** Size of the snapshot file. */
  bytes: number
  /** The apps that were running, with a digest of each one's linear memory. */
  apps: {componentId: string; pid: number; memoryBytes: number; memorySha256: string}[]
}

export const advance = route<{ms: number}, ClockAdvanceResponse>()({
  name: 'replay.advance',
  method: 'POST',
  path: '/sphere/clock/advance',
  request: 'json',
  errors: ['busy'],
  access: 'privileged',
  summary: 'Run the virtual clock forward by ms (fast-forward and recorded devices)',
})
export const recording = route<undefined, RecordingStatus>()({
  name: 'replay.recording',
  method: 'GET',
  path: '/sphere/recording',
  summary: 'The recording in progress (sim start --record), if any',
})
export const snapshots = route<undefined, SnapshotInfo[]>()({
  name: 'replay.snapshots',
  method: 'GET',
  path: '/sphere/snapshots',
  summary: 'Saved device snapshots',
})
export const saveSnapshot = route<{name: string}, SnapshotInfo>()({
  name: 'replay.saveSnapshot',
  method: 'POST',
  path: '/sphere/snapshots',
  request: 'json',
  errors: ['busy'],
  access: 'privileged',
  summary: 'Save the whole device as it is now under a name',
})
export const restoreSnapshot = route<undefined, SnapshotInfo>()({
  name: 'replay.restoreSnapshot',
  method: 'POST',
  path: '/sphere/snapshots/{name}/restore',
  errors: ['busy'],
  access: 'privileged',
  summary: 'Replace the device with a saved snapshot; it continues from there',
})
export const deleteSnapshot = route<undefined, Record<string, never>>()({
  name: 'replay.deleteSnapshot',
  method: 'DELETE',
  path: '/sphere/snapshots/{name}',
  access: 'privileged',
  summary: 'Delete a saved snapshot',
})
