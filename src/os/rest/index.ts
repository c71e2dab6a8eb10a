/**
 * The device REST API server (src/os/rest): one handler, several listeners, the Device adapter,
 * and the services it serves beyond the Device (certificates, network, Wi-Fi, telemetry, TLS identity).
 */
export {
  createRestServer,
  openRestServices,
  RestController,
  DEFAULT_MAX_IMAGE_BYTES,
  DEFAULT_MAX_JSON_BYTES,
  type RestHandler,
  type RestServerOptions,
  type RestServices,
  type ManagedListener,
} from './server.js'
export {
  listenUnix,
  listenHttps,
  listenHttp,
  listenService,
  serialServer,
  createServiceHandler,
  type RestListener,
  type TlsMaterial,
  type ServiceDevice,
} from './listen.js'
export type {RestBackend, BackendEvent, VerifiedPackage} from './backend.js'
export {RestError, restError, toRestError, type RestStatus, type RestErrorName} from './errors.js'
export {DeviceRestBackend, type DeviceBackendOptions} from './device-backend.js'
export {
  ensureDeviceCa,
  caPem,
  serverTls,
  buildCertificate,
  listenIps,
  DEVICE_API_DNS_NAME,
  type DeviceCa,
  type ServerTls,
  type CertificateSpec,
  type DistinguishedName,
} from '../services/tls.js'
export {
  CertStore,
  certDetails,
  onelineName,
  CERTSTORE_CAPACITY,
  type CertDetails,
  type CertEntry,
  type CertType,
} from '../services/certstore.js'
export {
  NetConfig,
  SERVICE_INTERFACE,
  WIFI_INTERFACE,
  SERVICE_IP,
  type InterfaceView,
  type ProxyConfig,
  type FirewallRuleset,
  type FirewallRule,
  type AppNetworkAllowance,
} from '../services/netconfig.js'
export {
  WifiConfig,
  networkView,
  SIMULATED_ACCESS_POINTS,
  type WifiNetworkView,
  type StoredNetwork,
  type ScanResult,
} from '../services/wifi.js'
export {Telemetry, encodeTelemetry, TELEMETRY_HEADER, type TelemetryReport} from '../services/telemetry.js'
export {SideloadSettings, MAX_DEPLOYMENT_TIMEOUT_MINUTES} from '../services/sideload-settings.js'
export {Router, checkCoverage, on, SENT, type Registration, type RouteContext, type Handler} from './router.js'
