// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libcrypto's functions for signature.c and verify.c (the table is in
 * crypto.h): the pointers they are called through, filled by dl.c the
 * first time either needs them. A process that never reads a signature
 * never opens libcrypto.
 */
#include <errno.h>

#include "crypto.h"
#include "kmodlite-private.h"

#if ENABLE_OPENSSL

#define CRYPTO_DEFINE(name) __typeof__(name) *p_##name;
CRYPTO_FUNCTIONS(CRYPTO_DEFINE)
#undef CRYPTO_DEFINE

#define CRYPTO_SYMBOL(name) { #name, (void **)&p_##name },
static const struct dl_symbol crypto_symbols[] = { CRYPTO_FUNCTIONS(CRYPTO_SYMBOL) };
#undef CRYPTO_SYMBOL

static struct dl_library crypto_library = {
	.soname = ENABLE_OPENSSL_SONAME,
	.symbols = crypto_symbols,
	.count = ARRAY_SIZE(crypto_symbols),
};

int crypto_load(void)
{
	return dl_load(&crypto_library);
}

#else

int crypto_load(void)
{
	return -ENOTSUP;
}

#endif
