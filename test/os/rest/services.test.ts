import {describe, expect, test} from '@jest/globals'
import {generateKeyPairSync} from 'node:crypto'
import {readdirSync} from 'node:fs'
import {buildCertificate, openRestServices} from '../../../src/os/rest/index.js'
import {tempDir} from './helpers.js'

function cert(cn: string): string {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return buildCertificate({
    subject: {CN: cn},
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2030, 0, 1)),
    ca: true,
  })
}

describe('REST services persist in the state dir (a daemon restart keeps them)', () => {
  test('certificates, Wi-Fi networks, proxy, telemetry and the deployment timeout survive; wlan0 is up at boot', () => {
    const tmp = tempDir()
    try {
      const a = openRestServices(tmp.dir, 'seed')
      a.certs.add('Root', {certType: 'rootca', publicCert: cert('Root')})
      a.wifi.add({ssid: 'Net', securityState: 'psk', psk: 'password1', configState: 'enabled'})
      a.net.setProxy({enabled: true, address: 'p', port: 3128, noProxyAddresses: [], authenticationType: 'anonymous'})
      a.net.setUp('wlan0', false)
      a.telemetry.record({time: 1, kind: 'app-crash', componentId: 'x', detail: 'trap'})
      a.sideload.setDeploymentTimeout(12)
      const space = a.certs.availableSpaceString()

      const b = openRestServices(tmp.dir, 'seed')
      expect(b.certs.list()).toEqual(['Root'])
      expect(b.certs.availableSpaceString()).toBe(space)
      expect(b.wifi.list().map((n) => n.ssid)).toEqual(['Net'])
      expect(b.net.proxy()?.port).toBe(3128)
      expect(b.net.wifiUp).toBe(true)
      expect(b.net.iface('wlan0')?.hardwareAddress).toBe(a.net.iface('wlan0')?.hardwareAddress)
      expect(b.telemetry.dataLength()).toBeGreaterThan(0)
      expect(b.telemetry.bytes().readUInt16BE(3)).toBe(b.telemetry.dataLength())
      expect(b.sideload.deploymentTimeout()).toBe(12)
      // atomic writes leave no temp files behind
      expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    } finally {
      tmp.cleanup()
    }
  })

  test('the certificate store refuses what does not fit, and AvailableSpace stays 5 digits', () => {
    const s = openRestServices(undefined)
    let added = 0
    for (let i = 0; i < 200; i++) {
      try {
        s.certs.add(`c${i}`, {certType: 'client', publicCert: cert(`c${i}`), privateKey: 'k'.repeat(400)})
        added++
      } catch (e) {
        expect((e as {code: string}).code).toBe('CERT_STORE_FULL')
        break
      }
      expect(s.certs.availableSpaceString()).toMatch(/^[0-9]{5}$/)
    }
    expect(added).toBeGreaterThan(5)
    expect(added).toBeLessThan(200)
  })
})
