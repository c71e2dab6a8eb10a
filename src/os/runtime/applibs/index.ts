import type {SysCtx} from '../context.js'
import {configImports} from './config.js'
import {peripheralImports} from './peripherals.js'
import {systemImports} from './system.js'

export * from './host.js'
export * from './objects.js'
export {peripheralImports, UART_BAUD_RATES} from './peripherals.js'
export {systemImports} from './system.js'
export {configImports} from './config.js'

type Fn = (...a: never[]) => number

/** Every applibs import implemented under src/os/runtime/applibs (merged into the `applibs` module). */
export function applibsPeripheralImports(c: SysCtx): Record<string, Fn> {
  return {...peripheralImports(c), ...systemImports(c), ...configImports(c)}
}
