/** Application endpoints (device REST API §6): state, quota, removal. */
import type {AppQuotaResponse, AppStatusResponse} from '../rest-api.js'
import {route} from './spec.js'

export const appStatus = route<undefined, AppStatusResponse>()({
  name: 'apps.status',
  method: 'GET',
  path: '/app/status/{componentId}',
  summary: 'The state of one app (notPresent when not installed)',
})
export const setAppState = route<{trigger: 'start' | 'stop' | 'startDebug'}, AppStatusResponse>()({
  name: 'apps.setState',
  method: 'PATCH',
  path: '/app/status/{componentId}',
  request: 'json',
  errors: ['appNotPresent', 'gpioInUse'],
  summary: 'Start, stop or start under the debugger',
})
export const appQuota = route<undefined, AppQuotaResponse>()({
  name: 'apps.quota',
  method: 'GET',
  path: '/app/quota/{componentId}',
  errors: ['appNotPresent'],
  summary: "The app's mutable storage use and limit",
})
export const deleteApp = route()({
  name: 'apps.delete',
  method: 'DELETE',
  path: '/app/image/{componentId}',
  summary: 'Remove an installed app',
})
