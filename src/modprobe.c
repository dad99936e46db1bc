// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modprobe: add or remove modules with their dependencies, as configured.
 * This file: the options, --help, the questions (-R, -c, the symbol
 * listings) and main; the other parts are listed in modprobe-private.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "modprobe-private.h"

static void pass_on_add(struct modprobe *mp, const char *opt, const char *arg)
{
	size_t old = mp->pass_on ? strlen(mp->pass_on) : 0;
	size_t add = strlen(opt) + (arg ? strlen(arg) + 1 : 0) + 2;
	char *n = realloc(mp->pass_on, old + add);
	if (!n)
		return;
	snprintf(n + old, add, "%s%s%s%s", old ? " " : "", opt, arg ? " " : "", arg ? arg : "");
	mp->pass_on = n;
}

static void help(void)
{
	printf("Usage:\n"
	       "\t%1$s [options] MODULE [PARAM=VALUE...]    load MODULE and the modules it needs\n"
	       "\t%1$s [options] -a MODULE...               load every MODULE given\n"
	       "\t%1$s [options] -r MODULE...               unload, with what is no longer needed\n"
	       "\t%1$s [options] -c                         print the configuration in use\n"
	       "\t%1$s [options] --dump-modversions FILE    print a module file's symbol versions\n"
	       "MODULE is a module name or an alias; -i and -b apply when loading, -i when\n"
	       "unloading too.\n"
	       "\n"
	       "Loading and unloading:\n"
	       "\t-a, --all                   take every argument as a module, not as a parameter\n"
	       "\t-r, --remove                unload the modules instead of loading them\n"
	       "\t    --remove-holders        with -r: unload the modules holding each one first\n"
	       "\t    --remove-dependencies   old name of --remove-holders\n"
	       "\t-w, --wait=MSEC             with -r: if a module is in use, retry for up to MSEC\n"
	       "\t                            milliseconds until its users are gone\n"
	       "\t    --first-time            fail when a module is already loaded (or, with -r,\n"
	       "\t                            already unloaded)\n"
	       "\t-i, --ignore-install        do not run install commands from the configuration\n"
	       "\t-i, --ignore-remove         do not run remove commands from the configuration\n"
	       "\t-b, --use-blacklist         apply the blacklist to MODULE itself, not only to\n"
	       "\t                            what an alias resolves to\n"
	       "\t-f, --force                 load even if versions do not match (both of the\n"
	       "\t                            next two); unload even if in use\n"
	       "\t    --force-modversion      ignore the symbol versions (CRCs) of the module\n"
	       "\t    --force-vermagic        ignore the version magic string of the module\n"
	       "\t    --cert=FILE             load only modules signed by a certificate in FILE\n"
	       "\t                            (PEM or DER; may be given more than once)\n"
	       "\t    --keyring=DIR           the same, with the certificates of every file in DIR\n"
	       "\n"
	       "Questions (nothing is loaded or unloaded):\n"
	       "\t-R, --resolve-alias         print the module names MODULE resolves to\n"
	       "\t-D, --show-depends          print the insmod, install and builtin steps that\n"
	       "\t                            loading MODULE would take, even if it is loaded\n"
	       "\t    --json                  with -D: write the steps as JSON (see modprobe(8))\n"
	       "\t-c, --showconfig            print the configuration and the alias indexes\n"
	       "\t-c, --show-config           the same as --showconfig\n"
	       "\t    --show-modversions      print the symbol versions FILE was built against\n"
	       "\t    --dump-modversions      the same as --show-modversions\n"
	       "\t    --show-exports          print the symbols FILE exports, with their versions\n"
	       "\n"
	       "Common options:\n"
	       "\t-n, --dry-run               say what would be done and do nothing\n"
	       "\t-n, --show                  the same as --dry-run\n"
	       "\t-C, --config=FILE           read FILE, or a directory's *.conf files, instead\n"
	       "\t                            of the modprobe.d directories (may be repeated)\n"
	       "\t-d, --dirname=DIR           look for /lib/modules under DIR\n"
	       "\t-S, --set-version=VERSION   use /lib/modules/VERSION, not the running kernel's\n"
	       "\t-s, --syslog                send messages to syslog instead of stderr\n"
	       "\t-q, --quiet                 keep quiet about modules missing, built in, in use,\n"
	       "\t                            loaded or not loaded (see modprobe(8))\n"
	       "\t-v, --verbose               say more about what is done\n"
	       "\t-V, --version               print the version and the optional features, then exit\n"
	       "\t-h, --help                  print this text, then exit\n",
	       program_name);
}

/* ------------------------------------------------------------- queries */

static int do_resolve(struct modprobe *mp, const char *name)
{
	struct kml_module_list list = { 0 };
	int r = modprobe_find_modules(mp, name, &list);
	if (r < 0 || list.count == 0) {
		kml_module_list_release(&list);
		return modprobe_not_found(mp, name);
	}
	for (size_t i = 0; i < list.count; i++)
		printf("%s\n", list.modules[i].name);
	kml_module_list_release(&list);
	return 0;
}

static int dump_index_entry(void *data, const char *key, const struct kml_index_value *value)
{
	(void)data;
	printf("alias %s %s\n", key, value->value);
	return 0;
}

static int do_showconfig(struct modprobe *mp)
{
	char *text = NULL;
	int r = kml_config_dump(mp->config, &text);
	if (r < 0)
		return r;
	fputs(text, stdout);
	free(text);
	puts("# End of configuration files. Dumping indexes now:\n");
	static const char *const files[] = { "modules.alias.bin", "modules.symbols.bin" };
	for (size_t i = 0; i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", kml_ctx_get_module_dir(mp->ctx), files[i]);
		struct kml_index *idx = NULL;
		if (kml_index_open(path, &idx) < 0)
			continue;
		(void)kml_index_foreach(idx, dump_index_entry, NULL);
		kml_index_close(idx);
	}
	return 0;
}

static int do_symbols(const char *path, bool exports)
{
	struct kml_file *file = NULL;
	struct kml_elf *elf = NULL;
	struct kml_symbol *syms = NULL;
	size_t n = 0;
	int r = kml_file_open(path, &file);
	if (r == 0)
		r = kml_elf_new(kml_file_data(file), kml_file_size(file), &elf);
	if (r == 0)
		r = exports ? kml_elf_get_exports(elf, &syms, &n) : kml_elf_get_versions(elf, &syms, &n);
	if (r < 0)
		tool_err("could not get modversions of %s: %s\n", path, strerror(-r));
	for (size_t i = 0; i < n; i++)
		printf("0x%08llx\t%s\n", (unsigned long long)syms[i].crc, syms[i].name);
	free(syms);
	kml_elf_free(elf);
	kml_file_free(file);
	return r;
}

/* ---------------------------------------------------------------- options */

/* MODPROBE_OPTIONS split like a shell would (quotes, backslashes), put
 * before the command line's arguments. */
static int prepend_env_options(int *argc, char ***argv, char **storage)
{
	const char *env = getenv("MODPROBE_OPTIONS");
	if (!env || !*env)
		return 0;
	char *buf = malloc(strlen(env) + 1);
	char **words = calloc(strlen(env) / 2 + 2 + (size_t)*argc, sizeof(*words));
	if (!buf || !words) {
		free(buf);
		free(words);
		return -ENOMEM;
	}
	size_t n = 0;
	words[n++] = (*argv)[0];
	char *out = buf;
	const char *p = env;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		words[n++] = out;
		char quote = 0;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else
					*out++ = *p;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				*out++ = *++p;
			} else if (*p == ' ' || *p == '\t' || *p == '\n') {
				break;
			} else {
				*out++ = *p;
			}
		}
		*out++ = '\0';
	}
	for (int i = 1; i < *argc; i++)
		words[n++] = (*argv)[i];
	words[n] = NULL;
	*argc = (int)n;
	*argv = words;
	storage[0] = buf;
	storage[1] = (char *)words;
	return 0;
}

/* Parameters after the module name, joined; a value with spaces quoted. */
static char *join_params(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	char *s = malloc(len);
	if (!s)
		return NULL;
	char *o = s;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i)
			*o++ = ' ';
		const char *eq = strchr(a, '=');
		if (eq && strpbrk(eq + 1, " \t") && eq[1] != '"') {
			size_t k = (size_t)(eq - a) + 1;
			memcpy(o, a, k);
			o += k;
			*o++ = '"';
			o = stpcpy(o, eq + 1);
			*o++ = '"';
		} else {
			o = stpcpy(o, a);
		}
	}
	*o = '\0';
	return s;
}


int modprobe_main(int argc, char *argv[])
{
	enum {
		OPT_REMOVE_HOLDERS = 256,
		OPT_FIRST_TIME,
		OPT_FORCE_VERMAGIC,
		OPT_FORCE_MODVERSION,
		OPT_MODVERSIONS,
		OPT_EXPORTS,
		OPT_JSON,
		OPT_CERT,
		OPT_KEYRING,
	};
	static const struct option longopts[] = {
		{ "all", no_argument, 0, 'a' },
		{ "remove", no_argument, 0, 'r' },
		{ "remove-dependencies", no_argument, 0, OPT_REMOVE_HOLDERS },
		{ "remove-holders", no_argument, 0, OPT_REMOVE_HOLDERS },
		{ "wait", required_argument, 0, 'w' },
		{ "resolve-alias", no_argument, 0, 'R' },
		{ "show-alias", no_argument, 0, 'R' },
		{ "first-time", no_argument, 0, OPT_FIRST_TIME },
		{ "ignore-install", no_argument, 0, 'i' },
		{ "ignore-remove", no_argument, 0, 'i' },
		{ "use-blacklist", no_argument, 0, 'b' },
		{ "force", no_argument, 0, 'f' },
		{ "force-vermagic", no_argument, 0, OPT_FORCE_VERMAGIC },
		{ "force-modversion", no_argument, 0, OPT_FORCE_MODVERSION },
		{ "show-depends", no_argument, 0, 'D' },
		{ "showconfig", no_argument, 0, 'c' },
		{ "show-config", no_argument, 0, 'c' },
		{ "show-modversions", no_argument, 0, OPT_MODVERSIONS },
		{ "dump-modversions", no_argument, 0, OPT_MODVERSIONS },
		{ "show-exports", no_argument, 0, OPT_EXPORTS },
		{ "cert", required_argument, 0, OPT_CERT },
		{ "keyring", required_argument, 0, OPT_KEYRING },
		{ "dry-run", no_argument, 0, 'n' },
		{ "show", no_argument, 0, 'n' },
		{ "config", required_argument, 0, 'C' },
		{ "dirname", required_argument, 0, 'd' },
		{ "set-version", required_argument, 0, 'S' },
		{ "syslog", no_argument, 0, 's' },
		{ "quiet", no_argument, 0, 'q' },
		{ "verbose", no_argument, 0, 'v' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ "json", no_argument, 0, OPT_JSON },
		{ 0, 0, 0, 0 },
	};
	struct modprobe mp = { .mode = MODE_INSERT };
	struct json_writer json_writer;
	bool json = false;
	char *env_storage[2] = { 0 };
	int ret = 1;
	if (prepend_env_options(&argc, &argv, env_storage) < 0)
		return 1;
	bool use_syslog = false;
	for (;;) {
		int c = getopt_long(argc, argv, "arw:RibfDcnC:d:S:sqvVh", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'a':
			mp.all = true;
			break;
		case 'r':
			mp.mode = MODE_REMOVE;
			break;
		case OPT_REMOVE_HOLDERS:
			mp.remove_holders = true;
			break;
		case 'w': {
			char *end;
			mp.wait_msec = strtol(optarg, &end, 10);
			if (*end || mp.wait_msec < 0) {
				tool_err("unexpected wait value '%s'.\n", optarg);
				goto out;
			}
			break;
		}
		case 'R':
			mp.mode = MODE_RESOLVE;
			break;
		case OPT_FIRST_TIME:
			mp.first_time = true;
			break;
		case 'i':
			mp.ignore_commands = true;
			break;
		case 'b':
			mp.use_blacklist = true;
			break;
		case 'f':
			mp.insert_flags |= KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC;
			mp.force_remove = true;
			break;
		case OPT_FORCE_VERMAGIC:
			mp.insert_flags |= KML_INSERT_FORCE_VERMAGIC;
			break;
		case OPT_FORCE_MODVERSION:
			mp.insert_flags |= KML_INSERT_FORCE_MODVERSION;
			break;
		case 'D':
			mp.show_depends = true;
			mp.dry_run = true;
			break;
		case 'c':
			mp.mode = MODE_SHOWCONFIG;
			break;
		case OPT_MODVERSIONS:
			mp.mode = MODE_MODVERSIONS;
			break;
		case OPT_EXPORTS:
			mp.mode = MODE_EXPORTS;
			break;
		case 'n':
			mp.dry_run = true;
			break;
		case 'C': {
			/* NULL-terminated for kml_config_load */
			if (ARRAY_GROW(mp.configs, mp.config_cap, mp.config_count + 2) < 0)
				goto out;
			mp.configs[mp.config_count++] = optarg;
			mp.configs[mp.config_count] = NULL;
			pass_on_add(&mp, "-C", optarg);
			break;
		}
		case 'd':
			mp.root = optarg;
			break;
		case 'S':
			mp.kver = optarg;
			break;
		case 's':
			use_syslog = true;
			pass_on_add(&mp, "-s", NULL);
			break;
		case 'q':
			mp.quiet = true;
			pass_on_add(&mp, "-q", NULL);
			break;
		case 'v':
			mp.verbose = true;
			pass_on_add(&mp, "-v", NULL);
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'V':
			tool_print_version();
			ret = 0;
			goto out;
		case OPT_CERT:
			if (tool_trust_add_cert(&mp.trust, optarg) < 0)
				goto out;
			pass_on_add(&mp, "--cert", optarg);
			break;
		case OPT_KEYRING:
			mp.trust.keyring_dir = optarg;
			pass_on_add(&mp, "--keyring", optarg);
			break;
		case 'h':
			help();
			ret = 0;
			goto out;
		default:
			goto out;
		}
	}
	tool_log_open(use_syslog);
	if (mp.mode == MODE_INSERT && tool_trust_load(&mp.trust) < 0)
		goto out;
	if (modprobe_check_nesting(&mp) < 0)
		goto out;
	mp.remove_flags = (mp.ignore_commands ? KML_PROBE_IGNORE_COMMANDS : 0) |
			  (mp.first_time ? KML_PROBE_FIRST_TIME : 0) |
			  (mp.remove_holders ? KML_PROBE_HOLDERS_FIRST : 0) |
			  (mp.wait_msec ? KML_PROBE_WAIT : 0);

	if (json && (!mp.show_depends || mp.mode != MODE_INSERT)) {
		tool_err(
			"--json is only for --show-depends (without -r, -R, -c or the symbol listings)\n");
		goto out;
	}
	if (mp.mode == MODE_MODVERSIONS || mp.mode == MODE_EXPORTS) {
		if (optind >= argc) {
			tool_err("missing filename\n");
			goto out;
		}
		ret = do_symbols(argv[optind], mp.mode == MODE_EXPORTS) < 0;
		goto out;
	}
	if (mp.mode != MODE_SHOWCONFIG && optind >= argc) {
		tool_err("missing parameters. See -h.\n");
		goto out;
	}
	if (json) /* begun before anything can fail, so that stdout is a document */
		modprobe_json_begin(&mp, &json_writer);

	if (kml_ctx_new(mp.root, mp.kver, &mp.ctx) < 0) {
		tool_err("could not create context\n");
		goto out;
	}
	kml_ctx_set_log(mp.ctx, tool_log_library, NULL, mp.verbose ? KML_LOG_INFO : KML_LOG_ERR);
	/* the kernel command line gives options and a blacklist: -R uses
	 * neither, and udev runs it hundreds of times at boot */
	char *cmdline = NULL;
	if (mp.mode != MODE_RESOLVE)
		(void)kml_kernel_read_cmdline(&cmdline);
	int r = kml_config_load(mp.ctx, mp.configs, cmdline, &mp.config);
	free(cmdline);
	if (r < 0) {
		tool_err("could not read the configuration: %s\n", strerror(-r));
		goto out;
	}

	ret = 0;
	if (mp.mode == MODE_SHOWCONFIG) {
		ret = do_showconfig(&mp) < 0;
	} else if (mp.all || mp.mode == MODE_REMOVE) {
		/* every argument is a module (with -r, also without -a) */
		for (int i = optind; i < argc; i++) {
			if (mp.mode == MODE_REMOVE)
				r = modprobe_remove(&mp, argv[i]);
			else if (mp.mode == MODE_RESOLVE)
				r = do_resolve(&mp, argv[i]);
			else
				r = modprobe_insert(&mp, argv[i], NULL);
			if (r < 0)
				ret = 1;
			if (!mp.all && mp.mode != MODE_REMOVE)
				break;
		}
	} else if (mp.mode == MODE_RESOLVE) {
		ret = do_resolve(&mp, argv[optind]) < 0;
	} else {
		char *params = join_params(argc - optind - 1, argv + optind + 1);
		ret = modprobe_insert(&mp, argv[optind], params) < 0;
		free(params);
	}
out:
	if (mp.json) {
		int jr = modprobe_json_end(&mp);
		if (jr < 0) {
			tool_err("could not write the JSON document: %s\n", strerror(-jr));
			ret = 1;
		}
	}
	tool_trust_release(&mp.trust);
	kml_config_free(mp.config);
	kml_ctx_free(mp.ctx);
	free(mp.configs);
	free(mp.pass_on);
	free(mp.command_env[0]);
	free(mp.command_env[1]);
	free(env_storage[0]);
	free(env_storage[1]);
	return ret;
}
