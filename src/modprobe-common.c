// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modprobe: what loading and removal share: a module found by name, alias
 * or path, and install/remove commands run with the environment nested
 * modprobe calls need.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modprobe-private.h"

/* Install/remove commands that call modprobe again get -C, -s, -q, -v through
 * MODPROBE_OPTIONS. A nesting count in the environment ends command loops
 * (install a /sbin/modprobe a) that would otherwise fork forever. */
#define NESTING_VAR "KMODLITE_MODPROBE_NESTING"
#define NESTING_MAX 16

int modprobe_check_nesting(struct modprobe *mp)
{
	const char *nest = getenv(NESTING_VAR);
	mp->nesting = nest ? atoi(nest) : 0;
	if (mp->nesting >= NESTING_MAX) {
		tool_err("install or remove commands nested %d deep: stopping a loop\n",
			 mp->nesting);
		return -ELOOP;
	}
	return 0;
}

/* What install and remove commands get in their environment besides
 * MODPROBE_MODULE: the nesting count and the options passed on. */
static int command_env(struct modprobe *mp)
{
	if (mp->command_env[0])
		return 0;
	char *nesting = NULL, *options = NULL;
	if (asprintf(&nesting, NESTING_VAR "=%d", mp->nesting + 1) < 0)
		return -ENOMEM;
	if (asprintf(&options, "MODPROBE_OPTIONS=%s", mp->pass_on ? mp->pass_on : "") < 0) {
		free(nesting);
		return -ENOMEM;
	}
	mp->command_env[0] = nesting;
	mp->command_env[1] = options;
	return 0;
}

int modprobe_run_command(struct modprobe *mp, const char *name, const char *command,
			 const char *options)
{
	int r = command_env(mp);
	if (r < 0)
		return r;
	return kml_command_run(name, command, options, (const char *const *)mp->command_env);
}

/* NAME as a path ("/..." or "./...") or looked up; RET empty when not found. */
int modprobe_find_modules(struct modprobe *mp, const char *name, struct kml_module_list *ret)
{
	if (name[0] == '/' || strncmp(name, "./", 2) == 0) {
		struct stat st;
		if (stat(name, &st) < 0 || !S_ISREG(st.st_mode)) {
			*ret = (struct kml_module_list){ 0 };
			return 0; /* reported as not found */
		}
		return kml_module_from_path(name, ret);
	}
	return kml_lookup_with_config(mp->ctx, mp->config, name, ret);
}

int modprobe_not_found(struct modprobe *mp, const char *name)
{
	if (mp->quiet)
		return -ENOENT;
	if (mp->mode == MODE_REMOVE)
		tool_fatal("Module %s not found.\n", name);
	else if (mp->all)
		tool_warn("Module %s not found in directory %s\n", name,
			  kml_ctx_get_module_dir(mp->ctx));
	else
		tool_fatal("Module %s not found in directory %s\n", name,
			   kml_ctx_get_module_dir(mp->ctx));
	return -ENOENT;
}
