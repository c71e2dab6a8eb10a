export {bytePipe, type BytePipeOptions} from './memory.js'
export {type FaultOptions, faultInjector, type FaultStats, mulberry32} from './prng.js'
export {type FaultProxy, startFaultProxy} from './fault-proxy.js'
// the PTY pair is part of the serial link (production code); re-exported for tests and benches
export {type PtyPair, startPtyPair} from '../link/pty-pair.js'
