import {createPublicKey, sign, verify} from 'node:crypto'
import {OsError} from '../errors.js'
import {DEVICE_CAPABILITY_CODES, type DeviceCapability} from '../lsm/policy.js'
import {ensureDeviceCa} from './tls.js'

/**
 * Device capability files (.cap) for the simulator. A real device accepts capability images signed by
 * the Azure Sphere Security Service; a simulator accepts files signed by its own CA (kept in its state
 * dir), bound to its device ID. Layout: one line of JSON text
 *   {"format":"sphere-capability/1","deviceId":"<128 hex>","capabilities":[...],"issuedAt":"...","signature":"<base64>"}
 * where the signature is ECDSA P-256 / SHA-256 over the same object without `signature`, keys in that order.
 */
export const CAPABILITY_FORMAT = 'sphere-capability/1'
const MAX_FILE_BYTES = 16 * 1024

interface Payload {
  format: string
  deviceId: string
  capabilities: DeviceCapability[]
  issuedAt: string
}

function canonical(p: Payload): Buffer {
  return Buffer.from(JSON.stringify({format: p.format, deviceId: p.deviceId, capabilities: p.capabilities, issuedAt: p.issuedAt}))
}

function checkNames(names: unknown): DeviceCapability[] {
  if (!Array.isArray(names)) throw new OsError('CAPABILITY_BAD_FILE', 'capability file: "capabilities" must be a list')
  for (const n of names) {
    if (typeof n !== 'string' || !(n in DEVICE_CAPABILITY_CODES)) {
      throw new OsError('CAPABILITY_UNKNOWN', `capability file: unknown capability ${JSON.stringify(n).slice(0, 40)}`)
    }
  }
  return [...new Set(names as DeviceCapability[])]
}

/** Issue a capability file for this device (what `device capability download` gets from a simulator). */
export function issueCapabilityFile(stateDir: string, deviceId: string, capabilities: string[], now = new Date()): Buffer {
  const ca = ensureDeviceCa(stateDir)
  const payload: Payload = {format: CAPABILITY_FORMAT, deviceId, capabilities: checkNames(capabilities), issuedAt: now.toISOString()}
  const signature = sign('sha256', canonical(payload), ca.key).toString('base64')
  return Buffer.from(JSON.stringify({...payload, signature}) + '\n')
}

/** Verify a capability file against this device's CA and ID; returns the capabilities it grants. */
export function readCapabilityFile(stateDir: string, deviceId: string, bytes: Uint8Array): DeviceCapability[] {
  if (bytes.length === 0) throw new OsError('CAPABILITY_BAD_FILE', 'capability file is empty')
  if (bytes.length > MAX_FILE_BYTES) throw new OsError('CAPABILITY_BAD_FILE', `capability file is larger than ${MAX_FILE_BYTES} bytes`)
  let obj: Record<string, unknown>
  try {
    obj = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>
  } catch {
    throw new OsError('CAPABILITY_BAD_FILE', 'capability file is not a sphere capability file (not JSON)')
  }
  if (obj === null || typeof obj !== 'object' || obj.format !== CAPABILITY_FORMAT) {
    throw new OsError('CAPABILITY_BAD_FILE', `capability file: expected format ${CAPABILITY_FORMAT}`)
  }
  if (typeof obj.deviceId !== 'string' || typeof obj.issuedAt !== 'string' || typeof obj.signature !== 'string') {
    throw new OsError('CAPABILITY_BAD_FILE', 'capability file: deviceId, issuedAt and signature must be strings')
  }
  const payload: Payload = {format: CAPABILITY_FORMAT, deviceId: obj.deviceId, capabilities: checkNames(obj.capabilities), issuedAt: obj.issuedAt}
  const ca = ensureDeviceCa(stateDir)
  const ok = verify('sha256', canonical(payload), createPublicKey(ca.key), Buffer.from(obj.signature, 'base64'))
  if (!ok) throw new OsError('CAPABILITY_BAD_SIGNATURE', 'capability file: the signature does not verify with this device\'s key')
  if (payload.deviceId.toLowerCase() !== deviceId.toLowerCase()) {
    throw new OsError('CAPABILITY_WRONG_DEVICE', 'capability file was issued for another device')
  }
  return payload.capabilities
}
