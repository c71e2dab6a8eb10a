/* sphere-sdk applibs: plumbing for certstore.h (do not include directly). */
#pragma once

#include <stddef.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

enum z__CertInfoField {
    CertInfo_NotBefore = 1,
    CertInfo_NotAfter = 2,
    CertInfo_SubjectName = 3,
    CertInfo_IssuerName = 4
};

int z__CertStore_GetCertificateInfo(const char *identifier, enum z__CertInfoField field, void *data, size_t size);

static inline int CertStore_GetCertificateSubjectName(const char *identifier,
                                                      struct CertStore_SubjectName *outSubjectName)
{
    return z__CertStore_GetCertificateInfo(identifier, CertInfo_SubjectName, outSubjectName,
                                           sizeof(*outSubjectName));
}

static inline int CertStore_GetCertificateIssuerName(const char *identifier,
                                                     struct CertStore_IssuerName *outIssuerName)
{
    return z__CertStore_GetCertificateInfo(identifier, CertInfo_IssuerName, outIssuerName, sizeof(*outIssuerName));
}

static inline int CertStore_GetCertificateNotBefore(const char *identifier, struct tm *outNotBefore)
{
    return z__CertStore_GetCertificateInfo(identifier, CertInfo_NotBefore, outNotBefore, sizeof(*outNotBefore));
}

static inline int CertStore_GetCertificateNotAfter(const char *identifier, struct tm *outNotAfter)
{
    return z__CertStore_GetCertificateInfo(identifier, CertInfo_NotAfter, outNotAfter, sizeof(*outNotAfter));
}

#ifdef __cplusplus
}
#endif
