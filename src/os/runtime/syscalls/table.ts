import {configGroup} from '../applibs/config.js'
import {peripheralGroup} from '../applibs/peripherals.js'
import {storageGroup} from '../applibs/storage.js'
import {systemGroup} from '../applibs/system.js'
import {networkingGroup} from '../networking.js'
import {sphereGroup} from '../sphere.js'
import {wasiGroup} from '../wasi.js'
import {SyscallTable} from './dispatch.js'
import {socketGroup} from './sockets.js'

/** The syscall table: every import an app may use, once. */
export const SYSCALLS = new SyscallTable([
  wasiGroup,
  sphereGroup,
  socketGroup,
  storageGroup,
  peripheralGroup,
  networkingGroup,
  systemGroup,
  configGroup,
])
