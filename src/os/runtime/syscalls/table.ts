import {configGroup} from '../applibs/config.js'
import {peripheralGroup} from '../applibs/peripherals.js'
import {storageGroup} from '../applibs/storage.js'
import {systemGroup} from '../applibs/system.js'
import {iotGroup} from '../azure-iot.js'
import {curlGroup} from '../curl.js'
import {networkingGroup} from '../networking.js'
import {resolverGroup} from '../resolver.js'
import {tlsGroup} from '../tls-client.js'
import {sphereGroup} from '../sphere.js'
import {wasiGroup} from '../wasi.js'
import {SyscallTable} from './dispatch.js'
import {socketGroup} from './sockets.js'

/** The syscall table: every import an app may use, once. */
export const SYSCALLS = new SyscallTable([
  wasiGroup,
  sphereGroup,
  socketGroup,
  resolverGroup,
  tlsGroup,
  storageGroup,
  peripheralGroup,
  networkingGroup,
  systemGroup,
  configGroup,
  curlGroup,
  iotGroup,
])
