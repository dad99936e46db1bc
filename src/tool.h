/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every tool of the multicall binary shares: its name and messages. */
#ifndef KMODLITE_TOOL_H
#define KMODLITE_TOOL_H

#include <stdbool.h>

#include "kmodlite.h"

struct kml_tool {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *help; /* one line for `kmod help` */
};

/* Name used as the "PROG:" prefix of messages. */
extern const char *program_name;
extern bool log_use_syslog;

void tool_log_open(bool use_syslog);
void tool_err(const char *format, ...) __attribute__((format(printf, 1, 2)));
void tool_fatal(const char *format, ...) __attribute__((format(printf, 1, 2)));
void tool_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* -V, --version: "kmodlite version X" and the optional features, on stdout. */
void tool_print_version(void);
/* Log callback for kml_ctx_set_log(): prints library messages like tool_*(). */
void tool_log_library(void *data, int priority, const char *file, int line, const char *fn,
		      const char *message);

/* STATE's name as lsmod, kmod params and kmod why print it (text and
 * JSON): "builtin", "live", "coming", "going" (initstate's words) or
 * "not loaded". */
const char *tool_module_state_name(enum kml_module_state state);

/* The command line of the smaller tools (lsmod, kmod params, kmod why):
 * --json and -h always, and the option sets below as asked. */
enum tool_option_set {
	TOOL_OPT_MODULE_DIR = 1 << 0, /* -C FILE (repeated), -d DIR, -S VERSION */
	TOOL_OPT_VERSION = 1 << 1,    /* -V, --version */
};

struct tool_options {
	const char *root, *kver; /* -d, -S; NULL when not given */
	const char **configs;	 /* -C, NULL-terminated; NULL when none */
	size_t config_count, config_cap;
	bool json;
};

/* Parses the options of SET (getopt_long, which reports an unknown one);
 * HELP prints the -h text. 0 to go on, optind at the first operand; 1 when
 * -h or -V was answered (exit 0); -EINVAL for an unknown option, -ENOMEM. */
int tool_parse_options(int argc, char *argv[], unsigned int set, void (*help)(void),
		       struct tool_options *opts);
void tool_options_release(struct tool_options *opts);
/* The library context of -d and -S, its messages through tool_log_library
 * (errors only); "could not create context" said on failure. */
int tool_ctx_new(const struct tool_options *opts, struct kml_ctx **ctx);

int modinfo_main(int argc, char *argv[]);
int depmod_main(int argc, char *argv[]);
int modprobe_main(int argc, char *argv[]);
int insmod_main(int argc, char *argv[]);
int rmmod_main(int argc, char *argv[]);
int lsmod_main(int argc, char *argv[]);
int static_nodes_main(int argc, char *argv[]);
int params_main(int argc, char *argv[]);
int why_main(int argc, char *argv[]);
int verify_main(int argc, char *argv[]);

#endif
