/* sphere-sdk applibs: the device certificate store. Capability: "CertStore": true. Certificates are PEM text;
   identifiers are 1-16 characters. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include <applibs/certstore_structs.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Installs a client certificate + private key under identifier. Returns 0, or -1 with errno EFAULT, EACCES,
/// ERANGE, ENOSPC, EINVAL, EAGAIN.
int CertStore_InstallClientCertificate(const char *identifier, const char *certBlob, size_t certBlobLength,
                                       const char *privateKeyBlob, size_t privateKeyBlobLength,
                                       const char *privateKeyPassword);

/// Installs (or replaces) a root CA certificate. Returns 0, or -1 with errno EFAULT, EACCES, ERANGE, ENOSPC,
/// EINVAL, EAGAIN.
int CertStore_InstallRootCACertificate(const char *identifier, const char *certBlob, size_t certBlobLength);

/// Deletes a certificate. Returns 0, or -1 with errno EFAULT, EAGAIN, EACCES, ENOENT.
int CertStore_DeleteCertificate(const char *identifier);

/// Number of installed certificates, or -1.
ssize_t CertStore_GetCertificateCount(void);

/// Identifier of the certificate at index. Returns 0, or -1 with errno ERANGE, EFAULT, EACCES, EAGAIN.
int CertStore_GetCertificateIdentifierAt(size_t index, CertStore_Identifier *outIdentifier);

/// Free bytes in the store, or -1.
ssize_t CertStore_GetAvailableSpace(void);

/// Renames a certificate (replacing newIdentifier if it exists). Returns 0 / -1.
int CertStore_MoveCertificate(const char *oldIdentifier, const char *newIdentifier);

#ifdef __cplusplus
}
#endif

#include <applibs/certstore_internal.h>
