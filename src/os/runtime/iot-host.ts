/**
 * What the OS's Azure IoT client (src/os/runtime/azure-iot.ts) needs from the device's services to reach an IoT
 * hub or the Device Provisioning Service: where a connection to a host name goes (the local hub of `sphere hub`
 * when the world points the name at it, src/os/services/iot-hub.ts), the device's X.509 identity, and where the
 * device's cloud connection state is reported (the monitor's header). The runtime never imports services.
 */
import type {SphereCloudState} from '../../protocol/rest-api.js'

/** Where an MQTT-over-TLS connection to a host name goes. */
export interface IotEndpoint {
  host: string
  port: number
  /** The CA certificates (PEM) that verify the server for that name. */
  ca: string[]
  /** The name to send in SNI and check in the server certificate. */
  servername: string
}

/** A device's cloud connection state, as the monitor shows it (the wire type of GET /sphere/device's `cloud`). */
export type CloudState = SphereCloudState

export interface IotHost {
  /**
   * Where a connection to `name`:`port` goes; undefined when the name does not resolve or is unreachable. May
   * start the local hub (async). The firewall decision was made before this is asked.
   */
  endpoint(name: string, port: number): Promise<IotEndpoint | undefined>
  /** The device's certificate (CN = the device ID, issued by the device's CA) and key, PEM. */
  deviceIdentity(): {cert: string; key: string; deviceId: string}
  /** A client's connection state changed. */
  report(state: CloudState): void
}
