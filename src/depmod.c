// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod: generate modules.dep and the module indexes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodlite-private.h"
#include "tool.h"

static void help(void)
{
	printf("Usage: %s [-a|-A] [options] [VERSION [FILE...]]\n"
	       "Read the modules of /lib/modules/VERSION (the running kernel's by default)\n"
	       "and write modules.dep, the alias, symbol and other indexes that modprobe\n"
	       "reads there. Without any argument but options, -a is meant.\n"
	       "\n"
	       "Options:\n"
	       "\t-a, --all            read every module (the default)\n"
	       "\t-A, --quick          do nothing when no module is newer than modules.dep\n"
	       "\t-e, --errsyms        report needed symbols that no module or kernel provides\n"
	       "\t-n, --show           write the results on stdout, not into files\n"
	       "\t-P, --symbol-prefix  the character the architecture puts before symbols\n"
	       "\t-C, --config=PATH    read the configuration from PATH, not depmod.d\n"
	       "\t-v, --verbose        print more about what is done\n"
	       "\t-w, --warn           warn about symbols exported twice and duplicate aliases\n"
	       "\t    --no-cache       read every module, and keep no modules.depmod-cache\n"
	       "\t-V, --version        print the version and the optional features, then exit\n"
	       "\t-h, --help           print this text, then exit\n"
	       "\n"
	       "For building module trees apart from the running system:\n"
	       "\t-b, --basedir=DIR    take /lib/modules under DIR\n"
	       "\t-o, --outdir=DIR     write the files under DIR instead of the base directory\n"
	       "\t-m, --moduledir=DIR  the module directory, instead of /lib/modules\n"
	       "\t-F, --filesyms=FILE  the kernel's symbols from FILE (System.map), for -e\n"
	       "\t-E, --symvers=FILE   the kernel's symbol versions from FILE (Module.symvers),\n"
	       "\t                     for -e\n",
	       program_name);
}

/* "N.N..." as the reference accepts it */
static bool is_version(const char *s)
{
	unsigned a, b;
	return sscanf(s, "%u.%u", &a, &b) == 2;
}

int depmod_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "all", no_argument, 0, 'a' },
		{ "quick", no_argument, 0, 'A' },
		{ "basedir", required_argument, 0, 'b' },
		{ "outdir", required_argument, 0, 'o' },
		{ "moduledir", required_argument, 0, 'm' },
		{ "config", required_argument, 0, 'C' },
		{ "symvers", required_argument, 0, 'E' },
		{ "filesyms", required_argument, 0, 'F' },
		{ "errsyms", no_argument, 0, 'e' },
		{ "unresolved-error", no_argument, 0, 'u' },
		{ "quiet", no_argument, 0, 'q' },
		{ "root", no_argument, 0, 'r' },
		{ "symbol-prefix", required_argument, 0, 'P' },
		{ "warn", no_argument, 0, 'w' },
		{ "map", no_argument, 0, 'm' + 256 },
		{ "no-cache", no_argument, 0, 'c' + 256 },
		{ "show", no_argument, 0, 'n' },
		{ "dry-run", no_argument, 0, 'n' },
		{ "verbose", no_argument, 0, 'v' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct kml_depmod_options o = { 0 };
	const char **configs = NULL;
	size_t nconfigs = 0, cap_configs = 0;
	int verbose = 0, ret = 1;
	bool all = false;
	for (;;) {
		int c = getopt_long(argc, argv, "aAb:o:m:C:E:F:euqrP:wnvVh", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'A':
			o.quick = true;
			break;
		case 'b':
			o.base_dir = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'm':
			o.module_dir = optarg;
			break;
		case 'C': {
			if (ARRAY_GROW(configs, cap_configs, nconfigs + 2) < 0)
				goto out;
			configs[nconfigs++] = optarg;
			configs[nconfigs] = NULL;
			break;
		}
		case 'E':
			o.symvers = optarg;
			break;
		case 'F':
			o.system_map = optarg;
			break;
		case 'e':
			o.errsyms = true;
			break;
		case 'u':
		case 'q':
		case 'r':
		case 'm' + 256:
			/* accepted for compatibility, as the reference does */
			break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0') {
				tool_err("-P only takes a single char\n");
				goto out;
			}
			o.symbol_prefix = optarg[0];
			break;
		case 'w':
			o.warn_duplicates = true;
			break;
		case 'c' + 256:
			o.no_cache = true;
			break;
		case 'n':
			o.dry_run_stream = stdout;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			tool_print_version();
			ret = 0;
			goto out;
		case 'h':
			help();
			ret = 0;
			goto out;
		default:
			goto out;
		}
	}
	const char *kver = NULL;
	if (optind < argc) {
		if (!is_version(argv[optind])) {
			tool_err("Bad version passed %s\n", argv[optind]);
			goto out;
		}
		kver = argv[optind++];
	}
	if (optind < argc && !all) {
		for (int i = optind; i < argc; i++) {
			if (argv[i][0] != '/') {
				tool_fatal("%s: not absolute path.\n", argv[i]);
				goto out;
			}
		}
		o.files = (const char *const *)&argv[optind];
	}
	if (o.errsyms && !o.system_map && !o.symvers) {
		tool_warn("-e needs -E or -F\n");
		o.errsyms = false;
	}
	o.config_paths = configs;
	/* the switch for scripts that cannot change the command line */
	const char *env = getenv("KMODLITE_DEPMOD_CACHE");
	if (env && (streq(env, "0") || streq(env, "no") || streq(env, "off")))
		o.no_cache = true;
	/* A tree under another base directory is most often an image being
	 * built (mkinitramfs and dracut run depmod -b on their staging tree):
	 * no later run would read a cache there, so none is started, unless
	 * one is there already or KMODLITE_DEPMOD_CACHE=1 asks for it. */
	bool force = env && (streq(env, "1") || streq(env, "yes") || streq(env, "on"));
	if (!force && o.base_dir && !streq(o.base_dir, "/") && !streq(o.base_dir, ""))
		o.cache_if_present = true;

	struct kml_ctx *ctx = NULL;
	if (kml_ctx_new(o.base_dir, kver, &ctx) < 0) {
		tool_err("could not create context\n");
		goto out;
	}
	kml_ctx_set_log(ctx, tool_log_library, NULL,
			verbose >= 2 ? KML_LOG_DEBUG : verbose ? KML_LOG_INFO : KML_LOG_WARNING);
	int r = kml_depmod_run(ctx, &o);
	kml_ctx_free(ctx);
	ret = r < 0 ? 1 : 0;
out:
	free(configs);
	return ret;
}
