// sphere-sdk AssemblyScript library: clocks and sleeping through WASI clock_time_get / poll_oneoff (the
// runtime suspends only the calling app while it waits). A SIGTERM caught with Termination.catchSigterm()
// interrupts a sleep: the call then returns -1 with errno EINTR.
import {wasi_clock_time_get, wasi_poll_oneoff} from "./imports"
import {EINTR, checkWasi, errno} from "./errno"
import {Termination} from "./signal"

export namespace Clock {
  export const REALTIME: u32 = 0
  export const MONOTONIC: u32 = 1
  export const NS_PER_MS: u64 = 1_000_000

  /** Nanoseconds on `clock` (default MONOTONIC), or 0 if the clock cannot be read. */
  export function nowNs(clock: u32 = MONOTONIC): u64 {
    const cell = memory.data(8, 8)
    if (checkWasi(wasi_clock_time_get(clock, 1000, cell)) < 0) return 0
    return load<u64>(cell)
  }

  /** Milliseconds on the monotonic clock. */
  export function nowMs(): u64 {
    return nowNs(MONOTONIC) / NS_PER_MS
  }

  function sleep(timeoutNs: u64, absolute: bool): i32 {
    // One WASI subscription (48 bytes) and one event (32 bytes), plus the event count.
    const subscription = memory.data(48, 8)
    const event = memory.data(32, 8)
    const eventCount = memory.data(4, 4)
    memory.fill(subscription, 0, 48)
    store<u8>(subscription, 0, 8) // tag: clock
    store<u32>(subscription, MONOTONIC, 16)
    store<u64>(subscription, timeoutNs, 24)
    store<u16>(subscription, absolute ? 1 : 0, 40) // subclockflags: ABSTIME
    const r = checkWasi(wasi_poll_oneoff(subscription, event, 1, eventCount))
    if (r < 0 && errno == EINTR) Termination.poll()
    return r
  }

  /** Sleeps `ms` milliseconds: 0, or -1 with errno set (EINTR when a caught SIGTERM arrived). */
  export function sleepMs(ms: u32): i32 {
    return sleep(<u64>ms * NS_PER_MS, false)
  }

  /**
   * Sleeps until the monotonic clock reads `deadlineNs` (returns at once if it already passed). Periodic
   * work that sleeps until `start + k * period` does not drift, whatever the work in between costs.
   */
  export function sleepUntilNs(deadlineNs: u64): i32 {
    return sleep(deadlineNs, true)
  }
}

/** nanosleep-style helper: Clock.sleepMs(ms). */
export function sleepMs(ms: u32): i32 {
  return Clock.sleepMs(ms)
}
