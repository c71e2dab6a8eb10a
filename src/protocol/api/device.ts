/** Device endpoints (device REST API §5): status, restart, identity, capabilities, manufacturing state, logs. */
import type {ManufacturingState, MemoryStatsResponse, StatusResponse} from '../rest-api.js'
import {route} from './spec.js'

export const status = route<undefined, StatusResponse>()({
  name: 'device.status',
  method: 'GET',
  path: '/status',
  summary: 'Uptime in seconds; the REST-API-Version header names the API version',
})
export const restart = route<undefined, {restartingSystem: boolean}>()({
  name: 'device.restart',
  method: 'POST',
  path: '/restart',
  summary: 'Reboot the device once the reply is out (installed apps survive)',
})
export const osVersion = route<undefined, {osversion: string}>()({
  name: 'device.osVersion',
  method: 'GET',
  path: '/osversion',
  summary: 'The OS version',
})
export const securityState = route<
  undefined,
  {securityState?: string; deviceIdentifier: string; deviceIdentityPublicKey?: string}
>()({
  name: 'device.securityState',
  method: 'GET',
  path: '/device/security_state',
  summary: 'The device ID and its security state',
})
export const capabilities = route<undefined, {device_capabilities: number[]}>()({
  name: 'device.capabilities',
  method: 'GET',
  path: '/device/capabilities',
  summary: 'Device capability numbers',
})
export const manufacturingState = route<undefined, {manufacturingState: ManufacturingState}>()({
  name: 'device.manufacturingState',
  method: 'GET',
  path: '/device/manufacturing_state',
  summary: 'The manufacturing state',
})
export const setManufacturingState = route<{manufacturingState: 'Module1Complete' | 'DeviceComplete'}>()({
  name: 'device.setManufacturingState',
  method: 'PUT',
  path: '/device/manufacturing_state',
  request: 'json',
  errors: ['busy'],
  summary: 'Advance the manufacturing state (never back)',
})
export const log = route<undefined, Uint8Array>()({
  name: 'device.log',
  method: 'GET',
  path: '/log',
  response: 'bytes',
  summary: 'The diagnostic log',
})
export const telemetry = route<undefined, Uint8Array>()({
  name: 'device.telemetry',
  method: 'GET',
  path: '/telemetry',
  response: 'bytes',
  summary: 'Telemetry records (binary)',
})
export const clearTelemetry = route()({
  name: 'device.clearTelemetry',
  method: 'DELETE',
  path: '/telemetry',
  summary: 'Clear the telemetry records',
})
export const memoryStats = route<undefined, MemoryStatsResponse>()({
  name: 'device.memoryStats',
  method: 'GET',
  path: '/stats/memory/groups/applications',
  summary: 'Memory use of the application group',
})
