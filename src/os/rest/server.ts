/**
 * The device REST API server: ONE request handler serving the Azure Sphere device API (device-rest-api
 * reference, all 40 endpoints, plus GET /osversion) and our /sphere/ extensions. The endpoints are the route
 * specs in src/protocol/api; their handlers are in routes/, one module per resource, dispatched by router.ts.
 * Listeners (Unix socket, HTTPS, a serial link's emitted Duplex connections) are in listen.ts; they all
 * share this handler.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {RestBackend} from './backend.js'
import {openRestServices, type RestServerOptions, type RestServices, type RouteDeps} from './deps.js'
import {EventHub} from './events.js'
import {Router} from './router.js'
import {allRoutes} from './routes/index.js'
import {appCrashDescription} from '../services/telemetry.js'
import type {RecoverResult} from '../../protocol/api/index.js'
import {OsError} from '../errors.js'

export {DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_JSON_BYTES, openRestServices, type RestServerOptions, type RestServices} from './deps.js'

/** A listener the controller pauses (stops accepting) during a restart. */
export interface ManagedListener {
  pause(): Promise<void>
  resume(): Promise<void>
}

/** A Node http `(req, res)` listener with the controller behind it. */
export interface RestHandler {
  (req: IncomingMessage, res: ServerResponse): void
  readonly controller: RestController
}

export class RestController implements RouteDeps {
  readonly backend: RestBackend
  readonly services: RestServices
  readonly opts: RestServerOptions
  private restartingFlag = false
  private readonly listeners = new Set<ManagedListener>()
  readonly hub: EventHub
  readonly router: Router
  private unsubscribeTelemetry: (() => void) | undefined
  private restartPromise: Promise<void> | undefined
  private closed = false

  constructor(backend: RestBackend, opts: RestServerOptions = {}) {
    this.backend = backend
    this.opts = opts
    this.services =
      opts.services ??
      openRestServices(
        opts.stateDir,
        safe(() => backend.deviceId(), 'sphere-sim'),
      )
    this.hub = new EventHub(
      backend,
      () => ({type: 'device', time: Date.now(), device: this.deviceInfo()}),
      opts.heartbeatMs ?? 5000,
    )
    this.services.net.onChange(() => this.hub.deviceChanged())
    backend.useNetConfig?.(this.services.net)
    this.unsubscribeTelemetry = backend.subscribe((e) => {
      if (e.type === 'crash')
        this.services.telemetry.record({
          time: Date.now(),
          kind: 'app-crash',
          componentId: e.componentId,
          detail: e.reason,
          description: appCrashDescription(e.componentId, e.imageId, e.reason),
        })
    }, ['crash'])
    this.router = new Router(allRoutes(this), {
      maxJsonBytes: opts.maxJsonBytes,
      maxImageBytes: opts.maxImageBytes,
      transport: opts.transport,
      onError: opts.onRouteError,
      ...(opts.inputs ? {inputs: opts.inputs} : {}),
    })
  }

  get restarting(): boolean {
    return this.restartingFlag
  }

  /** Listeners register so a restart can stop and restart accepting on them. */
  register(l: ManagedListener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  /** Stop streams and the backend subscription (the listeners are closed by their owners). */
  close(): void {
    this.closed = true
    this.hub.closeAll()
    this.unsubscribeTelemetry?.()
    this.unsubscribeTelemetry = undefined
  }

  /**
   * Reboot the device: stop accepting on every listener, end open streams, restart the backend (uptime
   * resets, installed apps survive), reset runtime network state, accept again. Concurrent calls share one restart.
   */
  restart(): Promise<void> {
    this.restartPromise ??= this.doRestart().finally(() => {
      this.restartPromise = undefined
    })
    return this.restartPromise
  }

  private async doRestart(): Promise<void> {
    this.restartingFlag = true
    this.opts.onRestart?.('begin')
    let error: unknown
    try {
      this.hub.closeAll()
      await Promise.all([...this.listeners].map((l) => l.pause().catch(() => undefined)))
      await this.backend.restart()
    } catch (e) {
      error = e
    } finally {
      this.services.net.reboot()
      this.services.telemetry.record({time: Date.now(), kind: 'restart'})
      if (!this.closed) await Promise.all([...this.listeners].map((l) => l.resume().catch(() => undefined)))
      this.restartingFlag = false
      this.opts.onRestart?.('end', error)
    }
  }

  /**
   * Device recovery: new connections are refused meanwhile (as during a restart; the request that asked for
   * it stays open for its answer), open streams end, the backend erases and reboots the device, and the
   * configuration the services keep (Wi-Fi networks, certificates, proxy, interface settings, error reports)
   * is erased as the flash erase does on a real device.
   */
  async recover(): Promise<RecoverResult> {
    const b = this.backend
    if (!b.recover) throw new OsError('RECOVER_REFUSED', 'This device cannot be recovered through its REST API.')
    if (this.restartingFlag || this.restartPromise) throw new OsError('DEVICE_BUSY', 'The device is restarting; recover it once it is up.')
    this.restartingFlag = true
    this.opts.onRestart?.('begin')
    let error: unknown
    try {
      this.hub.closeAll()
      const s = this.services
      const wifiNetworks = s.wifi.list().length
      const certIds = s.certs.list()
      const proxy = s.net.proxy() !== undefined
      const r = await b.recover()
      for (const n of s.wifi.list()) s.wifi.remove(n.id)
      for (const id of certIds) s.certs.remove(id)
      s.net.factoryReset()
      s.telemetry.clear()
      s.telemetry.record({time: Date.now(), kind: 'restart'})
      return {
        deviceId: b.deviceId(),
        ...r,
        erased: {...r.erased, wifiNetworks, certificates: certIds.length, proxy},
        capabilities: b.capabilityNames(),
      }
    } catch (e) {
      error = e
      throw e
    } finally {
      this.restartingFlag = false
      this.opts.onRestart?.('end', error)
    }
  }

  deviceInfo() {
    const info = {...this.backend.deviceInfo()}
    if (this.opts.name !== undefined) info.name = this.opts.name
    if (this.opts.transport !== undefined) info.transport = this.opts.transport
    return info
  }

  /** The request listener body. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.restartingFlag || this.closed) {
      // refuse while restarting: reset the connection rather than answer (clients retry connection errors)
      req.socket.destroy()
      return
    }
    this.router.dispatch(req, res)
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}

/**
 * The REST API request handler over `backend`. Pass it to listenUnix / listenHttps (listen.ts), to
 * `http.createServer`, or emit Duplex connections on a server built with it.
 */
export function createRestServer(backend: RestBackend, opts: RestServerOptions = {}): RestHandler {
  const controller = new RestController(backend, opts)
  const handler = ((req: IncomingMessage, res: ServerResponse) => controller.handle(req, res)) as RestHandler
  Object.defineProperty(handler, 'controller', {value: controller, enumerable: true})
  return handler
}
