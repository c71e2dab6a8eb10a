/**
 * MT3620 chip facts the simulator enforces (see shared/reference/mt3620-hardware.md section 4).
 * Values are the ones the base hardware definition (mt3620.json) uses for the app manifest.
 */

export const KiB = 1024
export const MiB = 1024 * KiB

/** Total on-chip RAM, shared by the OS and the apps. */
export const RAM_TOTAL_BYTES = 4 * MiB
/** RAM the simulated OS keeps for itself (kernel, services, network stack). The rest is for apps. */
export const RAM_OS_SHARE_BYTES = 3 * MiB
/** A high-level app may never use more than this (code + data + stack + heap: the whole wasm memory). */
export const APP_RAM_CAP_BYTES = 256 * KiB
export const WASM_PAGE_BYTES = 64 * KiB
export const APP_RAM_CAP_PAGES = APP_RAM_CAP_BYTES / WASM_PAGE_BYTES

/** Flash layout (16 MiB total; 1 MiB for image packages; mutable storage is carved from its own partition). */
export const FLASH_TOTAL_BYTES = 16 * MiB
export interface FlashPartition {
  name: string
  bytes: number
}
export const FLASH_PARTITIONS: readonly FlashPartition[] = [
  {name: 'os', bytes: 13 * MiB},
  {name: 'apps', bytes: 1 * MiB},
  {name: 'mutable-storage', bytes: 1 * MiB},
  {name: 'config', bytes: 1 * MiB},
]
export const APP_FLASH_BYTES = 1 * MiB
export const MUTABLE_STORAGE_PARTITION_BYTES = 1 * MiB

/** GPIO numbers of mt3620.json: 0-23, 26-48, 56-75, 80 (68 pins). */
export const GPIO_IDS: readonly number[] = (() => {
  const ids: number[] = []
  const add = (a: number, b: number): void => {
    for (let i = a; i <= b; i++) ids.push(i)
  }
  add(0, 23)
  add(26, 48)
  add(56, 75)
  add(80, 80)
  return ids
})()
const GPIO_SET = new Set(GPIO_IDS)
export function isGpioId(id: number): boolean {
  return GPIO_SET.has(id)
}

/** ISU n uses five GPIOs starting at this base. */
export const ISU_GPIO_BASE: readonly number[] = [26, 31, 36, 66, 71]
export const ISU_NAMES: readonly string[] = ['ISU0', 'ISU1', 'ISU2', 'ISU3', 'ISU4']
export const PWM_CONTROLLERS: readonly {name: string; id: number; gpios: number[]}[] = [
  {name: 'PWM-CONTROLLER-0', id: 0, gpios: [0, 1, 2, 3]},
  {name: 'PWM-CONTROLLER-1', id: 1, gpios: [4, 5, 6, 7]},
  {name: 'PWM-CONTROLLER-2', id: 2, gpios: [8, 9, 10, 11]},
]
export const ADC_CONTROLLERS: readonly {name: string; id: number; gpios: number[]}[] = [
  {name: 'ADC-CONTROLLER-0', id: 0, gpios: [41, 42, 43, 44, 45, 46, 47, 48]},
]

/** Header ids apps pass to the open calls: I2C/SPI use n, UART uses n+4 (MT3620_ISUn_UART). */
export function isuFromI2cId(id: number): string | undefined {
  return ISU_NAMES[id]
}
export function isuFromSpiId(id: number): string | undefined {
  return ISU_NAMES[id]
}
export function isuFromUartId(id: number): string | undefined {
  return id >= 4 ? ISU_NAMES[id - 4] : undefined
}
export function pwmControllerName(id: number): string | undefined {
  return PWM_CONTROLLERS[id]?.name
}
export function adcControllerName(id: number): string | undefined {
  return ADC_CONTROLLERS[id]?.name
}
