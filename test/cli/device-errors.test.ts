/** The CLI turns a device's error code into its own advice, once (src/cli/device-errors.ts). */
import {describe, expect, it} from '@jest/globals'
import {describeError} from '../../src/cli/base-command.js'
import {apiError} from '../../src/device/http.js'
import {REST_ERRORS, restErrorMessage} from '../../src/protocol/rest-api.js'

const reply = (status: number, error: number) => ({status, headers: {}, body: Buffer.from(JSON.stringify({error}))})

describe('device errors in the CLI', () => {
  it('a refused sideload (403, image not staged) advises development mode', () => {
    const d = describeError(apiError(reply(403, REST_ERRORS.imageNotStaged.code), 'PUT', '/update/stage', restErrorMessage))
    expect(d.code).toBe('DEVICE_HTTP_403')
    expect(d.message).toBe(`You do not have permission to perform this operation on this device. ${REST_ERRORS.imageNotStaged.message}`)
    expect(d.suggestions).toEqual([
      `Device error code ${REST_ERRORS.imageNotStaged.code}.`,
      'Sideloading needs development mode: sphere device enable-development',
      'Check that the package is signed with a key the device trusts: sphere image verify',
    ])
  })

  it('the same code with another status gets no advice meant for the refusal', () => {
    const d = describeError(apiError(reply(400, REST_ERRORS.imageNotStaged.code), 'PUT', '/update/stage', restErrorMessage))
    expect(d.suggestions).toEqual([`Device error code ${REST_ERRORS.imageNotStaged.code}.`])
  })

  it('a device error line names what the request was about, unless the device text already does', () => {
    const cid = '5ee0a000-0000-4000-8000-000000000001'
    const notPresent = apiError(reply(409, REST_ERRORS.appNotPresent.code), 'PATCH', `/app/status/${cid}`, restErrorMessage, {componentId: cid})
    expect(describeError(notPresent).message).toBe(
      `The device could not perform this request due to the resource being in a conflicting state. Application is not present (component ID ${cid})`,
    )
    const cert = apiError(reply(404, REST_ERRORS.certNotFound.code), 'GET', '/certstore/certs/myCA', restErrorMessage, {certificateId: 'myCA'})
    expect(describeError(cert).message).toBe(
      'This resource is unavailable on this device. No certificate with that identifier could be found on the device (certificate myCA).',
    )
    const named = apiError(
      {status: 409, headers: {'x-sphere-error-detail': `${cid} is busy`}, body: Buffer.from(JSON.stringify({error: REST_ERRORS.busy.code}))},
      'PATCH',
      `/app/status/${cid}`,
      restErrorMessage,
      {componentId: cid},
    )
    expect(describeError(named).message).toBe(
      `The device could not perform this request due to the resource being in a conflicting state. ${REST_ERRORS.busy.message} (${cid} is busy)`,
    )
  })

  it('a missing app points at the list of installed apps; an unknown code gets only its number', () => {
    expect(describeError(apiError(reply(409, REST_ERRORS.appNotPresent.code), 'PATCH', '/app/status/x')).suggestions).toContain(
      'List installed apps with: sphere device image list-installed',
    )
    expect(describeError(apiError(reply(500, 123), 'GET', '/x')).suggestions).toEqual(['Device error code 123.'])
  })
})
