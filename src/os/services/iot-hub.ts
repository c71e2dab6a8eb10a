/**
 * The device's side of Azure IoT (the IotHost of src/os/runtime/azure-iot.ts):
 *
 * - **Identity.** A device CA per simulated device (`<state>/iot/ca.pem`, standing in for the Azure Sphere tenant
 *   CA) issues the device's certificate with CN = the Azure Sphere device ID, the way the tenant CA does; IoT Hub
 *   and DPS see that device ID.
 * - **Where names go.** With the world file's `iotHub: local` (docs/world.md), the local hub's names
 *   (`sphere-hub.azure-devices.net` and DPS's `global.azure-devices-provisioning.net`, or the ones the key gives)
 *   go to `sphere hub` (src/hub/index.ts), started when an app first connects; the device CA is then trusted by
 *   the hub as an enrolment group (as a tenant CA is verified in DPS), so the device registers through DPS and
 *   authenticates as an x509_ca device. Other names go where the device's network sends them (`hosts`, or the
 *   host's resolver with `sim start --internet`), verified against the public roots and the world's `tlsRoots`:
 *   that is how the same client reaches a real Azure IoT Hub (docs/azure-iot.md).
 * - **Cloud state.** Each client's connection state (connected / retrying and why), for the monitor's header.
 */
import {generateKeyPairSync} from 'node:crypto'
import {join} from 'node:path'
import {rootCertificates} from 'node:tls'
import {
  DEFAULT_DPS_HOST_NAME,
  DEFAULT_HUB_HOST_NAME,
  ensureHubEndpoint,
  hubEndpoint,
  trustDeviceCa,
} from '../../hub/index.js'
import {sphereHome} from '../../util/home.js'
import {OsError} from '../errors.js'
import type {CloudState, IotEndpoint, IotHost} from '../runtime/iot-host.js'
import type {NetworkStack} from './network.js'
import {buildCertificate} from './tls.js'
import {loadOrMakeCa, type StoredCa} from '../../util/x509.js'

const bad = (msg: string): OsError => new OsError('WORLD_BAD_PATH', msg)
/** The address the local hub's names resolve to on the device (the connection itself goes to the hub's port). */
const LOCAL_HUB_ADDRESS = '127.0.0.1'

type DeviceCa = StoredCa

export class DeviceIot implements IotHost {
  private local?: {hostName: string; dpsHostName: string}
  private ca?: DeviceCa
  private identity?: {cert: string; key: string; deviceId: string}
  private trusted = new Map<string, Promise<void>>()
  private readonly started = new Set<string>()
  private readonly states = new Map<string, CloudState>()
  private readonly listeners = new Set<(s: CloudState) => void>()

  constructor(
    private readonly stateDir: string,
    private readonly network: NetworkStack,
    private readonly deviceId: string,
    /** SPHERE_HOME of the local hub (tests give their own). */
    private readonly home: () => string = () => sphereHome(),
  ) {}

  /** The world file's `iotHub` value: `local`, or `{hostName, dpsHostName}` for a hub started with --host-name. */
  configure(value: unknown): void {
    let hostName = DEFAULT_HUB_HOST_NAME
    let dpsHostName = DEFAULT_DPS_HOST_NAME
    if (value === 'local' || value === true) {
      // the defaults
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k !== 'hostName' && k !== 'dpsHostName') throw bad(`iotHub.${k}: unknown (use hostName, dpsHostName)`)
        if (typeof v !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(v))
          throw bad(`iotHub.${k}: ${JSON.stringify(v)} is not a host name`)
        if (k === 'hostName') hostName = v.toLowerCase()
        else dpsHostName = v.toLowerCase()
      }
    } else throw bad('iotHub must be `local` or a mapping (hostName, dpsHostName)')
    this.local = {hostName, dpsHostName}
    this.network.setHost(hostName, LOCAL_HUB_ADDRESS)
    this.network.setHost(dpsHostName, LOCAL_HUB_ADDRESS)
  }

  /** The names that go to the local hub (none unless the world says `iotHub`). */
  localNames(): string[] {
    return this.local ? [this.local.hostName, this.local.dpsHostName] : []
  }

  async endpoint(name: string, port: number): Promise<IotEndpoint | undefined> {
    const n = name.toLowerCase()
    if (this.local && (n === this.local.hostName || n === this.local.dpsHostName)) {
      const home = this.home()
      // started when an app first needs it; once it ran, a hub that was stopped stays stopped (the device sees
      // it gone, as it would see a cloud outage) until someone starts it again
      let ep = hubEndpoint(home)
      if (!ep) {
        if (this.started.has(home)) return undefined
        this.started.add(home)
        ep = await ensureHubEndpoint(
          home,
          n === this.local.hostName && n !== DEFAULT_HUB_HOST_NAME ? {hostName: n} : {},
        )
      }
      this.started.add(home)
      let t = this.trusted.get(home)
      if (!t) {
        t = trustDeviceCa(home, `sphere-device-${this.deviceId.slice(0, 16)}`, this.deviceCa().certPem).then(
          () => undefined,
        )
        this.trusted.set(home, t)
        t.catch(() => this.trusted.delete(home))
      }
      await t
      return {host: ep.host, port: ep.port, ca: [ep.caPem], servername: n}
    }
    const ip = this.network.resolve(n) ?? (await Promise.resolve(this.network.lookup(n)))[0]
    if (ip === undefined) return undefined
    const to = this.network.route(ip)
    if (typeof to === 'number') return undefined
    return {host: to, port, ca: [...rootCertificates, ...this.network.tlsRoots()], servername: n}
  }

  /** The device CA certificate (PEM): what a hub trusts to accept this device (an x509_ca device, a DPS enrolment group). */
  caPem(): string {
    return this.deviceCa().certPem
  }

  deviceIdentity(): {cert: string; key: string; deviceId: string} {
    if (this.identity) return this.identity
    const ca = this.deviceCa()
    const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
    const now = Date.now()
    const cert = buildCertificate({
      subject: {CN: this.deviceId},
      issuer: {O: 'sphere-sdk', CN: 'Sphere Simulated Device CA'},
      publicKey,
      signingKey: ca.key,
      issuerPublicKey: ca.cert.publicKey,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(Math.min(now + 30 * 86_400_000, Date.parse(ca.cert.validTo))),
      clientAuth: true,
    })
    this.identity = {
      cert: cert + ca.certPem,
      key: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
      deviceId: this.deviceId,
    }
    return this.identity
  }

  private deviceCa(): DeviceCa {
    if (this.ca) return this.ca
    const dir = join(this.stateDir, 'iot')
    return (this.ca = loadOrMakeCa(dir, {subject: {O: 'sphere-sdk', CN: 'Sphere Simulated Device CA'}, years: 10}))
  }

  report(state: CloudState): void {
    this.states.set(state.componentId, state)
    for (const l of this.listeners) l(state)
  }

  /** Each app's latest cloud connection state (the monitor's header). */
  cloudStates(): CloudState[] {
    return [...this.states.values()]
  }

  onState(l: (s: CloudState) => void): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }
}
