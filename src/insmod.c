// SPDX-License-Identifier: GPL-2.0-or-later
/* insmod: insert one module file into the kernel, nothing more. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodlite-private.h"
#include "tool-verify.h"

static void help(void)
{
	printf("Usage: %s [options] FILE [PARAM=VALUE...]\n"
	       "Insert the module in FILE into the kernel with the parameters given, and\n"
	       "nothing else: no lookup by name, no dependencies, no configuration\n"
	       "(modprobe does all that).\n"
	       "\n"
	       "Options:\n"
	       "\t-f, --force                 insert even if versions do not match: both of\n"
	       "\t                            the next two options at once\n"
	       "\t    --force-modversion      ignore the symbol versions (CRCs) of the module\n"
	       "\t    --force-vermagic        ignore the version magic string of the module\n"
	       "\t    --cert=FILE             insert only a module signed by a certificate in FILE\n"
	       "\t                            (PEM or DER; may be given more than once)\n"
	       "\t    --keyring=DIR           the same, with the certificates of every file in DIR\n"
	       "\t-s, --syslog                send messages to syslog instead of stderr\n"
	       "\t-v, --verbose               accepted; prints nothing more\n"
	       "\t-V, --version               print the version and the optional features, then exit\n"
	       "\t-h, --help                  print this text, then exit\n",
	       program_name);
}

/* The kernel's answer in the reference's words. */
static const char *insert_error(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "Invalid module format";
	case -ENOENT:
		return "Unknown symbol in module";
	case -ESRCH:
		return "Module has wrong symbol version";
	case -EINVAL:
		return "Invalid parameters";
	default:
		return strerror(-err);
	}
}

int insmod_main(int argc, char *argv[])
{
	enum { OPT_FORCE_MODVERSION = 256, OPT_FORCE_VERMAGIC, OPT_CERT, OPT_KEYRING };
	static const struct option longopts[] = {
		{ "force", no_argument, 0, 'f' },
		{ "force-modversion", no_argument, 0, OPT_FORCE_MODVERSION },
		{ "force-vermagic", no_argument, 0, OPT_FORCE_VERMAGIC },
		{ "cert", required_argument, 0, OPT_CERT },
		{ "keyring", required_argument, 0, OPT_KEYRING },
		{ "syslog", no_argument, 0, 's' },
		{ "verbose", no_argument, 0, 'v' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	unsigned int flags = 0;
	bool use_syslog = false;
	struct tool_trust trust = { 0 };
	int ret = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "fsvVhp", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'f':
			flags |= KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC;
			break;
		case OPT_FORCE_MODVERSION:
			flags |= KML_INSERT_FORCE_MODVERSION;
			break;
		case OPT_FORCE_VERMAGIC:
			flags |= KML_INSERT_FORCE_VERMAGIC;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'v':
			/* accepted; the reference prints nothing more either */
			break;
		case 'p':
			/* accepted and ignored, as the reference does */
			break;
		case OPT_CERT:
			if (tool_trust_add_cert(&trust, optarg) < 0)
				goto out;
			break;
		case OPT_KEYRING:
			trust.keyring_dir = optarg;
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
	tool_log_open(use_syslog);
	if (optind >= argc) {
		tool_err("missing filename.\n");
		goto out;
	}
	if (tool_trust_load(&trust) < 0)
		goto out;
	const char *file = argv[optind];
	/* parameters joined by spaces, as given */
	size_t len = 1;
	for (int i = optind + 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *params = calloc(1, len);
	if (!params)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			strcat(params, " ");
		strcat(params, argv[i]);
	}

	/* a file that cannot be opened is not the kernel's business */
	FILE *f = fopen(file, "r");
	if (!f) {
		tool_err("could not load module %s: %s\n", file, strerror(errno));
		free(params);
		goto out;
	}
	fclose(f);
	int r = 0;
	struct kml_file *verified = NULL;
	if (trust.keyring) {
		char name[256];
		if (kml_module_name_from_path(file, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "%s", file);
		r = tool_trust_check(&trust, name, file, &verified);
	}
	if (r == 0) {
		/* the bytes that were verified, not the file read again */
		r = verified ? kml_kernel_insert_image(kml_file_data(verified),
						       kml_file_size(verified), params, flags)
			     : kml_kernel_insert(file, params, flags);
		if (r < 0)
			tool_err("could not insert module %s: %s\n", file, insert_error(r));
	}
	kml_file_free(verified);
	free(params);
	ret = r < 0 ? 1 : 0;
out:
	tool_trust_release(&trust);
	return ret;
}
