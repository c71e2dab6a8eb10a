export {bytePipe, type BytePipeOptions} from './memory.js'
export {type FaultOptions, faultInjector, type FaultStats, mulberry32} from './prng.js'
export {type FaultProxy, type PtyPair, startFaultProxy, startPtyPair} from './pty.js'
