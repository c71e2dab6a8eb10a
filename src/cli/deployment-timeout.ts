import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../util/atomic-file.js'

/** Default sideload deployment timeout, seconds (as the Azure Sphere CLI). */
export const DEFAULT_DEPLOYMENT_TIMEOUT = 60

export function readDeploymentTimeout(home: string): number {
  try {
    const v = JSON.parse(readFileSync(join(home, 'deployment-timeout.json'), 'utf8')) as {seconds?: unknown}
    if (typeof v.seconds === 'number' && v.seconds > 0) return v.seconds
  } catch {
    // not set
  }
  return DEFAULT_DEPLOYMENT_TIMEOUT
}

export function writeDeploymentTimeout(home: string, seconds: number): void {
  writeFileAtomic(join(home, 'deployment-timeout.json'), JSON.stringify({seconds}) + '\n')
}
