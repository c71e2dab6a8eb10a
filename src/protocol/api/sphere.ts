/**
 * The simulator's own endpoints under /sphere/ (not part of the Azure Sphere device API): device and app
 * views, logs, audit, the event stream, the simulated world, capability files, OTA updates, the device CA.
 */
import type {
  SphereAppInfo,
  SphereAuditRecord,
  SphereCapabilityAudit,
  SphereDeviceInfo,
  SphereEvent,
  SphereLogEntry,
  SphereUpdateStatus,
  SphereWorldState,
} from '../rest-api.js'
import {route} from './spec.js'

export interface SphereCapabilities {
  capabilities: string[]
  device_capabilities: number[]
}

export const device = route<undefined, SphereDeviceInfo>()({
  name: 'sphere.device',
  method: 'GET',
  path: '/sphere/device',
  summary: 'Device ID, OS version, uptime, capabilities, clock',
})
export const deviceCapabilities = route<undefined, SphereCapabilities>()({
  name: 'sphere.capabilities',
  method: 'GET',
  path: '/sphere/device/capabilities',
  summary: 'Device capabilities by name and number',
})
export const changeCapabilities = route<{capabilities?: string[]; revoke?: string[]}, SphereCapabilities>()({
  name: 'sphere.changeCapabilities',
  method: 'POST',
  path: '/sphere/device/capabilities',
  request: 'json',
  summary: 'Grant (local socket only) or revoke device capabilities without a capability file',
})
export const capabilityFile = route<{capabilities: string[]}, Uint8Array>()({
  name: 'sphere.capabilityFile',
  method: 'POST',
  path: '/sphere/capability/file',
  request: 'json',
  response: 'bytes',
  access: 'privileged',
  summary: 'Issue a capability file bound to this device, signed by its CA',
})
export const capabilityUpdate = route<Uint8Array, {capabilities: string[]; device_capabilities: number[]}>()({
  name: 'sphere.capabilityUpdate',
  method: 'PUT',
  path: '/sphere/capability',
  request: 'bytes',
  summary: 'Verify a capability file and persist its capabilities',
})
export const capabilitySession = route<Uint8Array, {capabilities: string[]; session: string[]}>()({
  name: 'sphere.capabilitySession',
  method: 'PUT',
  path: '/sphere/capability/session',
  request: 'bytes',
  summary: 'Apply a capability file for this boot only',
})
export const endCapabilitySession = route<undefined, {capabilities: string[]; session: string[]}>()({
  name: 'sphere.endCapabilitySession',
  method: 'DELETE',
  path: '/sphere/capability/session',
  summary: 'End the capability session',
})
export const apps = route<undefined, SphereAppInfo[]>()({
  name: 'sphere.apps',
  method: 'GET',
  path: '/sphere/apps',
  summary: 'Every installed app with its process, memory and capabilities',
})
export const appLog = route<undefined, SphereLogEntry[]>()({
  name: 'sphere.appLog',
  method: 'GET',
  path: '/sphere/apps/{componentId}/log',
  query: ['since', 'follow'],
  response: 'ndjson',
  errors: ['appNotPresent'],
  summary: 'App output after `since`; with follow=1 the response stays open (NDJSON of SphereLogEntry)',
})
export const appCapabilities = route<undefined, SphereCapabilityAudit>()({
  name: 'sphere.appCapabilities',
  method: 'GET',
  path: '/sphere/apps/{componentId}/capabilities',
  errors: ['appNotPresent'],
  summary: "The least-privilege advisor's report for one installed app",
})
export const updates = route<undefined, SphereUpdateStatus>()({
  name: 'sphere.updates',
  method: 'GET',
  path: '/sphere/updates',
  summary: 'OS slots and the update history',
})
export const applyUpdate = route<Uint8Array, {componentId: string; state: string}>()({
  name: 'sphere.applyUpdate',
  method: 'POST',
  path: '/sphere/updates',
  request: 'image',
  errors: ['imageNotStaged', 'noSpace', 'badComponentId'],
  summary: 'An update "from the cloud": verified, installed into the other A/B slot on trial',
})
/** What `POST /sphere/recover` did. */
export interface RecoverResult {
  deviceId: string
  previousOsVersion: string
  /** The shipped OS version the device runs after recovery. */
  osVersion: string
  /** The recovery images written to the flash. */
  images: {name: string; bytes: number}[]
  /** What was erased. */
  erased: {apps: number; boardConfigs: number; wifiNetworks: number; certificates: number; proxy: boolean}
  /** Device capabilities after recovery (the ones the device shipped with). */
  capabilities: string[]
}

export const recover = route<undefined, RecoverResult>()({
  name: 'sphere.recover',
  method: 'POST',
  path: '/sphere/recover',
  access: 'privileged',
  errors: ['busy'],
  summary: 'Recover the simulated device: erase its flash, write the shipped OS, reboot (local socket only)',
})
export const audit = route<undefined, SphereAuditRecord[]>()({
  name: 'sphere.audit',
  method: 'GET',
  path: '/sphere/audit',
  query: ['since'],
  summary: 'LSM decisions after `since`',
})
export const events = route<undefined, SphereEvent>()({
  name: 'sphere.events',
  method: 'GET',
  path: '/sphere/events',
  response: 'stream',
  summary: 'NDJSON event stream for the monitor: a snapshot, then changes, a heartbeat every 5 s',
})
export const world = route<undefined, SphereWorldState>()({
  name: 'sphere.world',
  method: 'GET',
  path: '/sphere/world',
  summary: 'The simulated board: LEDs, buttons, pins, sensors',
})
export const setWorld = route<{set: Record<string, unknown>}, SphereWorldState>()({
  name: 'sphere.setWorld',
  method: 'PATCH',
  path: '/sphere/world',
  request: 'json',
  access: 'privileged',
  summary: 'Set world values by path, e.g. {"set": {"buttons.A": true}}',
})
export const press = route<{button: string; holdMs?: number}, SphereWorldState>()({
  name: 'sphere.press',
  method: 'POST',
  path: '/sphere/world/press',
  request: 'json',
  access: 'privileged',
  summary: 'Press a board button (released after holdMs)',
})
export const deploymentTimeout = route<undefined, {timeoutMinutes: number | null}>()({
  name: 'sphere.deploymentTimeout',
  method: 'GET',
  path: '/sphere/sideload/timeout',
  summary: 'Minutes after which sideloaded apps are removed (null: never)',
})
export const setDeploymentTimeout = route<{timeoutMinutes: number | null}, {timeoutMinutes: number | null}>()({
  name: 'sphere.setDeploymentTimeout',
  method: 'PUT',
  path: '/sphere/sideload/timeout',
  request: 'json',
  summary: 'Set the sideload deployment timeout',
})
export const deviceCa = route<undefined, {caPem: string}>()({
  name: 'sphere.ca',
  method: 'GET',
  path: '/sphere/ca',
  summary: "The device's CA certificate (PEM), which HTTPS clients pin",
})
