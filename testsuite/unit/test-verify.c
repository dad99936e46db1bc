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

/*
 * A key, and a "module" signed with it in the kernel's sign-file style
 * (detached CMS, no certificates, no signed attributes). Made with:
 *
 *   openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
 *       -nodes -keyout k.pem -out c.pem -days 36500 \
 *       -subj "/CN=kmodlite verify key" -set_serial 0x1234
 *   printf 'kmodlite verify test content' > payload
 *   openssl cms -sign -binary -noattr -nocerts -md sha256 -outform DER \
 *       -signer c.pem -inkey k.pem -in payload -out blob.der
 */
static const char content[] = "kmodlite verify test content";
static const uint8_t blob[] = {
	0x30, 0x81, 0xc2, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07,
	0x02, 0xa0, 0x81, 0xb4, 0x30, 0x81, 0xb1, 0x02, 0x01, 0x01, 0x31, 0x0d, 0x30,
	0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30,
	0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0x31,
	0x81, 0x8f, 0x30, 0x81, 0x8c, 0x02, 0x01, 0x01, 0x30, 0x24, 0x30, 0x1e, 0x31,
	0x1c, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x13, 0x6b, 0x6d, 0x6f,
	0x64, 0x6c, 0x69, 0x74, 0x65, 0x20, 0x76, 0x65, 0x72, 0x69, 0x66, 0x79, 0x20,
	0x6b, 0x65, 0x79, 0x02, 0x02, 0x12, 0x34, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86,
	0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x04, 0x48, 0x30, 0x46, 0x02, 0x21, 0x00,
	0xdb, 0x16, 0xb2, 0x53, 0x3d, 0xbb, 0x2e, 0xef, 0xbe, 0x6d, 0x0d, 0xe2, 0x8c,
	0x15, 0x3e, 0x1e, 0xc0, 0x0c, 0xca, 0xf5, 0xe3, 0x72, 0xbc, 0x18, 0xc4, 0x81,
	0x82, 0x28, 0x88, 0x11, 0xbe, 0xcf, 0x02, 0x21, 0x00, 0xb3, 0xb1, 0xfb, 0x95,
	0x8d, 0x44, 0x37, 0xe9, 0x54, 0x53, 0x22, 0xde, 0x5f, 0x76, 0xe1, 0xb6, 0x92,
	0x0c, 0x4d, 0x45, 0x28, 0x43, 0x4a, 0xd5, 0x5f, 0x39, 0x41, 0x97, 0x3b, 0x2f,
	0x58, 0x99
};
static const char cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBgTCCASegAwIBAgICEjQwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTa21vZGxp\n"
	"dGUgdmVyaWZ5IGtleTAgFw0yNjEyMDcxNjI1NDdaGA8yMTI2MTExMzE2MjU0N1ow\n"
	"HjEcMBoGA1UEAwwTa21vZGxpdGUgdmVyaWZ5IGtleTBZMBMGByqGSM49AgEGCCqG\n"
	"SM49AwEHA0IABN7Kztbw6EWnsQMiX5/PrHf3SJg9KUbYkXjmvfA6dVLHcFteb3X1\n"
	"3PKhJ9atyEEm9xpUK6t4VOLwjPWzkNAGdrmjUzBRMB0GA1UdDgQWBBSyK8eCRoUt\n"
	"ehFBoOGSvUa6I0cWrDAfBgNVHSMEGDAWgBSyK8eCRoUtehFBoOGSvUa6I0cWrDAP\n"
	"BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIDNJhniAiI/+TrzkGRjv\n"
	"glUki85ukSg6lI0/wgVxr+1DAiEAjb4q+E9rfnDSj/R9YsyFUvfGQ6oSqR7+kPsx\n"
	"4G6ACMk=\n"
	"-----END CERTIFICATE-----\n";

/* CONTENT, BLOB, the trailer for a PKCS#7 blob and the magic, in BUF. */
static size_t make_module(uint8_t *buf, size_t cap)
{
	size_t n = 0, clen = sizeof(content) - 1;
	assert_true(clen + sizeof(blob) + TRAILER_LEN + MAGIC_LEN <= cap);
	memcpy(buf, content, clen);
	n += clen;
	memcpy(buf + n, blob, sizeof(blob));
	n += sizeof(blob);
	uint8_t trailer[TRAILER_LEN] = { 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)sizeof(blob) };
	memcpy(buf + n, trailer, TRAILER_LEN);
	n += TRAILER_LEN;
	memcpy(buf + n, MAGIC, MAGIC_LEN);
	return n + MAGIC_LEN;
}

static struct kml_keyring *keyring_with_cert(void)
{
	char path[] = "/tmp/kml-test-verify-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cert_pem, sizeof(cert_pem) - 1), (ssize_t)sizeof(cert_pem) - 1);
	close(fd);
	struct kml_keyring *kr = NULL;
	assert_int_equal(kml_keyring_new(&kr), 0);
	assert_int_equal(kml_keyring_add_file(kr, path), 1);
	unlink(path);
	assert_int_equal(kml_keyring_count(kr), 1);
	return kr;
}

static void check(const struct kml_keyring *kr, const uint8_t *data, size_t size,
		  enum kml_verdict want, const char *reason)
{
	struct kml_verify_result res;
	assert_int_equal(kml_verify_module(kr, data, size, &res), 0);
	assert_string_equal(kml_verdict_name(res.verdict), kml_verdict_name(want));
	if (reason)
		assert_string_equal(res.reason, reason);
	else
		assert_null(res.reason);
	kml_verify_result_clear(&res);
}

static void test_verdict_names(void **state)
{
	assert_string_equal(kml_verdict_name(KML_VERDICT_GOOD), "good");
	assert_string_equal(kml_verdict_name(KML_VERDICT_BAD_SIGNATURE), "bad signature");
	assert_string_equal(kml_verdict_name(KML_VERDICT_UNKNOWN_KEY), "unknown key");
	assert_string_equal(kml_verdict_name(KML_VERDICT_UNSIGNED), "unsigned");
	assert_string_equal(kml_verdict_name(KML_VERDICT_MALFORMED), "malformed");
}

static void test_good_and_bad(void **state)
{
	if (!ENABLE_OPENSSL) {
		struct kml_keyring *kr = NULL;
		assert_int_equal(kml_keyring_new(&kr), -ENOTSUP);
		skip();
	}
	struct kml_keyring *kr = keyring_with_cert();
	uint8_t buf[1024];
	size_t n = make_module(buf, sizeof(buf));

	struct kml_verify_result res;
	assert_int_equal(kml_verify_module(kr, buf, n, &res), 0);
	assert_int_equal(res.verdict, KML_VERDICT_GOOD);
	assert_string_equal(res.signer, "kmodlite verify key");
	assert_string_equal(res.key_id, "12:34");
	assert_string_equal(res.hash_algo, "sha256");
	kml_verify_result_clear(&res);

	/* a content byte */
	buf[3] ^= 1;
	check(kr, buf, n, KML_VERDICT_BAD_SIGNATURE, NULL);
	buf[3] ^= 1;
	/* the last byte of the ECDSA signature */
	size_t last = sizeof(content) - 1 + sizeof(blob) - 1;
	buf[last] ^= 0x40;
	check(kr, buf, n, KML_VERDICT_BAD_SIGNATURE, NULL);
	buf[last] ^= 0x40;
	check(kr, buf, n, KML_VERDICT_GOOD, NULL);

	/* no certificate: unknown key, the signer named by the message */
	struct kml_keyring *empty = NULL;
	assert_int_equal(kml_keyring_new(&empty), 0);
	assert_int_equal(kml_verify_module(empty, buf, n, &res), 0);
	assert_int_equal(res.verdict, KML_VERDICT_UNKNOWN_KEY);
	assert_string_equal(res.signer, "kmodlite verify key");
	kml_verify_result_clear(&res);
	kml_keyring_free(empty);
	kml_keyring_free(kr);
}

static void test_trailers(void **state)
{
	if (!ENABLE_OPENSSL)
		skip();
	struct kml_keyring *kr = keyring_with_cert();
	uint8_t buf[1024];
	size_t n = make_module(buf, sizeof(buf));
	uint8_t *ms = buf + n - MAGIC_LEN - TRAILER_LEN;

	check(kr, buf, sizeof(content) - 1, KML_VERDICT_UNSIGNED, NULL);
	check(kr, buf, n - 1, KML_VERDICT_UNSIGNED, NULL);
	check(kr, (const uint8_t *)MAGIC, MAGIC_LEN, KML_VERDICT_MALFORMED,
	      "truncated signature trailer");
	ms[2] = 1; /* X509 */
	check(kr, buf, n, KML_VERDICT_MALFORMED, "signature is not of the PKCS#7 type");
	ms[2] = 2;
	ms[1] = 4; /* a hash id */
	check(kr, buf, n, KML_VERDICT_MALFORMED, "PKCS#7 trailer has algorithm or key fields set");
	ms[1] = 0;
	ms[8] = 1; /* 16 MiB */
	check(kr, buf, n, KML_VERDICT_MALFORMED, "signature length out of range");
	ms[8] = 0;
	ms[11] = 0;
	check(kr, buf, n, KML_VERDICT_MALFORMED, "signature length out of range");
	ms[11] = (uint8_t)(sizeof(blob) - 1); /* the blob cut short */
	check(kr, buf, n, KML_VERDICT_MALFORMED, "not a DER-encoded PKCS#7 message");
	ms[11] = (uint8_t)sizeof(blob);
	check(kr, buf, n, KML_VERDICT_GOOD, NULL);
	kml_keyring_free(kr);
}

static void test_keyring_files(void **state)
{
	if (!ENABLE_OPENSSL)
		skip();
	struct kml_keyring *kr = NULL;
	assert_int_equal(kml_keyring_new(&kr), 0);
	assert_int_equal(kml_keyring_add_file(kr, "/nonexistent/cert.pem"), -ENOENT);
	char path[] = "/tmp/kml-test-verify-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	assert_int_equal(kml_keyring_add_file(kr, path), -EBADMSG);
	unlink(path);
	assert_int_equal(kml_keyring_add_dir(kr, "/nonexistent-dir"), -ENOENT);
	assert_int_equal(kml_keyring_count(kr), 0);
	kml_keyring_free(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_good_and_bad),
		cmocka_unit_test(test_trailers),
		cmocka_unit_test(test_keyring_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
