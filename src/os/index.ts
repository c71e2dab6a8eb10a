/**
 * src/os: the simulated MT3620 device. `Device` is the facade the REST server and tests use; the layers
 * below (hw <- kernel/lsm/storage <- runtime <- services) are exported for tools that need them.
 */
export {
  Device,
  OS_VERSION,
  type DeviceBootOptions,
  type ImagesResponse,
  type ImageComponent,
  type MemoryStats,
} from './device.js'
export * from './hw/index.js'
export * from './kernel/index.js'
export * from './lsm/index.js'
export * from './storage/index.js'
export * from './runtime/index.js'
export * from './services/index.js'
export {
  DevicePool,
  wasmAddressSpace,
  type DevicePoolOptions,
  type PoolDeviceOptions,
  type PoolStats,
  type WasmAddressSpace,
} from './pool.js'
