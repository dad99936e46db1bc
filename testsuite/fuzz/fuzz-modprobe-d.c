// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modprobe.d (config-parse.c, conf-file.c): a configuration file, and the module
 * directory's modules.softdep and modules.weakdep, read as modprobe reads
 * them, then dumped and queried (fuzz-config-common.h). Input, parts
 * separated by 0xff:
 *   0  a modprobe.d file
 *   1  modules.softdep (absent when empty)
 *   2  modules.weakdep (absent when empty)
 */
#include <unistd.h>

#include "fuzz-config-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[3];
	fuzz_split(data, size, parts, 3);

	const char *conf = fuzz_write("modprobe.d/fuzz.conf", parts[0].data, parts[0].size);
	static const char *const dep_files[] = { "moddir/modules.softdep", "moddir/modules.weakdep" };
	for (int i = 0; i < 2; i++) {
		if (parts[1 + i].size)
			fuzz_write(dep_files[i], parts[1 + i].data, parts[1 + i].size);
		else
			unlink(fuzz_path(dep_files[i]));
	}
	const char *const paths[] = { conf, NULL };
	struct kml_ctx *ctx = fuzz_ctx("moddir");
	struct kml_config *config;
	if (kml_config_load(ctx, paths, NULL, &config) == 0) {
		fuzz_config_exercise(ctx, config, (const char *)data, size);
		kml_config_free(config);
	}
	kml_ctx_free(ctx);
	return 0;
}
