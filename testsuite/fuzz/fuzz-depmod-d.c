// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * depmod.d (depmod-config.c, conf-file.c): search, override, external,
 * exclude, with kernel-version patterns (POSIX regular expressions). Input,
 * parts separated by 0xff:
 *   0  a depmod.d file
 *   1  the kernel version to match (default 6.1.0-fuzz-amd64)
 * Every query runs on the words of the file.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_WORDS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	volatile size_t sink = 0;
	fuzz_split(data, size, parts, 2);

	const char *conf = fuzz_write("depmod.d/fuzz.conf", parts[0].data, parts[0].size);
	char *kver = parts[1].size ? fuzz_strndup(parts[1].data, parts[1].size)
				   : fuzz_strndup("6.1.0-fuzz-amd64", 16);
	const char *const paths[] = { conf, NULL };
	struct kml_ctx *ctx = fuzz_ctx("moddir");
	struct kml_depmod_config *config;
	if (kml_depmod_config_load(ctx, paths, kver, &config) == 0) {
		size_t n;
		const struct kml_search_entry *se = kml_depmod_config_search(config, &n);
		for (size_t i = 0; i < n; i++) {
			if ((se[i].kind == KML_SEARCH_DIR) != (se[i].dir != NULL))
				abort();
			sink += (size_t)se[i].kind + fuzz_touch(se[i].dir);
		}
		const char *const *ext = kml_depmod_config_external(config, &n);
		for (size_t i = 0; i < n; i++)
			sink += fuzz_touch(ext[i]);
		if (ext[n])
			abort(); /* NULL-terminated */
		char *words[MAX_WORDS];
		size_t nw = fuzz_words((const char *)parts[0].data, parts[0].size, words, MAX_WORDS);
		for (size_t i = 0; i < nw; i++) {
			sink += fuzz_touch(kml_depmod_config_override(config, words[i]));
			sink += kml_depmod_config_excluded(config, words[i]);
		}
		fuzz_words_free(words, nw);
		kml_depmod_config_free(config);
	}
	kml_ctx_free(ctx);
	free(kver);
	(void)sink;
	return 0;
}
