/**
 * The one vocabulary for an application's state, used by the simulator's /sphere/apps, the monitor (screen and
 * `--once`), `device app show-status` and `app run`.
 *
 * The words are azsphere's (`running`, `stopped`, `debugging`, `notPresent`: what a device's
 * GET /app/status reports) plus two a real device folds into `stopped` / `running`: `crashed` (the last run
 * ended by a trap, a kill or a non-zero exit the app was not asked for; a restart may be scheduled) and
 * `starting`. JSON carries the word; a screen shows its label (`Running`, `NotPresent`). A stop asked for is
 * `stopped`, never `crashed`, whatever exit code the app's SIGTERM handler returns.
 *
 * How the scheduler sees a running process is a separate thing (`SchedState`): `R` on the CPU or ready to run,
 * `S` sleeping in a blocking call (a timer, poll, a read), as `top` shows it.
 */
export const APP_STATES = ['running', 'stopped', 'crashed', 'debugging', 'notPresent', 'starting'] as const
export type AppStateWord = (typeof APP_STATES)[number]

const LABELS: Record<AppStateWord, string> = {
  running: 'Running',
  stopped: 'Stopped',
  crashed: 'Crashed',
  debugging: 'Debugging',
  notPresent: 'NotPresent',
  starting: 'Starting',
}

/** The word as a screen shows it (`running` -> `Running`); an unknown word is shown as it came. */
export function appStateLabel(state: string): string {
  return (LABELS as Record<string, string>)[state] ?? state
}

/** True for the states in which the app has a process (so a stop has something to stop). */
export function isActiveState(state: string): boolean {
  return state === 'running' || state === 'debugging' || state === 'starting'
}

/** `R` runnable (on the CPU or ready), `S` sleeping in a blocking call, as `top` shows it. */
export type SchedState = 'R' | 'S'

/** What a sleeping process waits for: a timer only, file descriptors (with or without a timeout). */
export type WaitKind = 'timer' | 'io' | 'io+timer'

/** `S` + `timer` -> `waiting on timer`; for the details panel and the legend. */
export function schedDescription(sched: SchedState | null | undefined, wait: WaitKind | undefined): string {
  if (sched === 'R') return 'runnable (on the CPU or ready to run)'
  if (sched !== 'S') return 'no process'
  switch (wait) {
    case 'timer':
      return 'sleeping: waiting on timer'
    case 'io':
      return 'sleeping: waiting on file descriptors'
    case 'io+timer':
      return 'sleeping: waiting on file descriptors or a timeout'
    default:
      return 'sleeping'
  }
}
