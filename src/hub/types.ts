/** The hub's JSON shapes, as Azure CLI's `az iot hub ...` commands show them where one exists. */

export type AuthenticationType = 'selfSigned' | 'certificateAuthority'

/** `device-identity show`: the registry entry of one device. */
export interface DeviceIdentity {
  deviceId: string
  generationId: string
  etag: string
  status: 'enabled' | 'disabled'
  authentication: {
    /** selfSigned: the certificate's SHA-1 thumbprint must match; certificateAuthority: issued by a trusted CA. */
    type: AuthenticationType
    x509Thumbprint: {primaryThumbprint: string | null; secondaryThumbprint: string | null}
  }
  capabilities: {iotEdge: boolean}
  connectionState: 'Connected' | 'Disconnected'
  connectionStateUpdatedTime: string
  lastActivityTime: string
  cloudToDeviceMessageCount: number
  /** How it came to be registered: the CLI, or DPS through an enrolment group (its ID). */
  createdBy: string
}

export interface TwinProperties {
  desired: Record<string, unknown> & {$version: number}
  reported: Record<string, unknown> & {$version: number}
}

/** `device-twin show`. */
export interface Twin {
  deviceId: string
  etag: string
  version: number
  status: 'enabled' | 'disabled'
  authenticationType: AuthenticationType
  connectionState: 'Connected' | 'Disconnected'
  tags: Record<string, unknown>
  properties: TwinProperties
}

/** An enrolment group: a CA whose device certificates DPS registers (device ID = the certificate's CN). */
export interface EnrollmentGroup {
  enrollmentGroupId: string
  /** SHA-1 thumbprint of the CA certificate (uppercase hex, as Azure shows thumbprints). */
  caThumbprint: string
  caSubject: string
  caPem: string
  createdDateTimeUtc: string
}

/** One accepted device-to-cloud message, in `az iot hub monitor-events --properties all --output json`'s shape. */
export interface HubEvent {
  event: {
    origin: string
    module: string
    interface: string
    component: string
    payload: unknown
    properties: {system: Record<string, string>; application: Record<string, string>}
    annotations: Record<string, string | number>
  }
}

/** `invoke-device-method`'s answer. */
export interface MethodResult {
  status: number
  payload: unknown
}

export interface C2dRequest {
  data: string
  messageId?: string
  correlationId?: string
  contentType?: string
  contentEncoding?: string
  properties?: Record<string, string>
}

/** Where apps connect: one TLS port serves the IoT hub and DPS host names. */
export interface HubEndpoint {
  /** The address the service listens on (loopback). */
  host: string
  /** MQTT 3.1.1 over TLS. */
  port: number
  /** The hub's CA certificate (PEM): the server certificate for hostName / dpsHostName is issued by it. */
  caPem: string
  /** The IoT hub's host name (in the server certificate, in device usernames, DPS's assignedHub). */
  hostName: string
  /** The DPS global device endpoint's host name, served on the same port. */
  dpsHostName: string
  /** The DPS ID scope registrations must name. */
  idScope: string
}

export interface HubStatus {
  running: true
  pid: number
  startedAt: string
  endpoint: HubEndpoint
  controlSocket: string
  devices: number
  connectedDevices: number
  enrollmentGroups: number
  /** Device-to-cloud messages accepted since the state was created. */
  acceptedMessages: number
}
