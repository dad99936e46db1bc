/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modprobe's parts and what they share (not for the other tools):
 *   modprobe.c         options, --help, -R, -c, the symbol listings, main
 *   modprobe-common.c  finding a module by name or path; install/remove
 *                      commands and the environment they get
 *   modprobe-insert.c  loading by the library's plan (signatures checked)
 *   modprobe-remove.c  removal by the library's plan, module by module
 *   modprobe-print.c   the steps as --show-depends, -n and -v print them
 */
#ifndef KMODLITE_MODPROBE_PRIVATE_H
#define KMODLITE_MODPROBE_PRIVATE_H

#include "kmodlite-private.h"
#include "tool-verify.h"

struct json_writer;

enum mode { MODE_INSERT, MODE_REMOVE, MODE_RESOLVE, MODE_SHOWCONFIG, MODE_MODVERSIONS,
	    MODE_EXPORTS };

struct modprobe {
	enum mode mode;
	bool all, remove_holders, first_time, ignore_commands, use_blacklist;
	bool show_depends, dry_run, quiet, verbose;
	unsigned int insert_flags;
	bool force_remove;
	long wait_msec;
	const char **configs;
	size_t config_count, config_cap;
	const char *root, *kver;
	struct kml_ctx *ctx;
	struct kml_config *config;
	char *pass_on; /* -C, -s, -q, -v as given, for nested modprobe calls */
	int nesting;   /* how deep in install/remove commands this modprobe runs */
	char *command_env[3]; /* "VAR=VALUE" for the commands, NULL-terminated */
	unsigned int remove_flags; /* enum kml_probe_flags for removal */
	struct json_writer *json;  /* --show-depends --json: steps as objects */
	struct tool_trust trust;   /* --cert, --keyring: loads must verify */
	bool refused;		   /* a signature check refused the last load */
};

/* modprobe-common.c */
/* -ELOOP (reported) when install or remove commands are nested too deep. */
int modprobe_check_nesting(struct modprobe *mp);
/* An install or remove command of module NAME: its exit status, or a
 * negative errno. */
int modprobe_run_command(struct modprobe *mp, const char *name, const char *command,
			 const char *options);
int modprobe_find_modules(struct modprobe *mp, const char *name, struct kml_module_list *ret);
/* Reports NAME as not found (unless -q); -ENOENT. */
int modprobe_not_found(struct modprobe *mp, const char *name);

/* modprobe-insert.c: loads NAME (a name, an alias or a path) with EXTRA
 * parameters; 0, or a negative errno (reported). */
int modprobe_insert(struct modprobe *mp, const char *name, const char *extra);

/* modprobe-remove.c: unloads NAME and what it needs no longer; 0, or a
 * negative errno. */
int modprobe_remove(struct modprobe *mp, const char *name);

/* modprobe-print.c */
/* One loading step as --show-depends (text or JSON), -n and -v show it. */
void modprobe_print_step(const struct modprobe *mp, const struct kml_probe_step *s);
/* --show-depends --json: begins the document on stdout in W (mp->json). */
void modprobe_json_begin(struct modprobe *mp, struct json_writer *w);
/* Ends it; 0, or a negative errno from writing. */
int modprobe_json_end(struct modprobe *mp);

#endif
