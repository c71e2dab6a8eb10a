/** Image endpoints (device REST API §6): installed images, staging, installing. */
import type {ImagesResponse} from '../rest-api.js'
import {route} from './spec.js'

export const images = route<undefined, ImagesResponse>()({
  name: 'images.list',
  method: 'GET',
  path: '/images',
  summary: 'Installed and staged images',
})
export const stage = route<Uint8Array>()({
  name: 'images.stage',
  method: 'PUT',
  path: '/update/stage',
  request: 'image',
  errors: ['imageNotStaged', 'noSpace', 'badComponentId', 'manifestMissing', 'manifestParse', 'appExists'],
  summary: 'Stage an image package (sideload)',
})
export const install = route<{appControlMode?: 'Auto' | 'Manual'}>()({
  name: 'images.install',
  method: 'POST',
  path: '/update/install',
  request: 'json?',
  errors: ['gpioUndefined', 'gpioInUse', 'noSpace', 'appExists'],
  summary: 'Install every staged image; start them unless appControlMode is Manual',
})
