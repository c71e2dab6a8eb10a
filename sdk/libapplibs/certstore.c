/* sphere-sdk libapplibs: certificate store. Strings go to the kernel as (pointer, length). */
#include <applibs/certstore.h>

#include "internal.h"

/* EFAULT for NULL, EINVAL for an identifier that is empty or longer than 16 characters. */
static int CheckIdentifier(const char *identifier)
{
    SPHERE_REQUIRE_PTR(identifier);
    size_t n = strnlen(identifier, CERTSTORE_MAX_IDENTIFIER_LENGTH + 1);
    if (n == 0 || n > CERTSTORE_MAX_IDENTIFIER_LENGTH) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

SPHERE_API int CertStore_InstallClientCertificate(const char *identifier, const char *certBlob, size_t certBlobLength,
                                       const char *privateKeyBlob, size_t privateKeyBlobLength,
                                       const char *privateKeyPassword)
{
    if (CheckIdentifier(identifier) != 0) {
        return -1;
    }
    SPHERE_REQUIRE_PTR(certBlob);
    SPHERE_REQUIRE_PTR(privateKeyBlob);
    if (certBlobLength == 0 || certBlobLength > CERTSTORE_MAX_CERT_SIZE || privateKeyBlobLength == 0 ||
        privateKeyBlobLength > CERTSTORE_MAX_CERT_SIZE) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_certstore_install_client_certificate(
        identifier, __sphere_strlen(identifier), certBlob, certBlobLength, privateKeyBlob, privateKeyBlobLength,
        privateKeyPassword, __sphere_strlen(privateKeyPassword)));
}

SPHERE_API int CertStore_InstallRootCACertificate(const char *identifier, const char *certBlob, size_t certBlobLength)
{
    if (CheckIdentifier(identifier) != 0) {
        return -1;
    }
    SPHERE_REQUIRE_PTR(certBlob);
    if (certBlobLength == 0 || certBlobLength > CERTSTORE_MAX_CERT_SIZE) {
        errno = ERANGE;
        return -1;
    }
    return __sphere_ret(__applibs_certstore_install_root_ca_certificate(identifier, __sphere_strlen(identifier),
                                                                        certBlob, certBlobLength));
}

SPHERE_API int CertStore_DeleteCertificate(const char *identifier)
{
    if (CheckIdentifier(identifier) != 0) {
        return -1;
    }
    return __sphere_ret(__applibs_certstore_delete_certificate(identifier, __sphere_strlen(identifier)));
}

SPHERE_API ssize_t CertStore_GetCertificateCount(void)
{
    return __sphere_ret(__applibs_certstore_get_certificate_count());
}

SPHERE_API int CertStore_GetCertificateIdentifierAt(size_t index, CertStore_Identifier *outIdentifier)
{
    SPHERE_REQUIRE_PTR(outIdentifier);
    memset(outIdentifier, 0, sizeof(*outIdentifier));
    int32_t r = __sphere_ret(__applibs_certstore_get_certificate_identifier_at(
        index, outIdentifier->identifier, CERTSTORE_MAX_IDENTIFIER_LENGTH));
    return r < 0 ? -1 : 0;
}

SPHERE_API ssize_t CertStore_GetAvailableSpace(void)
{
    return __sphere_ret(__applibs_certstore_get_available_space());
}

SPHERE_API int CertStore_MoveCertificate(const char *oldIdentifier, const char *newIdentifier)
{
    if (CheckIdentifier(oldIdentifier) != 0 || CheckIdentifier(newIdentifier) != 0) {
        return -1;
    }
    return __sphere_ret(__applibs_certstore_move_certificate(oldIdentifier, __sphere_strlen(oldIdentifier),
                                                             newIdentifier, __sphere_strlen(newIdentifier)));
}

SPHERE_API int z__CertStore_GetCertificateInfo(const char *identifier, enum z__CertInfoField field, void *data, size_t size)
{
    if (CheckIdentifier(identifier) != 0) {
        return -1;
    }
    SPHERE_REQUIRE_PTR(data);
    memset(data, 0, size);
    int32_t r = __sphere_ret(__applibs_certstore_get_certificate_info(identifier, __sphere_strlen(identifier),
                                                                      (uint32_t)field, data, size));
    return r < 0 ? -1 : 0;
}
