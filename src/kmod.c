// SPDX-License-Identifier: GPL-2.0-or-later
/* The multicall binary: dispatch on argv[0], or on the first argument of `kmod`. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "tool.h"

static const struct kml_tool tools[] = {
	{ "lsmod", lsmod_main, "list the modules loaded in the kernel" },
	{ "modprobe", modprobe_main, "add or remove modules, with their dependencies" },
	{ "rmmod", rmmod_main, "remove a module from the kernel" },
	{ "insmod", insmod_main, "insert one module file into the kernel" },
	{ "modinfo", modinfo_main, "show information about modules" },
	{ "depmod", depmod_main, "generate modules.dep and the module indexes" },
};

/* Subcommands of `kmod` itself. */
static const struct kml_tool commands[] = {
	{ "list", lsmod_main, "list the currently loaded modules" },
	{ "static-nodes", static_nodes_main, "output the static device nodes modules want" },
	{ "verify", verify_main, "verify module signatures against certificates" },
};

static int kmod_help(FILE *out)
{
	fprintf(out,
		"kmod - Manage kernel modules: list, load, unload, etc\n"
		"Usage:\n"
		"\tkmod [options] command [command_options]\n\n"
		"Options:\n"
		"\t-V, --version     show version\n"
		"\t-h, --help        show this help\n\n"
		"Commands:\n"
		"  help         Show help message\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nkmod also handles gracefully if called from following symlinks:\n");
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		fprintf(out, "  %-12s %s\n", tools[i].name, tools[i].help);
	return 0;
}

static int run_tool(const struct kml_tool *t, int argc, char *argv[])
{
	program_name = t->name;
	return t->main(argc, argv);
}

int main(int argc, char *argv[])
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "kmod");

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(base, tools[i].name) == 0)
			return run_tool(&tools[i], argc, argv);

	program_name = "kmod";
	if (argc < 2) {
		fprintf(stderr, "kmod: ERROR: missing command\n");
		kmod_help(stderr);
		return 1;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		tool_print_version();
		return 0;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
		return kmod_help(stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return run_tool(&commands[i], argc - 1, argv + 1);
	/* `kmod modinfo ...` works too, as a convenience */
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(cmd, tools[i].name) == 0)
			return run_tool(&tools[i], argc - 1, argv + 1);
	fprintf(stderr, "kmod: ERROR: unknown command '%s'\n", cmd);
	kmod_help(stderr);
	return 1;
}
