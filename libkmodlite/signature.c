// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The signature appended to a module:
 *
 *   [module][signer][key id][signature][struct module_signature][magic]
 *
 * struct module_signature is 12 bytes: algo, hash, id_type, signer_len,
 * key_id_len, 3 bytes of padding, then sig_len as a big-endian u32.
 *
 * PGP and X509 style trailers carry the signer and key id in the clear. The
 * PKCS#7 style (the only one the kernel's sign-file still writes) has both
 * lengths 0 and keeps everything inside a DER-encoded PKCS#7 SignedData
 * blob, which is read with libcrypto, opened on first use (crypto.c).
 * Nothing here verifies a signature: verify.c does, for kmod verify and
 * --cert.
 */
#include <errno.h>
#include <limits.h>

#include "crypto.h"
#include "kmodlite-private.h"
#include "signature.h"

static const char sig_magic[] = "~Module signature appended~\n";
#define SIG_MAGIC_LEN (sizeof(sig_magic) - 1)
#define SIG_TRAILER_LEN 12

static const char *const id_type_names[] = {
	[SIG_ID_PGP] = "PGP",
	[SIG_ID_X509] = "X509",
	[SIG_ID_PKCS7] = "PKCS#7",
};

/* The kernel's historical enum pkey_algo. */
static const char *const algo_names[] = { "DSA", "RSA" };

/* The kernel's enum hash_algo, in id order. */
static const char *const hash_names[] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
};

static uint32_t read_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sig_trailer_read(const uint8_t *bytes, size_t size, struct sig_trailer *t)
{
	if (size < SIG_MAGIC_LEN || memcmp(bytes + size - SIG_MAGIC_LEN, sig_magic, SIG_MAGIC_LEN) != 0)
		return -ENODATA;
	if (size < SIG_MAGIC_LEN + SIG_TRAILER_LEN)
		return -EBADMSG;
	const uint8_t *ms = bytes + size - SIG_MAGIC_LEN - SIG_TRAILER_LEN;
	t->algo = ms[0];
	t->hash = ms[1];
	t->id_type = ms[2];
	t->signer_len = ms[3];
	t->key_id_len = ms[4];
	t->sig_len = read_be32(ms + 8);
	t->avail = size - SIG_MAGIC_LEN - SIG_TRAILER_LEN;
	return 0;
}

void kml_signature_free(struct kml_signature *sig)
{
	if (!sig)
		return;
	free(sig->signer);
	free(sig->key_id);
	free(sig->signature);
	free(sig);
}

/* Copies LEN bytes into a fresh allocation (a NUL is appended, so it also
 * serves as a string). NULL only on allocation failure. */
static void *dup_bytes(const void *src, size_t len)
{
	uint8_t *p = malloc(len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

#if ENABLE_OPENSSL

static const char *digest_name(int nid)
{
	static const struct {
		int nid;
		unsigned int id;
	} map[] = {
		{ NID_md4, 0 },	   { NID_md5, 1 },    { NID_sha1, 2 },
		{ NID_ripemd160, 3 }, { NID_sha256, 4 }, { NID_sha384, 5 },
		{ NID_sha512, 6 }, { NID_sha224, 7 }, { NID_sm3, 8 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].nid == nid)
			return hash_names[map[i].id];
	/* Newer digests (sha3-256, ...): libcrypto's long names are the
	 * lower-case names the kernel uses. They point into libcrypto's static
	 * tables, which stay mapped: the library is opened RTLD_NODELETE. */
	if (nid == NID_undef)
		return NULL;
	return p_OBJ_nid2ln(nid);
}

static const char *pkey_name(int nid)
{
	switch (nid) {
	case NID_rsaEncryption:
	case NID_sha1WithRSAEncryption:
	case NID_sha224WithRSAEncryption:
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
		return "RSA";
	case NID_dsa:
		return "DSA";
	case NID_X9_62_id_ecPublicKey:
	case NID_ecdsa_with_SHA1:
	case NID_ecdsa_with_SHA224:
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		return "ECDSA";
	default:
		return NULL;
	}
}

/* Points at an ASN.1 string's content bytes (owned by the string). */
static int copy_asn1_string(const ASN1_STRING *s, const uint8_t **ret_data, size_t *ret_len)
{
	int len = p_ASN1_STRING_length(s);
	const uint8_t *data = p_ASN1_STRING_get0_data(s);
	if (len < 0 || (len > 0 && !data))
		return -EBADMSG;
	*ret_data = data;
	*ret_len = (size_t)len;
	return 0;
}

static int fill_from_signer_info(struct kml_signature *sig, PKCS7_SIGNER_INFO *si)
{
	const uint8_t *data;
	size_t len;
	int r;

	if (!si->issuer_and_serial || !si->issuer_and_serial->issuer ||
	    !si->issuer_and_serial->serial || !si->enc_digest || !si->digest_alg)
		return -EBADMSG;

	/* Signer: the issuer's first common name, bytes as encoded. Without a
	 * CN, the reference tool shows the name's last entry (whatever its
	 * type); do the same. */
	const X509_NAME *issuer = si->issuer_and_serial->issuer;
	int idx = p_X509_NAME_get_index_by_NID(issuer, NID_commonName, -1);
	if (idx < 0)
		idx = p_X509_NAME_entry_count(issuer) - 1;
	data = NULL;
	len = 0;
	if (idx >= 0) {
		X509_NAME_ENTRY *entry = p_X509_NAME_get_entry(issuer, idx);
		ASN1_STRING *cn = entry ? p_X509_NAME_ENTRY_get_data(entry) : NULL;
		if (cn) {
			r = copy_asn1_string(cn, &data, &len);
			if (r < 0)
				return r;
		}
	}
	sig->signer = dup_bytes(data, len);
	if (!sig->signer)
		return -ENOMEM;

	/* Key id: the serial number's magnitude, big-endian, no leading zeros. */
	r = copy_asn1_string(si->issuer_and_serial->serial, &data, &len);
	if (r < 0)
		return r;
	while (len > 0 && data[0] == 0) {
		data++;
		len--;
	}
	sig->key_id = dup_bytes(data, len);
	if (!sig->key_id)
		return -ENOMEM;
	sig->key_id_len = len;

	r = copy_asn1_string(si->enc_digest, &data, &len);
	if (r < 0)
		return r;
	sig->signature = dup_bytes(data, len);
	if (!sig->signature)
		return -ENOMEM;
	sig->signature_len = len;

	if (si->digest_alg->algorithm)
		sig->hash_algo = digest_name(p_OBJ_obj2nid(si->digest_alg->algorithm));
	if (si->digest_enc_alg && si->digest_enc_alg->algorithm)
		sig->algo = pkey_name(p_OBJ_obj2nid(si->digest_enc_alg->algorithm));
	return 0;
}

static int parse_pkcs7(struct kml_signature *sig, const uint8_t *blob, size_t len)
{
	int r = crypto_load();
	if (r < 0)
		return r;
	if (len > LONG_MAX)
		return -EBADMSG;

	/* Leave the calling thread's OpenSSL error queue as it was. */
	p_ERR_set_mark();
	const unsigned char *p = blob;
	PKCS7 *p7 = p_d2i_PKCS7(NULL, &p, (long)len);
	r = -EBADMSG;
	if (p7) {
		STACK_OF(PKCS7_SIGNER_INFO) *infos = p_PKCS7_get_signer_info(p7);
		if (infos && p_OPENSSL_sk_num((const OPENSSL_STACK *)infos) > 0) {
			PKCS7_SIGNER_INFO *si =
				p_OPENSSL_sk_value((const OPENSSL_STACK *)infos, 0);
			if (si)
				r = fill_from_signer_info(sig, si);
		}
		p_PKCS7_free(p7);
	}
	p_ERR_pop_to_mark();
	return r;
}

#else

static int parse_pkcs7(struct kml_signature *sig, const uint8_t *blob, size_t len)
{
	return -ENOTSUP;
}

#endif

int kml_signature_parse(const void *data, size_t size, struct kml_signature **ret_sig)
{
	const uint8_t *bytes = data;
	int r;

	if (!ret_sig || (!data && size > 0))
		return -EINVAL;
	*ret_sig = NULL;

	struct sig_trailer t;
	r = sig_trailer_read(bytes, size, &t);
	if (r < 0)
		return r;
	uint8_t algo = t.algo, hash = t.hash, id_type = t.id_type;
	uint8_t signer_len = t.signer_len, key_id_len = t.key_id_len;
	uint32_t sig_len = t.sig_len;
	uint64_t avail = t.avail;
	uint64_t total;

	/* Ids out of the kernel's ranges make the trailer malformed, even for
	 * PKCS#7 where algo and hash are unused (the reference tool treats such
	 * a module as not signed). */
	if (sig_len == 0 || id_type >= ARRAY_SIZE(id_type_names) ||
	    algo >= ARRAY_SIZE(algo_names) || hash >= ARRAY_SIZE(hash_names))
		return -EBADMSG;
	if (add_overflows(sig_len, signer_len, &total) ||
	    add_overflows(total, key_id_len, &total) || total > avail)
		return -EBADMSG;

	/* The pieces, laid out back to back just before the trailer. */
	const uint8_t *sig_bytes = bytes + t.avail - sig_len;
	const uint8_t *key_id = sig_bytes - key_id_len;
	const uint8_t *signer = key_id - signer_len;

	struct kml_signature *sig = calloc(1, sizeof(*sig));
	if (!sig)
		return -ENOMEM;
	sig->id_type = id_type_names[id_type];

	if (id_type == SIG_ID_PKCS7) {
		r = parse_pkcs7(sig, sig_bytes, sig_len);
		if (r == -ENOTSUP) {
			/* No libcrypto: still say what kind of signature it is. */
			sig->signer = dup_bytes(NULL, 0);
			if (!sig->signer) {
				kml_signature_free(sig);
				return -ENOMEM;
			}
			*ret_sig = sig;
			return r;
		}
		if (r < 0) {
			kml_signature_free(sig);
			return r;
		}
		*ret_sig = sig;
		return 0;
	}

	sig->algo = algo_names[algo];
	sig->hash_algo = hash_names[hash];
	sig->signer = dup_bytes(signer, signer_len);
	sig->key_id = dup_bytes(key_id, key_id_len);
	sig->signature = dup_bytes(sig_bytes, sig_len);
	if (!sig->signer || !sig->key_id || !sig->signature) {
		kml_signature_free(sig);
		return -ENOMEM;
	}
	sig->key_id_len = key_id_len;
	sig->signature_len = sig_len;
	*ret_sig = sig;
	return 0;
}
