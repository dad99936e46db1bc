// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What systemd-udevd does through libkmod at boot, for tools/bench-libkmod:
 * one context and its resources, then for every alias string of a file
 * (one a line) a lookup and each module's initstate. Prints the counts, so
 * that two libraries are seen doing the same work.
 *
 * Usage: bench-udev MODULE_DIR ALIAS_FILE
 */
#include <stdio.h>
#include <string.h>

#include "libkmod.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-udev MODULE_DIR ALIAS_FILE\n");
		return 2;
	}
	struct kmod_ctx *ctx = kmod_new(argv[1], NULL);
	if (!ctx || kmod_load_resources(ctx) < 0)
		return 1;
	FILE *f = fopen(argv[2], "re");
	if (!f)
		return 1;
	char line[4096];
	long lookups = 0, modules = 0, live = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		struct kmod_list *list = NULL, *e;
		if (kmod_module_new_from_lookup(ctx, line, &list) < 0)
			continue;
		lookups++;
		kmod_list_foreach(e, list) {
			struct kmod_module *m = kmod_module_get_module(e);
			int state = kmod_module_get_initstate(m);
			if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN)
				live++;
			modules++;
			kmod_module_unref(m);
		}
		kmod_module_unref_list(list);
	}
	fclose(f);
	kmod_unref(ctx);
	printf("%ld lookups, %ld modules, %ld loaded or built in\n", lookups, modules, live);
	return 0;
}
