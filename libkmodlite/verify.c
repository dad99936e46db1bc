// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module signature verification, the check the kernel makes before it
 * loads a module (kernel/module/signing.c, crypto/asymmetric_keys):
 *
 *   - the appended trailer must be of the PKCS#7 type and its lengths fit;
 *   - the blob is CMS SignedData with detached content: the module's bytes
 *     before the signature;
 *   - its signer is found among the trusted certificates by issuer and
 *     serial number or by subject key identifier;
 *   - the digest of the content (through the signed attributes, when there
 *     are any) is checked against the signature with that certificate's key.
 *
 * Certificates come from PEM or DER files (a keyring). libcrypto is opened on
 * first use (crypto.c), as for signature parsing; without it every call is
 * -ENOTSUP. A keyring is read-only once loaded, so one keyring serves many
 * threads.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "crypto.h"
#include "kmodlite-private.h"
#include "signature.h"

/* Certificate files bigger than this are not certificates. */
#define CERT_FILE_MAX ((size_t)4 << 20)

const char *kml_verdict_name(enum kml_verdict v)
{
	switch (v) {
	case KML_VERDICT_GOOD:
		return "good";
	case KML_VERDICT_BAD_SIGNATURE:
		return "bad signature";
	case KML_VERDICT_UNKNOWN_KEY:
		return "unknown key";
	case KML_VERDICT_UNSIGNED:
		return "unsigned";
	case KML_VERDICT_MALFORMED:
		return "malformed";
	}
	return "?";
}

void kml_verify_result_clear(struct kml_verify_result *res)
{
	if (!res)
		return;
	free(res->signer);
	free(res->key_id);
	free(res->hash_algo);
	free(res->reason);
	memset(res, 0, sizeof(*res));
}

/* Splits a module's bytes at its signature: *ret_content is the length of
 * what was signed, *ret_sig and *ret_sig_len the PKCS#7 blob. Fills the verdict
 * when the trailer alone decides it (unsigned, malformed). */
static int split_module(const uint8_t *bytes, size_t size, size_t *ret_content,
			const uint8_t **ret_sig, size_t *ret_sig_len, struct kml_verify_result *res)
{
	struct sig_trailer t;
	int r = sig_trailer_read(bytes, size, &t);
	if (r == -ENODATA) {
		res->verdict = KML_VERDICT_UNSIGNED;
		return 1;
	}
	res->verdict = KML_VERDICT_MALFORMED;
	if (r < 0) {
		res->reason = strdup("truncated signature trailer");
		return res->reason ? 1 : -ENOMEM;
	}
	const char *why = NULL;
	/* The kernel accepts only PKCS#7, with the clear-text fields empty. */
	if (t.id_type != SIG_ID_PKCS7)
		why = "signature is not of the PKCS#7 type";
	else if (t.algo || t.hash || t.signer_len || t.key_id_len)
		why = "PKCS#7 trailer has algorithm or key fields set";
	else if (t.sig_len == 0 || t.sig_len > t.avail)
		why = "signature length out of range";
	if (why) {
		res->reason = strdup(why);
		return res->reason ? 1 : -ENOMEM;
	}
	*ret_content = t.avail - t.sig_len;
	*ret_sig = bytes + t.avail - t.sig_len;
	*ret_sig_len = t.sig_len;
	return 0;
}

#if ENABLE_OPENSSL

struct kml_keyring {
	X509 **certs;
	size_t count;
	size_t alloc;
};

int kml_keyring_new(struct kml_keyring **ret_keyring)
{
	int r = crypto_load();
	if (r < 0)
		return r;
	struct kml_keyring *kr = calloc(1, sizeof(*kr));
	if (!kr)
		return -ENOMEM;
	*ret_keyring = kr;
	return 0;
}

void kml_keyring_free(struct kml_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->count; i++)
		p_X509_free(kr->certs[i]);
	free(kr->certs);
	free(kr);
}

size_t kml_keyring_count(const struct kml_keyring *kr)
{
	return kr ? kr->count : 0;
}

static int keyring_push(struct kml_keyring *kr, X509 *x)
{
	if (kr->count == kr->alloc) {
		size_t n = kr->alloc ? kr->alloc * 2 : 4;
		X509 **c = realloc(kr->certs, n * sizeof(*c));
		if (!c)
			return -ENOMEM;
		kr->certs = c;
		kr->alloc = n;
	}
	/* Fill libcrypto's cache of the extensions (the key identifiers) now,
	 * while one thread owns the certificate. */
	p_X509_check_purpose(x, -1, 0);
	kr->certs[kr->count++] = x;
	return 0;
}

/* Adds the certificates of one buffer: every PEM block, or one DER
 * certificate. Returns how many were added, -EBADMSG for none. */
static int keyring_add_buffer(struct kml_keyring *kr, const char *buf, size_t len)
{
	int added = 0, r = 0;
	if (len > INT_MAX)
		return -EFBIG;
	p_ERR_set_mark();
	if (memmem(buf, len, "-----BEGIN", 10)) {
		BIO *bio = p_BIO_new_mem_buf(buf, (int)len);
		if (!bio) {
			r = -ENOMEM;
			goto out;
		}
		X509 *x;
		while ((x = p_PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
			r = keyring_push(kr, x);
			if (r < 0) {
				p_X509_free(x);
				break;
			}
			added++;
		}
		p_BIO_free(bio);
	} else {
		const unsigned char *p = (const unsigned char *)buf;
		X509 *x = p_d2i_X509(NULL, &p, (long)len);
		if (x) {
			r = keyring_push(kr, x);
			if (r < 0)
				p_X509_free(x);
			else
				added++;
		}
	}
out:
	p_ERR_pop_to_mark();
	if (r < 0)
		return r;
	return added > 0 ? added : -EBADMSG;
}

int kml_keyring_add_file(struct kml_keyring *kr, const char *path)
{
	char *buf;
	size_t len;
	int r = read_file_full(path, CERT_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = keyring_add_buffer(kr, buf, len);
	free(buf);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kml_keyring_add_dir(struct kml_keyring *kr, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int r = 0, total = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			size_t a = alloc ? alloc * 2 : 16;
			char **p = realloc(names, a * sizeof(*p));
			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			names = p;
			alloc = a;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	/* In name order, so the certificates' order does not depend on the
	 * file system. Files that hold no certificate are passed over. */
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = path_join(dir, names[i], strlen(names[i]));
		if (!path) {
			r = -ENOMEM;
			goto out;
		}
		int k = kml_keyring_add_file(kr, path);
		if (k == -ENOMEM) {
			r = k;
			goto out;
		}
		if (k > 0)
			total += k;
	}
	r = total;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

/* "AB:CD:..." of LEN bytes. */
static char *hex_colon(const uint8_t *data, size_t len)
{
	char *s = malloc(len ? len * 3 : 1);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < len; i++)
		snprintf(s + i * 3, 4, "%02X%s", data[i], i + 1 < len ? ":" : "");
	return s;
}

/* A name's first common name, else its last entry, as a string. */
static char *name_text(const X509_NAME *name)
{
	int idx = p_X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx < 0)
		idx = p_X509_NAME_entry_count(name) - 1;
	const uint8_t *data = NULL;
	int len = 0;
	if (idx >= 0) {
		X509_NAME_ENTRY *e = p_X509_NAME_get_entry(name, idx);
		ASN1_STRING *s = e ? p_X509_NAME_ENTRY_get_data(e) : NULL;
		if (s) {
			data = p_ASN1_STRING_get0_data(s);
			len = p_ASN1_STRING_length(s);
		}
	}
	if (len < 0 || !data)
		len = 0;
	char *out = malloc((size_t)len + 1);
	if (!out)
		return NULL;
	if (len)
		memcpy(out, data, (size_t)len);
	out[len] = '\0';
	return out;
}

/* Who the signer info names: signer (issuer's CN), key id (serial or
 * subject key identifier) and digest. */
static int describe_signer(CMS_SignerInfo *si, struct kml_verify_result *res)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	if (p_CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
		return -EBADMSG;
	const ASN1_STRING *id = keyid ? keyid : serial;
	if (!id)
		return -EBADMSG;
	const uint8_t *data = p_ASN1_STRING_get0_data(id);
	int len = p_ASN1_STRING_length(id);
	if (len < 0 || (len > 0 && !data))
		return -EBADMSG;
	size_t n = (size_t)len;
	while (!keyid && n > 0 && data[0] == 0) { /* serial: no leading zeros */
		data++;
		n--;
	}
	res->key_id = hex_colon(data, n);
	res->signer = issuer ? name_text(issuer) : strdup("");
	X509_ALGOR *dig = NULL;
	p_CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	const ASN1_OBJECT *obj = NULL;
	if (dig)
		p_X509_ALGOR_get0(&obj, NULL, NULL, dig);
	int nid = obj ? p_OBJ_obj2nid(obj) : NID_undef;
	const char *ln = nid != NID_undef ? p_OBJ_nid2ln(nid) : NULL;
	res->hash_algo = strdup(ln ? ln : "unknown");
	if (!res->key_id || !res->signer || !res->hash_algo)
		return -ENOMEM;
	return 0;
}

/* The signer's certificate's subject replaces the issuer as the signer's
 * name when the key is known (they are the same for a self-signed key). */
static int set_signer_from_cert(X509 *x, struct kml_verify_result *res)
{
	char *s = name_text(p_X509_get_subject_name(x));
	if (!s)
		return -ENOMEM;
	free(res->signer);
	res->signer = s;
	return 0;
}

static int set_reason(struct kml_verify_result *res, enum kml_verdict v, const char *why)
{
	res->verdict = v;
	free(res->reason);
	res->reason = why ? strdup(why) : NULL;
	return why && !res->reason ? -ENOMEM : 0;
}

static int verify_cms(const struct kml_keyring *kr, const uint8_t *content, size_t content_len,
		      const uint8_t *blob, size_t blob_len, struct kml_verify_result *res)
{
	if (blob_len > LONG_MAX || content_len > INT_MAX)
		return set_reason(res, KML_VERDICT_MALFORMED, "signature too large");
	const unsigned char *p = blob;
	CMS_ContentInfo *cms = p_d2i_CMS_ContentInfo(NULL, &p, (long)blob_len);
	if (!cms)
		return set_reason(res, KML_VERDICT_MALFORMED, "not a DER-encoded PKCS#7 message");
	int r;
	STACK_OF(CMS_SignerInfo) *infos = NULL;
	if (p_OBJ_obj2nid(p_CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    !(infos = p_CMS_get0_SignerInfos(cms)) ||
	    p_OPENSSL_sk_num((const OPENSSL_STACK *)infos) != 1) {
		/* The kernel takes the first signer that matches a key; the
		 * tools that sign modules write exactly one. */
		r = set_reason(res, KML_VERDICT_MALFORMED, "not SignedData with one signer");
		goto out;
	}
	CMS_SignerInfo *si = p_OPENSSL_sk_value((const OPENSSL_STACK *)infos, 0);
	r = describe_signer(si, res);
	if (r == -EBADMSG) {
		r = set_reason(res, KML_VERDICT_MALFORMED, "signer info without a signer id");
		goto out;
	}
	if (r < 0)
		goto out;

	X509 *cert = NULL;
	for (size_t i = 0; i < kr->count && !cert; i++)
		if (p_CMS_SignerInfo_cert_cmp(si, kr->certs[i]) == 0)
			cert = kr->certs[i];
	if (!cert) {
		r = set_reason(res, KML_VERDICT_UNKNOWN_KEY, NULL);
		goto out;
	}
	r = set_signer_from_cert(cert, res);
	if (r < 0)
		goto out;

	OPENSSL_STACK *certs = p_OPENSSL_sk_new_null();
	BIO *data = p_BIO_new_mem_buf(content, (int)content_len);
	if (!certs || !data || !p_OPENSSL_sk_push(certs, cert)) {
		r = -ENOMEM;
	} else {
		/* Only the signature: the kernel checks no chain, no validity
		 * dates, no certificates carried in the message. */
		unsigned int flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOINTERN |
				     CMS_NOCRL | CMS_DETACHED;
		if (p_CMS_verify(cms, (STACK_OF(X509) *)certs, NULL, data, NULL, flags) == 1)
			r = set_reason(res, KML_VERDICT_GOOD, NULL);
		else
			r = set_reason(res, KML_VERDICT_BAD_SIGNATURE, NULL);
	}
	if (data)
		p_BIO_free(data);
	if (certs)
		p_OPENSSL_sk_free(certs);
out:
	p_CMS_ContentInfo_free(cms);
	return r;
}

int kml_verify_module(const struct kml_keyring *kr, const void *data, size_t size,
		      struct kml_verify_result *res)
{
	if (!kr || !res || (!data && size))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	size_t content_len = 0, sig_len = 0;
	const uint8_t *sig = NULL;
	int r = split_module(data, size, &content_len, &sig, &sig_len, res);
	if (r == 0) {
		/* Leave the calling thread's OpenSSL error queue as it was. */
		p_ERR_set_mark();
		r = verify_cms(kr, data, content_len, sig, sig_len, res);
		p_ERR_pop_to_mark();
	}
	if (r < 0) {
		kml_verify_result_clear(res);
		return r;
	}
	return 0;
}

#else

struct kml_keyring {
	int unused;
};

int kml_keyring_new(struct kml_keyring **ret_keyring)
{
	return -ENOTSUP;
}

void kml_keyring_free(struct kml_keyring *kr)
{
}

size_t kml_keyring_count(const struct kml_keyring *kr)
{
	return 0;
}

int kml_keyring_add_file(struct kml_keyring *kr, const char *path)
{
	return -ENOTSUP;
}

int kml_keyring_add_dir(struct kml_keyring *kr, const char *dir)
{
	return -ENOTSUP;
}

int kml_verify_module(const struct kml_keyring *kr, const void *data, size_t size,
		      struct kml_verify_result *res)
{
	/* Keep split_module() used: the trailer is checked the same way. */
	(void)split_module;
	return -ENOTSUP;
}

#endif
