// SPDX-License-Identifier: GPL-2.0-or-later
/* rmmod: remove modules from the kernel, checking they are not needed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static void help(void)
{
	printf("Usage: %s [options] MODULE...\n"
	       "Remove each MODULE (a name, or the path of its file) from the kernel, after\n"
	       "checking that it is loaded, not built in and not used by anything.\n"
	       "\n"
	       "Options:\n"
	       "\t-f, --force       skip the checks and remove it even while in use; needs a\n"
	       "\t                  kernel built with forced unloading, and may crash the\n"
	       "\t                  system: dangerous\n"
	       "\t-s, --syslog      send messages to syslog instead of stderr\n"
	       "\t-v, --verbose     accepted; prints nothing more\n"
	       "\t-V, --version     print the version and the optional features, then exit\n"
	       "\t-h, --help        print this text, then exit\n",
	       program_name);
}

/* Built-in, not loaded, held by others, or referenced: each refuses removal. */
static int check_removable(const char *name)
{
	enum kml_module_state state = KML_STATE_NOT_LOADED;
	int r = kml_kernel_module_state(name, &state);
	if (r == 0 && state == KML_STATE_BUILTIN) {
		tool_err("Module %s is builtin.\n", name);
		return -ENOENT;
	}
	if (r < 0 || state == KML_STATE_NOT_LOADED) {
		tool_err("Module %s is not currently loaded\n", name);
		return -ENOENT;
	}
	char **holders = NULL;
	size_t n = 0;
	if (kml_kernel_module_holders(name, &holders, &n) == 0 && n > 0) {
		if (!log_use_syslog) {
			fprintf(stderr, "%s: ERROR: Module %s is in use by:", program_name, name);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, " %s", holders[i]);
			fputc('\n', stderr);
		} else {
			tool_err("Module %s is in use by other modules\n", name);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(holders[i]);
	free(holders);
	if (n > 0)
		return -EBUSY;
	int refs = 0;
	r = kml_kernel_module_refcount(name, &refs);
	if (r == 0 && refs > 0) {
		tool_err("Module %s is in use\n", name);
		return -EBUSY;
	}
	if (r == -ENOENT) {
		tool_err("Module unloading is not supported\n");
		return r;
	}
	return 0;
}

int rmmod_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "force", no_argument, 0, 'f' },
		{ "syslog", no_argument, 0, 's' },
		{ "verbose", no_argument, 0, 'v' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool force = false, use_syslog = false;
	for (;;) {
		int c = getopt_long(argc, argv, "fsvVhw", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'f':
			force = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'v':
			/* accepted; the reference prints nothing more either */
			break;
		case 'w':
			/* accepted and ignored, as the reference does */
			break;
		case 'V':
			tool_print_version();
			return 0;
		case 'h':
			help();
			return 0;
		default:
			return 1;
		}
	}
	tool_log_open(use_syslog);
	if (optind >= argc) {
		tool_err("missing module name.\n");
		return 1;
	}
	int failures = 0;
	for (int i = optind; i < argc; i++) {
		char name[256];
		const char *arg = argv[i];
		/* a path names the module of that file */
		if (kml_module_name_from_path(arg, name, sizeof(name)) < 0) {
			tool_err("could not remove module %s: %s\n", arg, strerror(ENAMETOOLONG));
			failures++;
			continue;
		}
		if (!strchr(arg, '/') && !strstr(arg, ".ko")) {
			/* a plain name: '-' and '_' are the same in module names */
			if (kml_alias_normalize(arg, name, sizeof(name)) < 0)
				snprintf(name, sizeof(name), "%s", arg);
		}
		if (!force && check_removable(name) < 0) {
			failures++;
			continue;
		}
		int r = kml_kernel_remove(name, force);
		if (r < 0) {
			tool_err("could not remove module %s: %s\n", arg, strerror(-r));
			failures++;
		}
	}
	return failures ? 1 : 0;
}
