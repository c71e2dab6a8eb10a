/**
 * Processes the CLI starts detached (simulator daemons, the local hub) and later finds by pid: whether one still
 * runs, and stopping one. A detached service is re-parented when its starter exits, and whoever reaps it then may
 * take its time: a process that has exited but not been reaped (a zombie) counts as gone, so a stop returns as
 * soon as the service has ended.
 */
import {readFileSync} from 'node:fs'

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** Linux: the process has exited and waits to be reaped (state Z or X in /proc/PID/stat). Elsewhere: false. */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state === 'Z' || state === 'X'
  } catch {
    return true // /proc has no entry: gone between the two looks
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** SIGTERM, wait up to `timeoutMs` for it to end, then SIGKILL and wait for that. */
export async function stopPid(pid: number, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    // raced with its exit
  }
  const deadline = Date.now() + timeoutMs
  while (isPidAlive(pid) && Date.now() < deadline) await sleep(10)
  if (!isPidAlive(pid)) return
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone
  }
  while (isPidAlive(pid)) await sleep(10)
}
