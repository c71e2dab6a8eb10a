/**
 * What device recovery erases in a state directory. The recovery bootloader erases the flash and writes the
 * shipped system software: applications, their mutable storage and logs, staged images, board
 * configurations, the OS slots and the update, usage and audit records go. What is not in the erasable flash
 * stays: the device ID and the manufacturing state (e-fuses). Device capabilities return to the ones the
 * device shipped with. Derived data (the instrumented-binary cache), the simulator's own configuration
 * (network.json, the device's TLS identity) and host-side settings are not device flash and stay.
 *
 * Crash safety: the app registry is committed empty first (a kill -9 after that point boots a device without
 * apps); running recovery again completes an interrupted one.
 */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import type {DeviceCapability} from '../lsm/policy.js'
import {BoardConfigStore} from './board-config.js'
import {StateStore} from '../storage/state-store.js'

/** Entries of the state directory recovery removes (the update agent writes the shipped OS at the next boot). */
export const RECOVERY_ERASES = ['images', 'staged', 'storage', 'logs', 'usage', 'audit', 'os', 'os.json', 'updates.json'] as const

export function eraseForRecovery(stateDir: string, shippedCapabilities: DeviceCapability[]): void {
  const store = StateStore.open(stateDir)
  store.commitRegistry([])
  // bootIdentity counts a boot; recovery is not one, so the count is written back unchanged
  const id = store.bootIdentity({capabilities: shippedCapabilities})
  store.writeIdentity({...id, bootCount: id.bootCount - 1, capabilities: [...shippedCapabilities]})
  BoardConfigStore.erase(stateDir)
  for (const e of RECOVERY_ERASES) rmSync(join(stateDir, e), {recursive: true, force: true})
}
