// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kmodlite-private.h"

#define MAGIC "~Module signature appended~\n"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define TRAILER_LEN 12

/* A signed module of the tree $KMODLITE_TEST_ROOT/lib/modules/$KMODLITE_TEST_KVER. */
#define REAL_MODULE_RELPATH "kernel/net/sctp/sctp.ko"
#define REF_MODINFO "/usr/sbin/modinfo"

/*
 * A detached PKCS#7 SignedData in the kernel's sign-file style (no
 * certificates, no signed attributes), over the 8 bytes "kmodlite".
 * Made with:
 *
 *   openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
 *       -nodes -keyout k.pem -out c.pem -days 36500 \
 *       -subj "/O=kmodlite/CN=kmodlite test key" -set_serial 0x00C0FFEE1234
 *   printf kmodlite > payload
 *   openssl cms -sign -binary -noattr -nocerts -md sha256 -outform DER \
 *       -signer c.pem -inkey k.pem -in payload -out blob.der
 *   xxd -i blob.der
 *
 * The issuer serial is encoded as 00 C0 FF EE 12 34 (a leading zero because
 * the top bit is set); the reference prints C0:FF:EE:12:34. The ECDSA
 * signature (the SignerInfo's encryptedDigest) is the last 71 bytes.
 */
static const uint8_t test_pkcs7[] = {
	0x30, 0x81, 0xd6, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x07, 0x02, 0xa0, 0x81, 0xc8, 0x30, 0x81, 0xc5, 0x02, 0x01, 0x01, 0x31,
	0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x07, 0x01, 0x31, 0x81, 0xa3, 0x30, 0x81, 0xa0, 0x02, 0x01, 0x01,
	0x30, 0x39, 0x30, 0x2f, 0x31, 0x11, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x04,
	0x0a, 0x0c, 0x08, 0x6b, 0x6d, 0x6f, 0x64, 0x6c, 0x69, 0x74, 0x65, 0x31,
	0x1a, 0x30, 0x18, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x11, 0x6b, 0x6d,
	0x6f, 0x64, 0x6c, 0x69, 0x74, 0x65, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20,
	0x6b, 0x65, 0x79, 0x02, 0x06, 0x00, 0xc0, 0xff, 0xee, 0x12, 0x34, 0x30,
	0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
	0x04, 0x47, 0x30, 0x45, 0x02, 0x21, 0x00, 0x86, 0xb7, 0x9b, 0x1e, 0x5c,
	0x43, 0x90, 0xc1, 0x72, 0x14, 0x2d, 0x19, 0x22, 0x83, 0xf5, 0x41, 0xc1,
	0xd3, 0x66, 0xc2, 0x38, 0x16, 0x68, 0x9f, 0x69, 0xb7, 0xda, 0xac, 0x1c,
	0x9b, 0xb6, 0x86, 0x02, 0x20, 0x7d, 0x2d, 0xfe, 0x1f, 0x83, 0x02, 0x5a,
	0x20, 0x72, 0x6d, 0xd4, 0x10, 0x1b, 0x69, 0x58, 0x36, 0xca, 0xef, 0xa6,
	0x74, 0x88, 0xa1, 0x99, 0xa4, 0x6f, 0xb6, 0xec, 0x2e, 0x0d, 0xe6, 0xfb,
	0x4d
};
#define TEST_PKCS7_SIG_OFFSET 146
#define TEST_PKCS7_SIG_LEN 71

/*
 * Builds, in a buffer of exactly the right size (so ASan sees any overread):
 * [body][payload][struct module_signature][magic].
 * The trailer's lengths are given separately so they can lie.
 */
struct trailer {
	uint8_t algo, hash, id_type, signer_len, key_id_len;
	uint32_t sig_len;
};

static uint8_t *build(const void *body, size_t body_len, const void *payload, size_t payload_len,
		      const struct trailer *t, size_t *ret_size)
{
	size_t size = body_len + payload_len + TRAILER_LEN + MAGIC_LEN;
	uint8_t *buf = malloc(size);
	assert_non_null(buf);
	uint8_t *p = buf;
	if (body_len)
		memcpy(p, body, body_len);
	p += body_len;
	if (payload_len)
		memcpy(p, payload, payload_len);
	p += payload_len;
	p[0] = t->algo;
	p[1] = t->hash;
	p[2] = t->id_type;
	p[3] = t->signer_len;
	p[4] = t->key_id_len;
	p[5] = p[6] = p[7] = 0;
	p[8] = (uint8_t)(t->sig_len >> 24);
	p[9] = (uint8_t)(t->sig_len >> 16);
	p[10] = (uint8_t)(t->sig_len >> 8);
	p[11] = (uint8_t)t->sig_len;
	memcpy(p + TRAILER_LEN, MAGIC, MAGIC_LEN);
	*ret_size = size;
	return buf;
}

static uint8_t *build_pkcs7(const void *blob, size_t blob_len, size_t *ret_size)
{
	static const char body[] = "\x7f" "ELF module body";
	struct trailer t = { .id_type = 2, .sig_len = (uint32_t)blob_len };
	return build(body, sizeof(body) - 1, blob, blob_len, &t, ret_size);
}

static void test_unsigned(void **state)
{
	struct kml_signature *sig = (void *)1;
	static const char plain[] = "\x7f" "ELF and nothing appended at all, a long enough buffer";
	assert_int_equal(kml_signature_parse(plain, sizeof(plain) - 1, &sig), -ENODATA);
	assert_null(sig);

	/* The magic minus its newline, or not at the very end. */
	char buf[128];
	memset(buf, 'x', sizeof(buf));
	memcpy(buf + sizeof(buf) - MAGIC_LEN, MAGIC, MAGIC_LEN - 1);
	assert_int_equal(kml_signature_parse(buf, sizeof(buf), &sig), -ENODATA);
	memcpy(buf + sizeof(buf) - MAGIC_LEN - 1, MAGIC, MAGIC_LEN);
	assert_int_equal(kml_signature_parse(buf, sizeof(buf), &sig), -ENODATA);

	assert_int_equal(kml_signature_parse(NULL, 0, &sig), -ENODATA);
	assert_int_equal(kml_signature_parse(plain, sizeof(plain) - 1, NULL), -EINVAL);
}

/* Every size up to 40 bytes, with and without the magic at the end. */
static void test_short_buffers(void **state)
{
	for (size_t size = 0; size <= 40; size++) {
		uint8_t *buf = malloc(size ? size : 1);
		assert_non_null(buf);
		struct kml_signature *sig = NULL;

		memset(buf, 0, size);
		assert_int_equal(kml_signature_parse(buf, size, &sig), -ENODATA);
		assert_null(sig);

		memset(buf, 0xff, size);
		assert_int_equal(kml_signature_parse(buf, size, &sig), -ENODATA);

		if (size >= MAGIC_LEN) {
			memcpy(buf + size - MAGIC_LEN, MAGIC, MAGIC_LEN);
			int r = kml_signature_parse(buf, size, &sig);
			/* Too short for a trailer, or a trailer of 0xff ids and lengths. */
			assert_int_equal(r, -EBADMSG);
			assert_null(sig);
		}
		free(buf);
	}
}

static void test_sig_len_zero(void **state)
{
	static const uint8_t payload[] = "AliceKEYID";
	struct trailer t = { .algo = 1, .hash = 4, .id_type = 1, .signer_len = 5, .key_id_len = 5 };
	size_t size;
	uint8_t *buf = build("body", 4, payload, 10, &t, &size);
	struct kml_signature *sig = NULL;
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	assert_null(sig);
	free(buf);

	/* Also for PKCS#7. */
	t = (struct trailer){ .id_type = 2 };
	buf = build("body", 4, NULL, 0, &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	free(buf);
}

static void test_lengths_past_start(void **state)
{
	static const uint8_t payload[] = { 'A', 'B', 1, 2, 0xaa, 0xbb, 0xcc };
	struct kml_signature *sig = NULL;
	size_t size;

	/* Exactly fitting with no module body at all is fine. */
	struct trailer t = { .algo = 1, .hash = 4, .id_type = 1,
			     .signer_len = 2, .key_id_len = 2, .sig_len = 3 };
	uint8_t *buf = build(NULL, 0, payload, sizeof(payload), &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), 0);
	kml_signature_free(sig);
	sig = NULL;

	free(buf);

	/* One byte too many in each length. */
	t.sig_len = 4;
	buf = build(NULL, 0, payload, sizeof(payload), &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	assert_null(sig);
	free(buf);

	t = (struct trailer){ .algo = 1, .hash = 4, .id_type = 1,
			      .signer_len = 3, .key_id_len = 2, .sig_len = 3 };
	buf = build(NULL, 0, payload, sizeof(payload), &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	free(buf);

	t = (struct trailer){ .algo = 1, .hash = 4, .id_type = 1,
			      .signer_len = 2, .key_id_len = 3, .sig_len = 3 };
	buf = build(NULL, 0, payload, sizeof(payload), &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	free(buf);

	/* A PKCS#7 length larger than the whole file. */
	t = (struct trailer){ .id_type = 2, .sig_len = 1000 };
	buf = build("body", 4, payload, sizeof(payload), &t, &size);
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	free(buf);
}

static void test_lengths_overflow(void **state)
{
	static const uint32_t sig_lens[] = { 0xffffffffu, 0xfffffffeu, 0xffffff01u, 0x80000000u };
	struct kml_signature *sig = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(sig_lens); i++) {
		for (uint8_t id = 0; id <= 2; id++) {
			struct trailer t = { .algo = 1, .hash = 4, .id_type = id,
					     .signer_len = 0xff, .key_id_len = 0xff,
					     .sig_len = sig_lens[i] };
			size_t size;
			uint8_t *buf = build("some module bytes", 17, NULL, 0, &t, &size);
			assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
			assert_null(sig);
			free(buf);
		}
	}
}

static void test_bad_ids(void **state)
{
	static const uint8_t payload[] = { 'A', 1, 0xaa };
	static const struct trailer bad[] = {
		{ .algo = 1, .hash = 4, .id_type = 3, .signer_len = 1, .key_id_len = 1, .sig_len = 1 },
		{ .algo = 1, .hash = 4, .id_type = 0xff, .signer_len = 1, .key_id_len = 1, .sig_len = 1 },
		{ .algo = 2, .hash = 4, .id_type = 1, .signer_len = 1, .key_id_len = 1, .sig_len = 1 },
		{ .algo = 1, .hash = 9, .id_type = 0, .signer_len = 1, .key_id_len = 1, .sig_len = 1 },
		{ .algo = 5, .hash = 0, .id_type = 2, .sig_len = 3 },
		{ .algo = 0, .hash = 9, .id_type = 2, .sig_len = 3 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct kml_signature *sig = NULL;
		size_t size;
		uint8_t *buf = build("body", 4, payload, sizeof(payload), &bad[i], &size);
		assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
		assert_null(sig);
		free(buf);
	}
}

static void test_x509_fields(void **state)
{
	static const uint8_t payload[] = {
		'A', 'l', 'i', 'c', 'e', ' ', 'K', 'e', 'y',	/* signer */
		0x01, 0x02, 0x03, 0x04, 0x05,		/* key id */
		0xde, 0xad, 0xbe, 0xef, 0x00, 0x10,	/* signature */
	};
	struct trailer t = { .algo = 1, .hash = 4, .id_type = 1,
			     .signer_len = 9, .key_id_len = 5, .sig_len = 6 };
	size_t size;
	uint8_t *buf = build("\x7f" "ELF...", 7, payload, sizeof(payload), &t, &size);
	struct kml_signature *sig = NULL;

	assert_int_equal(kml_signature_parse(buf, size, &sig), 0);
	assert_non_null(sig);
	assert_string_equal(sig->id_type, "X509");
	assert_string_equal(sig->algo, "RSA");
	assert_string_equal(sig->hash_algo, "sha256");
	assert_string_equal(sig->signer, "Alice Key");
	assert_int_equal(sig->key_id_len, 5);
	assert_memory_equal(sig->key_id, payload + 9, 5);
	assert_int_equal(sig->signature_len, 6);
	assert_memory_equal(sig->signature, payload + 14, 6);
	kml_signature_free(sig);
	free(buf);
}

static void test_pgp_names(void **state)
{
	static const char *const hashes[] = {
		"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
	};
	static const uint8_t payload[] = { 0x42 };
	for (uint8_t h = 0; h < ARRAY_SIZE(hashes); h++) {
		struct trailer t = { .algo = 0, .hash = h, .id_type = 0, .sig_len = 1 };
		size_t size;
		uint8_t *buf = build(NULL, 0, payload, 1, &t, &size);
		struct kml_signature *sig = NULL;
		assert_int_equal(kml_signature_parse(buf, size, &sig), 0);
		assert_string_equal(sig->id_type, "PGP");
		assert_string_equal(sig->algo, "DSA");
		assert_string_equal(sig->hash_algo, hashes[h]);
		/* Empty signer and key id. */
		assert_non_null(sig->signer);
		assert_string_equal(sig->signer, "");
		assert_int_equal(sig->key_id_len, 0);
		assert_int_equal(sig->signature_len, 1);
		assert_int_equal(sig->signature[0], 0x42);
		kml_signature_free(sig);
		free(buf);
	}
}

static void test_pkcs7_blob(void **state)
{
	static const uint8_t serial[] = { 0xc0, 0xff, 0xee, 0x12, 0x34 };
	size_t size;
	uint8_t *buf = build_pkcs7(test_pkcs7, sizeof(test_pkcs7), &size);
	struct kml_signature *sig = NULL;
	int r = kml_signature_parse(buf, size, &sig);

	if (!ENABLE_OPENSSL) {
		assert_int_equal(r, -ENOTSUP);
		assert_non_null(sig);
		assert_string_equal(sig->id_type, "PKCS#7");
		kml_signature_free(sig);
		free(buf);
		return;
	}
	assert_int_equal(r, 0);
	assert_non_null(sig);
	assert_string_equal(sig->id_type, "PKCS#7");
	assert_string_equal(sig->signer, "kmodlite test key");
	assert_int_equal(sig->key_id_len, sizeof(serial));
	assert_memory_equal(sig->key_id, serial, sizeof(serial));
	assert_string_equal(sig->hash_algo, "sha256");
	assert_string_equal(sig->algo, "ECDSA");
	assert_int_equal(sig->signature_len, TEST_PKCS7_SIG_LEN);
	assert_memory_equal(sig->signature, test_pkcs7 + TEST_PKCS7_SIG_OFFSET, TEST_PKCS7_SIG_LEN);
	kml_signature_free(sig);

	/* Parsing again uses the already loaded library. */
	assert_int_equal(kml_signature_parse(buf, size, &sig), 0);
	kml_signature_free(sig);
	free(buf);
}

/* Every truncation of the blob (the trailer still says how long it is). */
static void test_pkcs7_truncated(void **state)
{
	if (!ENABLE_OPENSSL)
		skip();
	for (size_t len = 1; len < sizeof(test_pkcs7); len++) {
		size_t size;
		uint8_t *buf = build_pkcs7(test_pkcs7, len, &size);
		struct kml_signature *sig = NULL;
		assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
		assert_null(sig);
		free(buf);
	}
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void test_pkcs7_garbage(void **state)
{
	if (!ENABLE_OPENSSL)
		skip();
	uint32_t seed = 0x1234567u;
	uint8_t blob[512];

	/* Random bytes, and random bytes behind a plausible SEQUENCE header. */
	for (int round = 0; round < 500; round++) {
		size_t len = 1 + xorshift(&seed) % sizeof(blob);
		for (size_t i = 0; i < len; i++)
			blob[i] = (uint8_t)xorshift(&seed);
		if (round % 2 && len > 4) {
			blob[0] = 0x30;
			blob[1] = 0x82;
			blob[2] = (uint8_t)((len - 4) >> 8);
			blob[3] = (uint8_t)(len - 4);
		}
		size_t size;
		uint8_t *buf = build_pkcs7(blob, len, &size);
		struct kml_signature *sig = NULL;
		assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
		assert_null(sig);
		free(buf);
	}

	/* Every single-byte corruption of the real blob: parsed or rejected,
	 * never a crash or a leak. */
	static const uint8_t flips[] = { 0xff, 0x01, 0x80 };
	for (size_t i = 0; i < sizeof(test_pkcs7); i++) {
		for (size_t f = 0; f < ARRAY_SIZE(flips); f++) {
			memcpy(blob, test_pkcs7, sizeof(test_pkcs7));
			blob[i] ^= flips[f];
			size_t size;
			uint8_t *buf = build_pkcs7(blob, sizeof(test_pkcs7), &size);
			struct kml_signature *sig = NULL;
			int r = kml_signature_parse(buf, size, &sig);
			if (r == 0) {
				assert_non_null(sig);
				assert_non_null(sig->signer);
				kml_signature_free(sig);
			} else {
				assert_int_equal(r, -EBADMSG);
				assert_null(sig);
			}
			free(buf);
		}
	}

	/* A well-formed PKCS#7 that is not SignedData: an empty "data". */
	static const uint8_t data_only[] = {
		0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
		0xa0, 0x02, 0x04, 0x00,
	};
	size_t size;
	uint8_t *buf = build_pkcs7(data_only, sizeof(data_only), &size);
	struct kml_signature *sig = NULL;
	assert_int_equal(kml_signature_parse(buf, size, &sig), -EBADMSG);
	free(buf);
}

/* Runs "modinfo -F FIELD PATH"; returns its output, or NULL. */
static char *modinfo_field(const char *field, const char *path)
{
	char cmd[4608];
	int len = snprintf(cmd, sizeof(cmd), "%s -F %s '%s' 2>/dev/null", REF_MODINFO, field, path);
	assert_true(len > 0 && (size_t)len < sizeof(cmd));
	FILE *f = popen(cmd, "r");
	if (!f)
		return NULL;
	struct strbuf sb = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(strbuf_append(&sb, chunk, n), 0);
	assert_int_equal(strbuf_append(&sb, "", 1), 0);
	if (pclose(f) != 0) {
		free(sb.data);
		return NULL;
	}
	return sb.data;
}

/* "AB:CD:\n\t\tEF" -> bytes. */
static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int half = -1;
	for (; *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			continue;
		if (half < 0) {
			half = v;
		} else {
			assert_true(n < max);
			out[n++] = (uint8_t)(half << 4 | v);
			half = -1;
		}
	}
	assert_int_equal(half, -1);
	return n;
}

/* The real module's path (free() it), or NULL when the tree is not given. */
static char *real_module_path(void)
{
	const char *root = getenv("KMODLITE_TEST_ROOT"), *kver = getenv("KMODLITE_TEST_KVER");
	char *path;

	if (!root || !*root || !kver || !*kver)
		return NULL;
	assert_true(asprintf(&path, "%s/lib/modules/%s/" REAL_MODULE_RELPATH, root, kver) > 0);
	assert_null(strchr(path, '\''));
	return path;
}

static void test_real_module(void **state)
{
	char *real_module = real_module_path();
	if (!real_module || access(real_module, R_OK) != 0 || access(REF_MODINFO, X_OK) != 0) {
		free(real_module);
		skip();
		return; /* skip() does not return, but is not declared so */
	}

	FILE *f = fopen(real_module, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	uint8_t *data = malloc((size_t)len);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);

	char *id = modinfo_field("sig_id", real_module);
	char *signer = modinfo_field("signer", real_module);
	char *key = modinfo_field("sig_key", real_module);
	char *hash = modinfo_field("sig_hashalgo", real_module);
	char *signature = modinfo_field("signature", real_module);
	if (!id || !signer || !key || !hash || !signature) {
		free(id), free(signer), free(key), free(hash), free(signature), free(data);
		free(real_module);
		skip();
		return;
	}
	/* One value per field: drop the newline. */
	id[strcspn(id, "\n")] = '\0';
	signer[strcspn(signer, "\n")] = '\0';
	hash[strcspn(hash, "\n")] = '\0';

	struct kml_signature *sig = NULL;
	int r = kml_signature_parse(data, (size_t)len, &sig);
	if (!ENABLE_OPENSSL) {
		assert_int_equal(r, -ENOTSUP);
	} else {
		assert_int_equal(r, 0);
		assert_string_equal(sig->id_type, id);
		assert_string_equal(sig->signer, signer);
		assert_string_equal(sig->hash_algo, hash);

		uint8_t bytes[4096];
		size_t n = parse_hex(key, bytes, sizeof(bytes));
		assert_true(n > 0);
		assert_int_equal(sig->key_id_len, n);
		assert_memory_equal(sig->key_id, bytes, n);

		n = parse_hex(signature, bytes, sizeof(bytes));
		assert_true(n > 0);
		assert_int_equal(sig->signature_len, n);
		assert_memory_equal(sig->signature, bytes, n);
	}
	kml_signature_free(sig);
	free(id), free(signer), free(key), free(hash), free(signature), free(data);
	free(real_module);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_sig_len_zero),
		cmocka_unit_test(test_lengths_past_start),
		cmocka_unit_test(test_lengths_overflow),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_x509_fields),
		cmocka_unit_test(test_pgp_names),
		cmocka_unit_test(test_pkcs7_blob),
		cmocka_unit_test(test_pkcs7_truncated),
		cmocka_unit_test(test_pkcs7_garbage),
		cmocka_unit_test(test_real_module),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
