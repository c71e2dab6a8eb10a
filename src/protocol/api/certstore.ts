/** Certificate store endpoints (device REST API §7). */
import {route} from './spec.js'

/** GET certstore/certs/{id} (exact key set). */
export interface CertDetails {
  id: string
  notBefore: string
  notAfter: string
  subjectName: string
  issuerName: string
}

export interface AddCertRequest {
  certType: 'rootca' | 'client'
  publicCert: string
  privateKey?: string
  password?: string
}

export const certs = route<undefined, {identifiers: string[]}>()({
  name: 'certstore.list',
  method: 'GET',
  path: '/certstore/certs',
  summary: 'Identifiers of the installed certificates',
})
export const cert = route<undefined, CertDetails>()({
  name: 'certstore.show',
  method: 'GET',
  path: '/certstore/certs/{certificateId}',
  errors: ['certNotFound'],
  summary: 'One certificate',
})
export const addCert = route<AddCertRequest>()({
  name: 'certstore.add',
  method: 'POST',
  path: '/certstore/certs/{certificateId}',
  request: 'json',
  errors: ['certStoreFull', 'certTypeInvalid'],
  summary: 'Add a certificate under an identifier',
})
export const deleteCert = route()({
  name: 'certstore.delete',
  method: 'DELETE',
  path: '/certstore/certs/{certificateId}',
  errors: ['certNotFound'],
  summary: 'Remove a certificate',
})
export const certSpace = route<undefined, {AvailableSpace: string}>()({
  name: 'certstore.space',
  method: 'GET',
  path: '/certstore/space',
  summary: 'Free space in the certificate store',
})
