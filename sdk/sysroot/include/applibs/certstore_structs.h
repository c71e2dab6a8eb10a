/* sphere-sdk applibs: certificate store structs (do not include directly). */
#pragma once

#define CERTSTORE_MAX_CERT_SIZE 8192
#define CERTSTORE_MAX_PRIVATE_KEY_PASSWORD_LENGTH 256
#define CERTSTORE_MAX_IDENTIFIER_LENGTH 16
#define CERTSTORE_SUBJECTNAME_MAX_LENGTH 300
#define CERTSTORE_ISSUERNAME_MAX_LENGTH 300

typedef struct CertStore_Identifier {
    char identifier[CERTSTORE_MAX_IDENTIFIER_LENGTH + 1];
} CertStore_Identifier;

typedef struct CertStore_SubjectName {
    char name[CERTSTORE_SUBJECTNAME_MAX_LENGTH + 1];
} CertStore_SubjectName;

typedef struct CertStore_IssuerName {
    char name[CERTSTORE_ISSUERNAME_MAX_LENGTH + 1];
} CertStore_IssuerName;
