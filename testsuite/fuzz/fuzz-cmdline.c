// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line as modprobe reads it (config-cmdline.c):
 * MOD.PARAM=VALUE options, quotes, modprobe.blacklist=. Input: the command
 * line's text (up to its first NUL, as /proc/cmdline is read). Then dumped
 * and queried (fuzz-config-common.h).
 */
#include <string.h>

#include "fuzz-config-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmdline = fuzz_strndup(data, size);
	const char *const no_paths[] = { NULL };
	struct kml_ctx *ctx = fuzz_ctx("moddir");
	struct kml_config *config;
	if (kml_config_load(ctx, no_paths, cmdline, &config) == 0) {
		fuzz_config_exercise(ctx, config, cmdline, strlen(cmdline));
		kml_config_free(config);
	}
	kml_ctx_free(ctx);
	free(cmdline);
	return 0;
}
