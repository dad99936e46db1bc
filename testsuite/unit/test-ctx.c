// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static void test_module_dir(void **state)
{
	(void)state;
	static const struct {
		const char *root, *kver, *dir;
	} cases[] = {
		{ NULL, "6.1.0", "/lib/modules/6.1.0" },
		{ "/", "6.1.0", "//lib/modules/6.1.0" },
		{ "", "6.1.0", "/lib/modules/6.1.0" },
		{ "/tmp/root", "1.2", "/tmp/root/lib/modules/1.2" },
		/* joined as given, like the reference: scripts parse these paths */
		{ "/tmp/root/", "1.2", "/tmp/root//lib/modules/1.2" },
		{ "/tmp/root//", "1.2", "/tmp/root///lib/modules/1.2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kml_ctx *ctx = NULL;
		assert_int_equal(kml_ctx_new(cases[i].root, cases[i].kver, &ctx), 0);
		assert_string_equal(kml_ctx_get_module_dir(ctx), cases[i].dir);
		assert_string_equal(kml_ctx_get_kernel_version(ctx), cases[i].kver);
		kml_ctx_free(ctx);
	}
	/* a relative root is made absolute against the current directory */
	struct kml_ctx *ctx = NULL;
	char *cwd = getcwd(NULL, 0);
	char expected[4096];
	snprintf(expected, sizeof(expected), "%s/rel/lib/modules/1.2", cwd);
	assert_int_equal(kml_ctx_new("rel", "1.2", &ctx), 0);
	assert_string_equal(kml_ctx_get_module_dir(ctx), expected);
	kml_ctx_free(ctx);
	free(cwd);
}

static void test_default_kver(void **state)
{
	(void)state;
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new(NULL, NULL, &ctx), 0);
	assert_string_equal(kml_ctx_get_kernel_version(ctx), u.release);
	assert_int_equal(kml_ctx_set_module_dir(ctx, "/elsewhere"), 0);
	assert_string_equal(kml_ctx_get_module_dir(ctx), "/elsewhere");
	kml_ctx_free(ctx);
	kml_ctx_free(NULL);
}

struct log_capture {
	int calls;
	int last_priority;
	char last[256];
};

static void capture(void *data, int priority, const char *file, int line, const char *fn,
		    const char *message)
{
	(void)file;
	(void)line;
	(void)fn;
	struct log_capture *c = data;
	c->calls++;
	c->last_priority = priority;
	snprintf(c->last, sizeof(c->last), "%s", message);
}

static void test_log_priority(void **state)
{
	(void)state;
	struct kml_ctx *ctx = NULL;
	struct log_capture c = { 0 };
	assert_int_equal(kml_ctx_new("/", "1", &ctx), 0);
	/* no callback: nothing happens */
	kml_err(ctx, "dropped %d", 1);
	kml_ctx_set_log(ctx, capture, &c, KML_LOG_WARNING);
	kml_err(ctx, "error %d", 2);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.last_priority, KML_LOG_ERR);
	assert_string_equal(c.last, "error 2");
	kml_dbg(ctx, "too verbose");
	assert_int_equal(c.calls, 1);
	kml_warn(ctx, "warn");
	assert_int_equal(c.calls, 2);
	kml_ctx_free(ctx);
}

static void test_missing_indexes(void **state)
{
	(void)state;
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new("/nonexistent-root", "0.0", &ctx), 0);
	for (int i = 0; i < KML_INDEX_COUNT; i++) {
		assert_null(kml_ctx_index(ctx, i));
		assert_null(kml_ctx_index(ctx, i)); /* tried once, remembered */
	}
	kml_ctx_free(ctx);
}

static void test_version_features(void **state)
{
	(void)state;
	assert_non_null(strstr(kml_features(), "ZSTD"));
	assert_non_null(strstr(kml_features(), "XZ"));
	assert_non_null(strstr(kml_features(), "ZLIB"));
	assert_non_null(strstr(kml_features(), "LIBCRYPTO"));
	assert_string_equal(kml_version(), KMODLITE_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_dir),
		cmocka_unit_test(test_default_kver),
		cmocka_unit_test(test_log_priority),
		cmocka_unit_test(test_missing_indexes),
		cmocka_unit_test(test_version_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
