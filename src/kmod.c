// SPDX-License-Identifier: GPL-2.0-or-later
/* The multicall binary: dispatch on argv[0], or on the first argument of `kmod`. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "tool.h"

static const struct kml_tool tools[] = {
	{ "lsmod", lsmod_main, "show the modules loaded in the running kernel" },
	{ "modprobe", modprobe_main, "load or unload modules with what they need" },
	{ "rmmod", rmmod_main, "unload modules that nothing uses" },
	{ "insmod", insmod_main, "load one module file, and nothing else" },
	{ "modinfo", modinfo_main, "print what modules record about themselves" },
	{ "depmod", depmod_main, "write modules.dep and the other module indexes" },
};

/* Subcommands of `kmod` itself. */
static const struct kml_tool commands[] = {
	{ "list", lsmod_main, "show the loaded modules, as lsmod does" },
	{ "static-nodes", static_nodes_main, "print the device nodes modules want made at boot" },
	{ "params", params_main, "show or set the parameters of a loaded module" },
	{ "why", why_main, "explain what modprobe would do with a name, and why" },
	{ "verify", verify_main, "verify module signatures against certificates" },
};

static int kmod_help(FILE *out)
{
	fprintf(out,
		"Usage: kmod [options] COMMAND [ARGS...]\n"
		"The one program behind the kernel module tools: runs COMMAND, or, started\n"
		"under one of the tool names below (a symbolic link), behaves as that tool.\n"
		"\n"
		"Options:\n"
		"\t-V, --version     print the version and the optional features, then exit\n"
		"\t-h, --help        print this text, then exit\n"
		"\n"
		"Commands:\n"
		"  %-12s %s\n",
		"help", "print this text");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nTools, by their link name or as `kmod TOOL ARGS...`:\n");
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
