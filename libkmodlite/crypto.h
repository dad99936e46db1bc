/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcrypto inside the library (crypto.c): the functions that signature.c
 * (reading a PKCS#7 signature) and verify.c (checking one) call, in one
 * table, opened on first use through dl.c. Each is reached as p_NAME once
 * crypto_load() has returned 0.
 */
#ifndef KMODLITE_CRYPTO_H
#define KMODLITE_CRYPTO_H

#include "config.h"

#if ENABLE_OPENSSL
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* The table: X(NAME) for each function, NAME as libcrypto exports it. */
#define CRYPTO_FUNCTIONS(X)              \
	X(d2i_PKCS7)                     \
	X(PKCS7_free)                    \
	X(PKCS7_get_signer_info)         \
	X(d2i_CMS_ContentInfo)           \
	X(CMS_ContentInfo_free)          \
	X(CMS_get0_type)                 \
	X(CMS_get0_SignerInfos)          \
	X(CMS_SignerInfo_cert_cmp)       \
	X(CMS_SignerInfo_get0_signer_id) \
	X(CMS_SignerInfo_get0_algs)      \
	X(CMS_verify)                    \
	X(X509_ALGOR_get0)               \
	X(d2i_X509)                      \
	X(PEM_read_bio_X509)             \
	X(X509_free)                     \
	X(X509_check_purpose)            \
	X(X509_get_subject_name)         \
	X(X509_NAME_get_index_by_NID)    \
	X(X509_NAME_get_entry)           \
	X(X509_NAME_entry_count)         \
	X(X509_NAME_ENTRY_get_data)      \
	X(ASN1_STRING_get0_data)         \
	X(ASN1_STRING_length)            \
	X(OBJ_obj2nid)                   \
	X(OBJ_nid2ln)                    \
	X(OPENSSL_sk_num)                \
	X(OPENSSL_sk_value)              \
	X(OPENSSL_sk_new_null)           \
	X(OPENSSL_sk_push)               \
	X(OPENSSL_sk_free)               \
	X(BIO_new_mem_buf)               \
	X(BIO_free)                      \
	X(ERR_set_mark)                  \
	X(ERR_pop_to_mark)

#define CRYPTO_DECLARE(name) extern __typeof__(name) *p_##name;
CRYPTO_FUNCTIONS(CRYPTO_DECLARE)
#undef CRYPTO_DECLARE
#endif

/*
 * Opens libcrypto and finds every function of the table, once per process
 * (later calls return the first one's answer). Returns 0, or -ENOTSUP when
 * the library or one of the functions is missing, or the library was built
 * without libcrypto.
 */
int crypto_load(void);

#endif
