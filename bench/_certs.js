// A throwaway X.509 pair for the hub benches: a CA (no issuer) or a client certificate it signs, valid for a day
// either side of now. `buildCertificate` is src/util/x509.ts's, from the dist/ tree the bench runs.
import {generateKeyPairSync} from 'node:crypto'

export function benchCert(buildCertificate, cn, issuer) {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  const now = Date.now()
  const pem = buildCertificate({
    subject: {O: 'bench', CN: cn},
    ...(issuer ? {issuer: {O: 'bench', CN: issuer.cn}, issuerPublicKey: issuer.publicKey} : {}),
    publicKey,
    signingKey: issuer ? issuer.key : privateKey,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000),
    ...(issuer ? {clientAuth: true} : {ca: true}),
  })
  return {cn, pem, key: privateKey, keyPem: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), publicKey}
}
