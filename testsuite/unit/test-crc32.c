// SPDX-License-Identifier: GPL-2.0-or-later
/* CRC-32: the folded (carry-less multiply) path against the bitwise one and
 * known values, at every length around the block sizes and at every
 * alignment, with chained updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static void test_known_values(void **state)
{
	(void)state;
	assert_int_equal(crc32_update(0, "", 0), 0);
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32_update_bitwise(0, "123456789", 9), 0xcbf43926u);
	/* 1 MiB of zeros and of 0xff: values from zlib's crc32() */
	size_t n = 1 << 20;
	uint8_t *buf = calloc(1, n);
	assert_non_null(buf);
	assert_int_equal(crc32_update(0, buf, n), 0xa738ea1cu);
	memset(buf, 0xff, n);
	assert_int_equal(crc32_update(0, buf, n), 0x956bac74u);
	free(buf);
}

static void test_against_bitwise(void **state)
{
	(void)state;
	size_t n = 4096 + 64;
	uint8_t *buf = malloc(n);
	assert_non_null(buf);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t align = 0; align < 16; align++)
		for (size_t len = 0; len + align <= n; len += len < 300 ? 1 : 61) {
			uint32_t seed = (uint32_t)(len * 2654435761u);
			assert_int_equal(crc32_update(seed, buf + align, len),
					 crc32_update_bitwise(seed, buf + align, len));
		}
	/* chained: the CRC of a whole is that of its parts in turn */
	for (size_t cut = 0; cut <= n; cut += 37)
		assert_int_equal(crc32_update(crc32_update(0, buf, cut), buf + cut, n - cut),
				 crc32_update_bitwise(0, buf, n));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_against_bitwise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
