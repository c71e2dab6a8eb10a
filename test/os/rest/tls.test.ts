import {describe, expect, test} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {caPem, der, ensureDeviceCa, serverTls} from '../../../src/os/services/tls.js'
import {tempDir} from './helpers.js'

const hasOpenssl = ['/usr/bin/openssl', '/bin/openssl'].some((p) => existsSync(p))

describe('device CA and server certificate (our DER builder)', () => {
  test('DER primitives', () => {
    expect(der.oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302')
    expect(der.uint(0).toString('hex')).toBe('020100')
    expect(der.uint(128).toString('hex')).toBe('02020080')
    expect(der.uint(new Uint8Array([0, 0, 1])).toString('hex')).toBe('020101')
    expect(der.octets(new Uint8Array(200)).subarray(0, 3).toString('hex')).toBe('0481c8')
    expect(der.octets(new Uint8Array(300)).subarray(0, 4).toString('hex')).toBe('0482012c')
    expect(der.time(new Date(Date.UTC(2038, 4, 17))).toString('latin1')).toContain('380517000000Z')
    expect(der.time(new Date(Date.UTC(2060, 0, 1))).toString('latin1')).toContain('20600101000000Z')
  })

  test('the CA is EC P-256, CA:TRUE, self-signed, kept in the state dir and reused', () => {
    const tmp = tempDir()
    try {
      const a = ensureDeviceCa(tmp.dir)
      const x = new X509Certificate(a.certPem)
      expect(x.ca).toBe(true)
      expect(x.verify(x.publicKey)).toBe(true)
      expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
      expect(statSync(join(tmp.dir, 'tls', 'ca.key.pem')).mode & 0o777).toBe(0o600)
      expect(caPem(tmp.dir)).toBe(a.certPem)
      expect(ensureDeviceCa(tmp.dir).keyPem).toBe(a.keyPem)
    } finally {
      tmp.cleanup()
    }
  })

  test('the leaf carries SAN *.devices.sphere.azure.local + the listen IP, chains to the CA, is reused until the SANs change', () => {
    const tmp = tempDir()
    try {
      const s = serverTls(tmp.dir, '127.0.0.1')
      const leaf = new X509Certificate(s.cert)
      const ca = new X509Certificate(s.ca)
      expect(leaf.ca).toBe(false)
      expect(leaf.subjectAltName).toContain('DNS:*.devices.sphere.azure.local')
      expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1')
      expect(leaf.verify(ca.publicKey)).toBe(true)
      expect(leaf.checkIssued(ca)).toBe(true)
      expect(leaf.checkHost('*.devices.sphere.azure.local')).toBe('*.devices.sphere.azure.local')
      expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1')
      expect(serverTls(tmp.dir, '127.0.0.1').cert).toBe(s.cert)
      const other = new X509Certificate(serverTls(tmp.dir, '10.1.2.3').cert)
      expect(other.subjectAltName).toContain('IP Address:10.1.2.3')
      expect(other.verify(ca.publicKey)).toBe(true)
    } finally {
      tmp.cleanup()
    }
  })

  test('openssl reads and verifies what we build', () => {
    if (!hasOpenssl) return
    const tmp = tempDir()
    try {
      const s = serverTls(tmp.dir, '127.0.0.1')
      writeFileSync(join(tmp.dir, 'ca.pem'), s.ca)
      writeFileSync(join(tmp.dir, 'leaf.pem'), s.cert.slice(0, s.cert.indexOf('-----END CERTIFICATE-----') + 26))
      const text = execFileSync('openssl', ['x509', '-in', join(tmp.dir, 'leaf.pem'), '-noout', '-text']).toString()
      expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256')
      expect(text).toMatch(/DNS:\*\.devices\.sphere\.azure\.local/)
      expect(text).toMatch(/CA:FALSE/)
      const caText = execFileSync('openssl', ['x509', '-in', join(tmp.dir, 'ca.pem'), '-noout', '-text']).toString()
      expect(caText).toMatch(/CA:TRUE/)
      expect(caText).toMatch(/Certificate Sign/)
      const v = execFileSync('openssl', [
        'verify',
        '-CAfile',
        join(tmp.dir, 'ca.pem'),
        '-verify_hostname',
        '*.devices.sphere.azure.local',
        join(tmp.dir, 'leaf.pem'),
      ]).toString()
      expect(v).toContain('OK')
    } finally {
      tmp.cleanup()
    }
  })
})
