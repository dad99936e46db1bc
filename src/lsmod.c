// SPDX-License-Identifier: GPL-2.0-or-later
/* lsmod, `kmod list`: the modules loaded in the kernel, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int lsmod_main(int argc, char *argv[])
{
	if (argc > 1) {
		fprintf(stderr, "Usage: %s\n", argv[0]);
		return 1;
	}
	struct kml_loaded_module *mods = NULL;
	size_t n = 0;
	int r = kml_kernel_list_modules(&mods, &n);
	if (r < 0) {
		tool_err("could not get list of modules: %s\n", strerror(-r));
		return 1;
	}
	puts("Module                  Size  Used by");
	for (size_t i = 0; i < n; i++) {
		const struct kml_loaded_module *m = &mods[i];
		/* the use count and holders from sysfs, as the reference; a module
		 * that vanished meanwhile is skipped rather than printed as -2 */
		enum kml_module_state state = KML_STATE_NOT_LOADED;
		(void)kml_kernel_module_state(m->name, &state);
		if (state == KML_STATE_NOT_LOADED)
			continue;
		int refs;
		if (kml_kernel_module_refcount(m->name, &refs) < 0)
			refs = m->refcount; /* kernels without unloading have no refcnt */
		char **holders = NULL;
		size_t nh = 0;
		(void)kml_kernel_module_holders(m->name, &holders, &nh);
		printf("%-19s %8lu  %d", m->name, m->size, refs);
		for (size_t k = 0; k < nh; k++) {
			printf("%c%s", k ? ',' : ' ', holders[k]);
			free(holders[k]);
		}
		free(holders);
		putchar('\n');
	}
	kml_kernel_free_module_list(mods, n);
	return 0;
}
