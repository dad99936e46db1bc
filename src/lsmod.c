// SPDX-License-Identifier: GPL-2.0-or-later
/* lsmod, `kmod list`: the modules loaded in the kernel, newest first. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tool.h"

/* Version of the --json layout (lsmod.8): raised when a member changes
 * meaning or goes away, not when one is added. */
#define LSMOD_JSON_SCHEMA 1

static void help(void)
{
	printf("Usage: %s [--json]\n"
	       "List the modules that are loaded in the running kernel, most recent first,\n"
	       "with their size, how many users hold each one and which modules use it.\n"
	       "\n"
	       "Options:\n"
	       "\t    --json           write the list as a JSON document (see lsmod(8))\n"
	       "\t-V, --version        print the version and the optional features, then exit\n"
	       "\t-h, --help           print this text, then exit\n",
	       strcmp(program_name, "list") == 0 ? "kmod list" : program_name);
}

static void print_text(const char *name, unsigned long size, int refs, char **holders, size_t nh)
{
	printf("%-19s %8lu  %d", name, size, refs);
	for (size_t k = 0; k < nh; k++)
		printf("%c%s", k ? ',' : ' ', holders[k]);
	putchar('\n');
}

static void print_json(struct json_writer *w, const char *name, unsigned long size, int refs,
		       enum kml_module_state state, char **holders, size_t nh)
{
	json_begin_object(w);
	json_member_string(w, "name", name);
	json_member_uint(w, "size", size);
	json_member_int(w, "refcount", refs);
	json_key(w, "holders");
	json_begin_array(w);
	for (size_t k = 0; k < nh; k++)
		json_string(w, holders[k]);
	json_end_array(w);
	json_member_string(w, "state", tool_module_state_name(state));
	json_end_object(w);
}

int lsmod_main(int argc, char *argv[])
{
	struct tool_options opts = { 0 };
	int r = tool_parse_options(argc, argv, TOOL_OPT_VERSION, help, &opts);
	if (r > 0)
		return 0; /* -h or -V answered */
	if (r < 0) {
		fprintf(stderr, "Usage: %s\n", argv[0]);
		return 1;
	}
	bool json = opts.json;
	/* kmod 30's one-line usage for any argument */
	if (optind < argc) {
		fprintf(stderr, "Usage: %s\n", argv[0]);
		return 1;
	}
	struct kml_loaded_module *mods = NULL;
	size_t n = 0;
	r = kml_kernel_list_modules(&mods, &n);
	if (r < 0) {
		tool_err("could not get list of modules: %s\n", strerror(-r));
		return 1;
	}
	struct json_writer w;
	if (json) {
		json_init(&w, stdout, true);
		json_begin_object(&w);
		json_member_int(&w, "schema", LSMOD_JSON_SCHEMA);
		json_key(&w, "modules");
		json_begin_array(&w);
	} else {
		puts("Module                  Size  Used by");
	}
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
		if (json)
			print_json(&w, m->name, m->size, refs, state, holders, nh);
		else
			print_text(m->name, m->size, refs, holders, nh);
		for (size_t k = 0; k < nh; k++)
			free(holders[k]);
		free(holders);
	}
	kml_kernel_free_module_list(mods, n);
	if (json) {
		json_end_array(&w);
		json_end_object(&w);
		r = json_finish(&w);
		if (r < 0) {
			tool_err("could not write the list: %s\n", strerror(-r));
			return 1;
		}
	}
	return 0;
}
