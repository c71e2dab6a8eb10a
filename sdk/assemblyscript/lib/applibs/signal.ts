// sphere-sdk AssemblyScript library: SIGTERM. The OS sends SIGTERM when it stops an app; without
// Termination.catchSigterm() the app just ends. Once caught, the kernel sets bit 15 of a mask in app memory
// and interrupts the blocking call in progress (EINTR); Termination.requested() then turns true, and the
// app has 5 s to tidy up (turn LEDs off, close files) and return from main.
import {sphere_sig_register} from "./imports"
import {check} from "./errno"

const SIGTERM: u32 = 15
// @ts-ignore: decorator
@lazy let registered = false
// @ts-ignore: decorator
@lazy let terminationRequested = false

/** The u32 the kernel ORs pending signals into (one static word: this function is never inlined). */
function pendingMask(): usize {
  return memory.data(4, 4)
}

export namespace Termination {
  /** Asks the OS to report SIGTERM to the app instead of ending it. 0, or -1 with errno set. */
  export function catchSigterm(): i32 {
    if (registered) return 0
    store<u32>(pendingMask(), 0)
    const r = check(sphere_sig_register(pendingMask()))
    if (r == 0) registered = true
    return r
  }

  /** @internal Moves a pending SIGTERM into the flag, clearing its bit (blocking calls fail with EINTR while set). */
  export function poll(): void {
    const pending = load<u32>(pendingMask())
    if (pending & (1 << SIGTERM)) {
      store<u32>(pendingMask(), pending & ~(<u32>1 << SIGTERM))
      terminationRequested = true
    }
  }

  /** True once SIGTERM arrived (stays true). */
  export function requested(): bool {
    if (registered) poll()
    return terminationRequested
  }
}
