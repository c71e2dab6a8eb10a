/**
 * What the CLI advises for an error a device reported: the one place a device failure becomes CLI advice
 * (the OS itself never names CLI commands). Keyed by the device API error code (REST_ERRORS) and, where the
 * same code means different things, the HTTP status.
 */
import {DeviceApiError} from '../device/http.js'
import type {RestErrorName} from '../protocol/api/index.js'
import {REST_ERRORS} from '../protocol/rest-api.js'

const ADVICE: Partial<Record<RestErrorName, {status?: number; advice: string[]}[]>> = {
  appNotPresent: [{advice: ['List installed apps with: sphere device image list-installed']}],
  imageNotStaged: [
    {
      status: 403,
      advice: [
        'Sideloading needs development mode: sphere device enable-development',
        'Check that the package is signed with a key the device trusts: sphere image verify',
      ],
    },
  ],
  noSpace: [{advice: ['Free space by removing an app: sphere device sideload delete --component-id ID']}],
  appExists: [{advice: ['Remove the installed app first: sphere device sideload delete --component-id ID']}],
  certNotFound: [{advice: ['List the certificates on the device: sphere device certificate list']}],
  certStoreFull: [{advice: ['Remove a certificate first: sphere device certificate delete --certificate ID']}],
  networkNotFound: [{advice: ['List the stored Wi-Fi networks: sphere device wifi list']}],
  wifiDisabled: [{advice: ['Enable the Wi-Fi interface: sphere device network enable --interface wlan0']}],
  gpioInUse: [{advice: ['See which app holds the pin: sphere device app show-status']}],
}

/** The CLI's advice for `err` (empty when it is not a device error the CLI knows). */
export function deviceErrorAdvice(err: unknown): string[] {
  if (!(err instanceof DeviceApiError) || err.deviceErrorCode === undefined) return []
  const name = (Object.keys(REST_ERRORS) as RestErrorName[]).find((n) => REST_ERRORS[n].code === err.deviceErrorCode)
  const rules = name ? (ADVICE[name] ?? []) : []
  return rules.filter((r) => r.status === undefined || r.status === err.status).flatMap((r) => r.advice)
}
