// SPDX-License-Identifier: GPL-2.0-or-later
/* kmod static-nodes: the device nodes that modules.devname asks for, so
 * that opening them loads the module (systemd's kmod-static-nodes.service). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "kmodlite-private.h"
#include "tool.h"

struct format {
	const char *name;
	void (*node)(FILE *out, const char *module, const char *devname, char type,
		     unsigned major, unsigned minor);
};

static void human_node(FILE *out, const char *module, const char *devname, char type,
		       unsigned major, unsigned minor)
{
	fprintf(out,
		"Module: %s\n\tDevice node: /dev/%s\n\t\tType: %s device\n\t\tMajor: %u\n\t\tMinor: %u\n",
		module, devname, type == 'c' ? "character" : "block", major, minor);
}

static void tmpfiles_node(FILE *out, const char *module, const char *devname, char type,
			  unsigned major, unsigned minor)
{
	(void)module;
	const char *slash = strrchr(devname, '/');
	if (slash)
		fprintf(out, "d /dev/%.*s 0755 - - -\n", (int)(slash - devname), devname);
	fprintf(out, "%c! /dev/%s 0600 - - - %u:%u\n", type, devname, major, minor);
}

static void devname_node(FILE *out, const char *module, const char *devname, char type,
			 unsigned major, unsigned minor)
{
	fprintf(out, "%s %s %c%u:%u\n", module, devname, type, major, minor);
}

static const struct format formats[] = {
	{ "human", human_node },
	{ "tmpfiles", tmpfiles_node },
	{ "devname", devname_node },
};

static void help(void)
{
	printf("Usage: kmod static-nodes [options]\n"
	       "Print the device nodes that the running kernel's modules want to exist\n"
	       "before they are loaded (from modules.devname), so that opening one loads\n"
	       "its module.\n"
	       "\n"
	       "Options:\n"
	       "\t-f, --format=FORMAT  write the list in FORMAT (below)\n"
	       "\t-o, --output=FILE    write to FILE instead of stdout\n"
	       "\t-h, --help           print this text, then exit\n"
	       "\n"
	       "Formats:\n"
	       "\thuman        the default: meant to be read by people, not parsed\n"
	       "\ttmpfiles     lines for systemd-tmpfiles (tmpfiles.d(5))\n"
	       "\tdevname      the lines of modules.devname themselves\n");
}

int static_nodes_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, 0, 'f' },
		{ "output", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const struct format *fmt = &formats[0];
	const char *output = NULL;
	for (;;) {
		int c = getopt_long(argc, argv, "f:o:h", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'f':
			fmt = NULL;
			for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (strcmp(optarg, formats[i].name) == 0)
					fmt = &formats[i];
			if (!fmt) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				help();
				return 1;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return 1;
		}
	}

	struct utsname u;
	if (uname(&u) < 0) {
		fprintf(stderr, "Error: uname failed: %s\n", strerror(errno));
		return 1;
	}
	char path[512];
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.devname", u.release);
	FILE *in = fopen(path, "re");
	if (!in) {
		if (errno == ENOENT) {
			fprintf(stderr, "Warning: /lib/modules/%s/modules.devname not found - ignoring\n",
				u.release);
			return 0;
		}
		fprintf(stderr, "Error: could not open /lib/modules/%s/modules.devname - %s\n",
			u.release, strerror(errno));
		return 1;
	}
	FILE *out = stdout;
	if (output) {
		int r = mkdir_parents(output);
		out = r < 0 ? NULL : fopen(output, "we");
		if (!out) {
			fprintf(stderr, "Error: could not create %s: %s\n", output,
				strerror(r < 0 ? -r : errno));
			fclose(in);
			return 1;
		}
	}
	char line[4096];
	while (fgets(line, sizeof(line), in)) {
		if (line[0] == '#')
			continue;
		char module[256], devname[256], type;
		unsigned major, minor;
		if (sscanf(line, "%255s %255s %c%u:%u", module, devname, &type, &major, &minor) != 5 ||
		    (type != 'c' && type != 'b')) {
			fprintf(stderr, "Error: could not parse line %s", line);
			continue;
		}
		fmt->node(out, module, devname, type, major, minor);
	}
	fclose(in);
	if (output && fclose(out) != 0) {
		fprintf(stderr, "Error: could not write %s\n", output);
		return 1;
	}
	return 0;
}
