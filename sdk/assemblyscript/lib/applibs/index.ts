// sphere-sdk AssemblyScript library 'applibs': the Azure Sphere application API for AssemblyScript apps.
//
//   import {GPIO, Log, Clock, Termination, errno, strerror} from "applibs"
//
// It mirrors the C API (GPIO_OpenAsOutput -> GPIO.openAsOutput, Log_Debug -> Log.debug, nanosleep ->
// Clock.sleepMs, sigaction(SIGTERM) -> Termination.catchSigterm) and calls the same app ABI imports
// (sdk/ABI.md). The raw imports are in "applibs/imports".
export {GPIO} from "./gpio"
export {Log} from "./log"
export {Clock, sleepMs} from "./time"
export {Termination} from "./signal"
export {close, exit} from "./runtime"
export {
  errno,
  strerror,
  EACCES,
  EAGAIN,
  EBADF,
  EBUSY,
  EEXIST,
  EFAULT,
  EINTR,
  EINVAL,
  EIO,
  ENODEV,
  ENOENT,
  ENOMEM,
  ENOSPC,
  ENOSYS,
  ENOTSUP,
  EPERM,
  ETIMEDOUT,
} from "./errno"
