// SPDX-License-Identifier: GPL-2.0-or-later
/* Module files: plain ones mapped, gzip/xz/zstd ones decompressed, with
 * corrupt, truncated and oversized streams rejected. The compressed inputs
 * are made by the gzip, xz and zstd commands at test time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static char tmpdir[] = "/tmp/kml-test-file-XXXXXX";

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	path_of(path, sizeof(path), name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static bool have_command(const char *cmd)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

/* Runs "CMD < plain > NAME" in the temporary directory. */
static void compress_with(const char *cmd, const char *name)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "cd %s && %s < plain > %s", tmpdir, cmd, name);
	assert_int_equal(system(buf), 0);
}

/* 200 KiB of text-like bytes: compressible, but not trivially. */
static uint8_t payload[200 * 1024];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	uint32_t x = 12345;
	memcpy(payload, "\x7f" "ELF", 4);
	for (size_t i = 4; i < sizeof(payload); i++) {
		x = x * 1103515245 + 12345;
		payload[i] = (uint8_t)("abcdefgh =\n"[(x >> 16) % 11]);
	}
	write_file("plain", payload, sizeof(payload));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char buf[300];
	snprintf(buf, sizeof(buf), "rm -rf %s", tmpdir);
	return system(buf) == 0 ? 0 : -1;
}

/* Was the decompressor for C built in? Without it, such files are -ENOTSUP. */
static bool built_with(enum kml_compression c)
{
	switch (c) {
	case KML_COMPRESSION_GZIP:
		return ENABLE_ZLIB;
	case KML_COMPRESSION_XZ:
		return ENABLE_XZ;
	case KML_COMPRESSION_ZSTD:
		return ENABLE_ZSTD;
	default:
		return true;
	}
}

static void check_payload(const char *name, enum kml_compression expected)
{
	char path[256];
	path_of(path, sizeof(path), name);
	struct kml_file *f = NULL;
	if (!built_with(expected)) {
		assert_int_equal(kml_file_open(path, &f), -ENOTSUP);
		assert_null(f);
		return;
	}
	assert_int_equal(kml_file_open(path, &f), 0);
	assert_int_equal(kml_file_compression(f), expected);
	assert_int_equal(kml_file_size(f), sizeof(payload));
	assert_memory_equal(kml_file_data(f), payload, sizeof(payload));
	kml_file_free(f);

	/* the same through depmod's reader, into a buffer used before by a
	 * bigger file and by a smaller one */
	static struct strbuf scratch;
	for (int round = 0; round < 2; round++) {
		struct stat sb = { 0 }, ref;
		assert_int_equal(file_open_read(path, &scratch, &f, round ? &sb : NULL), 0);
		assert_int_equal(stat(path, &ref), 0);
		if (round)
			assert_true(sb.st_ino == ref.st_ino && sb.st_size == ref.st_size &&
				    sb.st_ctim.tv_nsec == ref.st_ctim.tv_nsec);
		assert_int_equal(kml_file_compression(f), expected);
		assert_int_equal(kml_file_size(f), sizeof(payload));
		assert_memory_equal(kml_file_data(f), payload, sizeof(payload));
		kml_file_free(f);
		scratch.len = 0;
		assert_int_equal(strbuf_append(&scratch, "junk", 4), 0);
	}
}

static void test_read_into_buffer(void **state)
{
	(void)state;
	char path[256];
	struct strbuf scratch = { 0 };
	struct kml_file *f = NULL;
	path_of(path, sizeof(path), "missing");
	assert_int_equal(file_open_read(path, &scratch, &f, NULL), -ENOENT);
	assert_int_equal(file_open_read(tmpdir, &scratch, &f, NULL), -EISDIR);
	write_file("tiny", "\x7f" "EL", 3);
	path_of(path, sizeof(path), "tiny");
	assert_int_equal(file_open_read(path, &scratch, &f, NULL), -EBADMSG);
	assert_null(f);
	free(scratch.data);
}

static void test_plain(void **state)
{
	(void)state;
	check_payload("plain", KML_COMPRESSION_NONE);
}

static void test_gzip(void **state)
{
	(void)state;
	assert_true(have_command("gzip"));
	compress_with("gzip -9", "m.ko.gz");
	check_payload("m.ko.gz", KML_COMPRESSION_GZIP);
	/* two concatenated members are one stream to gzip -d */
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "cd %s && head -c 1000 plain | gzip > two.gz && tail -c +1001 plain | gzip >> two.gz",
		 tmpdir);
	assert_int_equal(system(buf), 0);
	check_payload("two.gz", KML_COMPRESSION_GZIP);
}

static void test_xz(void **state)
{
	(void)state;
	assert_true(have_command("xz"));
	compress_with("xz --check=crc32 --lzma2=dict=1MiB", "m.ko.xz");
	check_payload("m.ko.xz", KML_COMPRESSION_XZ);
}

#if ENABLE_XZ
static void read_tmp(const char *name, char **buf, size_t *len)
{
	char path[256];
	path_of(path, sizeof(path), name);
	assert_int_equal(read_file_full(path, 1 << 24, buf, len), 0);
}

/* Decoded by decompress_xz_one_block() (SHORTCUT) or only by the general
 * path, and the same bytes either way. */
static void check_xz_shape(const char *cmd, const char *name, bool shortcut)
{
	compress_with(cmd, name);
	char *in;
	size_t len;
	read_tmp(name, &in, &len);
	void *out = NULL;
	size_t out_len = 0;
	assert_int_equal(decompress_xz_one_block(in, len, KML_MAX_MODULE_SIZE, &out, &out_len),
			 shortcut ? 0 : -EAGAIN);
	if (shortcut) {
		assert_int_equal(out_len, sizeof(payload));
		assert_memory_equal(out, payload, sizeof(payload));
		free(out);
		/* a bound below the size: not taken, and the general path says why */
		assert_int_equal(decompress_xz_one_block(in, len, 1000, &out, &out_len), -EAGAIN);
		assert_int_equal(decompress_xz(in, len, 1000, &out, &out_len), -EFBIG);
	}
	assert_int_equal(decompress_xz(in, len, KML_MAX_MODULE_SIZE, &out, &out_len), 0);
	assert_int_equal(out_len, sizeof(payload));
	assert_memory_equal(out, payload, sizeof(payload));
	free(out);
	free(in);
}

static void test_xz_shapes(void **state)
{
	(void)state;
	check_xz_shape("xz --check=crc32 --lzma2=dict=1MiB", "a.xz", true);
	check_xz_shape("xz --check=crc64", "b.xz", false);
	check_xz_shape("xz --check=none", "c.xz", false);
	check_xz_shape("xz --check=crc32 --block-size=50000", "d.xz", false);
	/* two streams, one after the other */
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && head -c 1000 plain | xz --check=crc32 > e.xz && "
		 "tail -c +1001 plain | xz --check=crc32 >> e.xz",
		 tmpdir);
	assert_int_equal(system(cmd), 0);
	char *in;
	size_t len;
	void *out = NULL;
	size_t out_len = 0;
	read_tmp("e.xz", &in, &len);
	assert_int_equal(decompress_xz_one_block(in, len, KML_MAX_MODULE_SIZE, &out, &out_len),
			 -EAGAIN);
	assert_int_equal(decompress_xz(in, len, KML_MAX_MODULE_SIZE, &out, &out_len), 0);
	assert_int_equal(out_len, sizeof(payload));
	free(out);
	free(in);

	/* the block's CRC32 (the 4 bytes before the index) damaged: the
	 * shortcut declines, the general decoder reports the corruption */
	read_tmp("a.xz", &in, &len);
	const uint8_t *f = (const uint8_t *)in + len - 12;
	size_t index_size = ((size_t)(f[4] | f[5] << 8 | f[6] << 16 | (uint32_t)f[7] << 24) + 1) * 4;
	in[len - 12 - index_size - 2] ^= 0x10;
	assert_int_equal(decompress_xz_one_block(in, len, KML_MAX_MODULE_SIZE, &out, &out_len),
			 -EAGAIN);
	assert_int_equal(decompress_xz(in, len, KML_MAX_MODULE_SIZE, &out, &out_len), -EBADMSG);
	in[len - 12 - index_size - 2] ^= 0x10;
	/* a size in the index record one less and one more (the index's own
	 * CRC32 then fails too): never a short or overlong result */
	uint8_t *size_byte = (uint8_t *)in + len - 12 - index_size + 4;
	for (int delta = -1; delta <= 1; delta += 2) {
		*size_byte = (uint8_t)(*size_byte + delta);
		assert_int_equal(decompress_xz_one_block(in, len, KML_MAX_MODULE_SIZE, &out, &out_len),
				 -EAGAIN);
		assert_int_equal(decompress_xz(in, len, KML_MAX_MODULE_SIZE, &out, &out_len), -EBADMSG);
		*size_byte = (uint8_t)(*size_byte - delta);
	}
	free(in);
}
#else
static void test_xz_shapes(void **state)
{
	(void)state;
}
#endif

static void test_zstd(void **state)
{
	(void)state;
	assert_true(have_command("zstd"));
	compress_with("zstd -q -19", "m.ko.zst");
	check_payload("m.ko.zst", KML_COMPRESSION_ZSTD);
	/* without the content size in the frame header (streamed) */
	compress_with("cat | zstd -q --no-content-size", "m2.ko.zst");
	check_payload("m2.ko.zst", KML_COMPRESSION_ZSTD);
	/* given the file, zstd records the size: decoded in one call */
	char buf[512];
	snprintf(buf, sizeof(buf), "cd %s && zstd -q -c plain > m3.ko.zst", tmpdir);
	assert_int_equal(system(buf), 0);
	check_payload("m3.ko.zst", KML_COMPRESSION_ZSTD);
	/* two frames, each with its size: the first one's is not the whole
	 * content, so the streaming decoder takes over */
	snprintf(buf, sizeof(buf),
		 "cd %s && head -c 1000 plain > a && tail -c +1001 plain > b && "
		 "zstd -q -c a > two.zst && zstd -q -c b >> two.zst",
		 tmpdir);
	assert_int_equal(system(buf), 0);
	check_payload("two.zst", KML_COMPRESSION_ZSTD);
}

/* Every prefix of a compressed file is an error, never a crash or a short read. */
static void check_truncations(const char *name)
{
	char path[256];
	path_of(path, sizeof(path), name);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(read_file_full(path, 1 << 24, &buf, &len), 0);
	for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 997) {
		struct kml_file *f = NULL;
		int r = kml_file_from_memory(buf, cut, &f);
		assert_true(r < 0);
		assert_null(f);
	}
	free(buf);
}

static void test_truncated(void **state)
{
	(void)state;
	check_truncations("m.ko.gz");
	check_truncations("m.ko.xz");
	check_truncations("m.ko.zst");
}

static void test_corrupt(void **state)
{
	(void)state;
	static const char *const names[] = { "m.ko.gz", "m.ko.xz", "m.ko.zst" };
	for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
		char path[256];
		path_of(path, sizeof(path), names[n]);
		char *buf = NULL;
		size_t len = 0;
		assert_int_equal(read_file_full(path, 1 << 24, &buf, &len), 0);
		/* keep the magic, scramble the body */
		for (size_t i = 8; i < len; i += 7)
			buf[i] ^= 0x5a;
		struct kml_file *f = NULL;
		assert_true(kml_file_from_memory(buf, len, &f) < 0);
		free(buf);
	}
	/* magic only, then garbage */
	static const uint8_t gz[] = { 0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6 };
	static const uint8_t zs[] = { 0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6 };
	struct kml_file *f = NULL;
	assert_int_equal(kml_file_from_memory(gz, sizeof(gz), &f), ENABLE_ZLIB ? -EBADMSG : -ENOTSUP);
	assert_true(kml_file_from_memory(xz, sizeof(xz), &f) < 0);
	assert_true(kml_file_from_memory(zs, sizeof(zs), &f) < 0);
	assert_null(f);
}

/* 600 MiB of zeros compress to well under a MiB; decompressing must stop at
 * the bound, not exhaust memory. */
static void test_bomb(void **state)
{
	(void)state;
	static const struct {
		const char *cmd, *name;
		enum kml_compression kind;
	} bombs[] = {
		{ "head -c 600M /dev/zero | gzip -1 > bomb.gz", "bomb.gz", KML_COMPRESSION_GZIP },
		{ "head -c 600M /dev/zero | zstd -q -1 > bomb.zst", "bomb.zst", KML_COMPRESSION_ZSTD },
		{ "head -c 600M /dev/zero | xz -0 -T1 > bomb.xz", "bomb.xz", KML_COMPRESSION_XZ },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bombs); i++) {
		char buf[512], path[256];
		snprintf(buf, sizeof(buf), "cd %s && %s", tmpdir, bombs[i].cmd);
		assert_int_equal(system(buf), 0);
		path_of(path, sizeof(path), bombs[i].name);
		struct kml_file *f = NULL;
		bool built = built_with(bombs[i].kind);
		assert_int_equal(kml_file_open(path, &f), built ? -EFBIG : -ENOTSUP);
		unlink(path);
	}
}

static void test_short_and_special(void **state)
{
	(void)state;
	struct kml_file *f = NULL;
	write_file("short", "\x7f" "ELF", 4);
	char path[256];
	path_of(path, sizeof(path), "short");
	assert_int_equal(kml_file_open(path, &f), -EBADMSG);
	assert_int_equal(kml_file_open(tmpdir, &f), -EISDIR);
	path_of(path, sizeof(path), "absent");
	assert_int_equal(kml_file_open(path, &f), -ENOENT);
	assert_null(f);
	kml_file_free(NULL);
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(kml_compression_detect("\x1f\x8b", 2), KML_COMPRESSION_GZIP);
	assert_int_equal(kml_compression_detect("\x1f", 1), KML_COMPRESSION_NONE);
	assert_int_equal(kml_compression_detect("\xfd" "7zXZ", 5), KML_COMPRESSION_NONE);
	assert_string_equal(kml_compression_name(KML_COMPRESSION_ZSTD), "zstd");
	assert_string_equal(kml_compression_name(KML_COMPRESSION_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_xz),
		cmocka_unit_test(test_xz_shapes),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_read_into_buffer),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_short_and_special),
		cmocka_unit_test(test_detect),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
