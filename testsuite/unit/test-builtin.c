// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static char root[] = "/tmp/kml-test-builtin-XXXXXX";
static struct kml_ctx *ctx;

static void write_modinfo(const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/lib/modules/1.0/modules.builtin.modinfo", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/lib/modules/1.0", root);
	if (system(cmd) != 0)
		return -1;
	return kml_ctx_new(root, "1.0", &ctx);
}

static int teardown(void **state)
{
	(void)state;
	kml_ctx_free(ctx);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const char records[] = "ext4.license=GPL\0ext4.alias=fs-ext4\0ext4.alias=ext3\0"
			      "snd-pcm.parm=x:desc\0snd-pcm.flag\0"
			      "ext.license=MIT\0";

static void expect_entry(const struct kml_modinfo_entry *e, const char *key, const char *value)
{
	assert_int_equal(e->key_len, strlen(key));
	assert_memory_equal(e->key, key, e->key_len);
	assert_string_equal(e->value, value);
}

static void test_records(void **state)
{
	(void)state;
	write_modinfo(records, sizeof(records) - 1);
	struct kml_modinfo_entry *e = NULL;
	size_t n = 0;
	char *buf = NULL;
	assert_int_equal(kml_builtin_get_modinfo(ctx, "ext4", &e, &n, &buf), 0);
	assert_int_equal(n, 3);
	expect_entry(&e[0], "license", "GPL");
	expect_entry(&e[1], "alias", "fs-ext4");
	expect_entry(&e[2], "alias", "ext3");
	free(e);
	free(buf);

	/* "ext" is a prefix of "ext4" but a different module */
	assert_int_equal(kml_builtin_get_modinfo(ctx, "ext", &e, &n, &buf), 0);
	assert_int_equal(n, 1);
	expect_entry(&e[0], "license", "MIT");
	free(e);
	free(buf);

	/* '-' and '_' are the same in module names; a record without '=' has an empty value */
	assert_int_equal(kml_builtin_get_modinfo(ctx, "snd_pcm", &e, &n, &buf), 0);
	assert_int_equal(n, 2);
	expect_entry(&e[0], "parm", "x:desc");
	expect_entry(&e[1], "flag", "");
	free(e);
	free(buf);

	e = NULL;
	assert_int_equal(kml_builtin_get_modinfo(ctx, "absent", &e, &n, &buf), -ENOENT);
	assert_null(e);
}

static void test_unterminated_last_record(void **state)
{
	(void)state;
	static const char data[] = "a.license=GPL\0a.description=no terminator";
	write_modinfo(data, sizeof(data) - 1);
	struct kml_modinfo_entry *e = NULL;
	size_t n = 0;
	char *buf = NULL;
	assert_int_equal(kml_builtin_get_modinfo(ctx, "a", &e, &n, &buf), 0);
	assert_int_equal(n, 2);
	expect_entry(&e[1], "description", "no terminator");
	free(e);
	free(buf);
}

static void test_garbage(void **state)
{
	(void)state;
	uint8_t junk[4096];
	uint32_t x = 7;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (uint8_t)(x >> 16);
	}
	write_modinfo(junk, sizeof(junk));
	struct kml_modinfo_entry *e = NULL;
	size_t n = 0;
	char *buf = NULL;
	int r = kml_builtin_get_modinfo(ctx, "a", &e, &n, &buf);
	assert_true(r == 0 || r == -ENOENT);
	if (r == 0) {
		free(e);
		free(buf);
	}
	write_modinfo("", 0);
	assert_int_equal(kml_builtin_get_modinfo(ctx, "a", &e, &n, &buf), -ENOENT);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct kml_ctx *other = NULL;
	assert_int_equal(kml_ctx_new("/nonexistent", "1.0", &other), 0);
	struct kml_modinfo_entry *e = NULL;
	size_t n = 0;
	char *buf = NULL;
	assert_int_equal(kml_builtin_get_modinfo(other, "ext4", &e, &n, &buf), -ENOENT);
	kml_ctx_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_unterminated_last_record),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
