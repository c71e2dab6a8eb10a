/**
 * The local IoT hub (`sphere hub`): an IoT Hub-compatible MQTT 3.1.1 over TLS service with DPS, run as a
 * background process with its state under `$SPHERE_HOME/hub/` (docs/hub.md). This is the API the rest of the
 * project uses: start it (or make sure it runs), stop it, find its endpoint, talk to its control channel.
 */
export {
  ensureHub,
  stopHub,
  liveHub,
  hubEndpoint,
  hubClient,
  readHubInfo,
  hubEntry,
  type HubInfo,
  type HubStartOptions,
} from './lifecycle.js'
export {HubClient} from './client.js'
export {HUB_ROUTES, type HubRoute} from './api.js'
export {hubDir, hubSocketPath} from './paths.js'
export {DEFAULT_HUB_HOST_NAME, DEFAULT_DPS_HOST_NAME} from './names.js'
export type {
  HubEndpoint,
  HubStatus,
  HubEvent,
  DeviceIdentity,
  Twin,
  EnrollmentGroup,
  MethodResult,
  C2dRequest,
  AuthenticationType,
} from './types.js'

import {ensureHub, type HubStartOptions} from './lifecycle.js'
import type {HubEndpoint} from './types.js'

/** Make sure the hub runs (starting it if needed) and return where apps connect. */
export async function ensureHubEndpoint(home: string, opts: HubStartOptions = {}): Promise<HubEndpoint> {
  return (await ensureHub(home, opts)).info.endpoint
}

/**
 * Trust a CA for DPS: an enrolment group whose device certificates register (device ID = the certificate's
 * common name). Idempotent for the same ID and CA. Starts the hub if it is not running.
 */
export async function trustDeviceCa(
  home: string,
  enrollmentGroupId: string,
  caPem: string,
): Promise<import('./types.js').EnrollmentGroup> {
  const {info} = await ensureHub(home)
  const {HubClient: C} = await import('./client.js')
  const {HUB_ROUTES: R} = await import('./api.js')
  return await new C(info.socketPath).call(R.createGroup, {enrollmentGroupId}, {caPem})
}
