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
