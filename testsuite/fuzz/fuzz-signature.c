// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The signature appended to a module (signature.c): the trailer, and the
 * PKCS#7 blob through libcrypto. Input: the end of a module (the parser
 * only reads the tail).
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kml_signature *sig = NULL;
	volatile size_t sink = 0;
	int r = kml_signature_parse(data, size, &sig);
	if (r < 0 && r != -ENOTSUP) {
		if (sig)
			abort(); /* nothing is returned on failure */
		return 0;
	}
	if (!sig)
		abort();
	sink += fuzz_touch(sig->id_type) + fuzz_touch(sig->algo) + fuzz_touch(sig->hash_algo) +
		fuzz_touch(sig->signer);
	if (sig->key_id_len)
		sink += sig->key_id[0] + sig->key_id[sig->key_id_len - 1];
	if (sig->signature_len)
		sink += sig->signature[0] + sig->signature[sig->signature_len - 1];
	kml_signature_free(sig);
	(void)sink;
	return 0;
}
