// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod verify: check modules' signatures against trusted certificates, as
 * the kernel would before loading them. The modules are checked on all
 * CPUs (a thread each, taking the next module as they finish); the verdicts
 * are printed in argument order.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"
#include "tool-verify.h"

/* Exit statuses; with several modules the lowest non-zero one wins. */
enum {
	EXIT_GOOD = 0,
	EXIT_ERROR = 1, /* usage, unreadable module or certificate, not found */
	EXIT_BAD_SIGNATURE = 2,
	EXIT_UNKNOWN_KEY = 3,
	EXIT_UNSIGNED = 4,
	EXIT_MALFORMED = 5,
	EXIT_UNSUPPORTED = 6, /* built without libcrypto, or it is missing */
};

#define MAX_JOBS 256

struct item {
	char *label; /* what is printed: the argument's path */
	char *path;
	int error; /* negative errno when the check could not be made */
	struct kml_verify_result res;
};

struct job {
	const struct tool_trust *trust;
	struct item *items;
	size_t count;
	size_t next; /* atomic */
};

static void *worker(void *data)
{
	struct job *job = data;
	for (;;) {
		size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (i >= job->count)
			return NULL;
		struct item *it = &job->items[i];
		it->error = tool_trust_verify_file(job->trust, it->path, &it->res, NULL);
	}
}

static void run_jobs(struct job *job, long jobs)
{
	pthread_t threads[MAX_JOBS];
	long started = 0;
	if ((size_t)jobs > job->count)
		jobs = (long)job->count;
	for (; started < jobs - 1; started++)
		if (pthread_create(&threads[started], NULL, worker, job) != 0)
			break;
	worker(job); /* this thread works too */
	for (long i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

struct items {
	struct item *v;
	size_t count, alloc;
};

static int add_item(struct items *items, const char *label, const char *path)
{
	if (items->count == items->alloc) {
		size_t n = items->alloc ? items->alloc * 2 : 64;
		struct item *v = realloc(items->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		items->v = v;
		items->alloc = n;
	}
	struct item *it = &items->v[items->count];
	memset(it, 0, sizeof(*it));
	it->label = strdup(label);
	it->path = strdup(path);
	if (!it->label || !it->path) {
		free(it->label);
		free(it->path);
		return -ENOMEM;
	}
	items->count++;
	return 0;
}

static bool is_module_path(const char *arg)
{
	struct stat st;
	return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

/* A path as it is, or a name looked up like modinfo does. */
static int add_argument(struct kml_ctx *ctx, struct items *items, const char *arg)
{
	if (strchr(arg, '/') || is_module_path(arg)) {
		if (!is_module_path(arg)) {
			tool_err("could not read '%s': %s\n", arg, strerror(ENOENT));
			return -ENOENT;
		}
		return add_item(items, arg, arg);
	}
	struct kml_module_list list = { 0 };
	int r = kml_lookup(ctx, arg, 0, &list);
	if (r < 0 || list.count == 0) {
		tool_err("Module %s not found.\n", arg);
		kml_module_list_release(&list);
		return -ENOENT;
	}
	for (size_t i = 0; i < list.count && r >= 0; i++) {
		const struct kml_module *m = &list.modules[i];
		if (m->builtin || !m->path) {
			tool_err("Module %s is built in: nothing to verify.\n", m->name);
			r = -ENOENT;
		} else {
			r = add_item(items, m->path, m->path);
		}
	}
	kml_module_list_release(&list);
	return r;
}

/* Every module of modules.dep.bin, in key order. */
static int add_one_indexed(void *data, const char *key, const struct kml_index_value *value)
{
	void **args = data;
	struct kml_ctx *ctx = args[0];
	struct items *items = args[1];
	const char *colon = strchr(value->value, ':');
	size_t len = colon ? (size_t)(colon - value->value) : strlen(value->value);
	char *path;
	if (value->value[0] == '/') {
		path = strndup(value->value, len);
	} else if (asprintf(&path, "%s/%.*s", kml_ctx_get_module_dir(ctx), (int)len,
			    value->value) < 0) {
		path = NULL;
	}
	if (!path)
		return -ENOMEM;
	int r = add_item(items, path, path);
	free(path);
	return r < 0 ? r : 0;
}

static int add_all(struct kml_ctx *ctx, struct items *items)
{
	const struct kml_index *dep = kml_ctx_index(ctx, KML_INDEX_DEP);
	if (!dep) {
		tool_err("could not open %s/modules.dep.bin\n", kml_ctx_get_module_dir(ctx));
		return -ENOENT;
	}
	void *args[2] = { ctx, items };
	return kml_index_foreach(dep, add_one_indexed, args);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, ", \"%s\": ", key);
	if (value)
		json_string(out, value);
	else
		fputs("null", out);
}

static void print_item(const struct item *it, bool json, bool first)
{
	const struct kml_verify_result *res = &it->res;
	if (json) {
		fputs(first ? "[\n  {\"module\": " : ",\n  {\"module\": ", stdout);
		json_string(stdout, it->label);
		json_field(stdout, "verdict", kml_verdict_name(res->verdict));
		json_field(stdout, "signer", res->signer);
		json_field(stdout, "key_id", res->key_id);
		json_field(stdout, "hash", res->hash_algo);
		json_field(stdout, "reason", res->reason);
		fputs("}", stdout);
		return;
	}
	printf("%s: %s", it->label, kml_verdict_name(res->verdict));
	if (res->signer)
		printf(", signer \"%s\", key %s, %s", res->signer, res->key_id, res->hash_algo);
	if (res->reason)
		printf(" (%s)", res->reason);
	putchar('\n');
}

static int verdict_status(enum kml_verdict v)
{
	switch (v) {
	case KML_VERDICT_GOOD:
		return EXIT_GOOD;
	case KML_VERDICT_BAD_SIGNATURE:
		return EXIT_BAD_SIGNATURE;
	case KML_VERDICT_UNKNOWN_KEY:
		return EXIT_UNKNOWN_KEY;
	case KML_VERDICT_UNSIGNED:
		return EXIT_UNSIGNED;
	case KML_VERDICT_MALFORMED:
		return EXIT_MALFORMED;
	}
	return EXIT_ERROR;
}

static int worse(int a, int b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

static void help(void)
{
	printf("Usage: %1$s verify [options] MODULE...\n"
	       "       %1$s verify [options] --all\n"
	       "Check each module's appended signature as the kernel would, against the\n"
	       "certificates given; MODULE is a file or a module name. One verdict per\n"
	       "module: good, bad signature, unknown key, unsigned or malformed.\n"
	       "\n"
	       "Options:\n"
	       "\t-c, --cert=FILE             trust the certificates in FILE (PEM or DER; may\n"
	       "\t                            be given more than once)\n"
	       "\t-K, --keyring=DIR           trust the certificates of every file in DIR\n"
	       "\t-a, --all                   check every module listed in modules.dep\n"
	       "\t-j, --jobs=N                use N threads (default: one per CPU)\n"
	       "\t    --json                  write the verdicts as JSON (see kmod(8))\n"
	       "\t-q, --quiet                 print only the modules that are not good\n"
	       "\t-b, --basedir=DIR           look for /lib/modules under DIR\n"
	       "\t-k, --set-version=VERSION   use /lib/modules/VERSION, not the running kernel's\n"
	       "\t-V, --version               print the version and the optional features, then exit\n"
	       "\t-h, --help                  print this text, then exit\n",
	       "kmod");
}

int verify_main(int argc, char *argv[])
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{ "cert", required_argument, 0, 'c' },
		{ "keyring", required_argument, 0, 'K' },
		{ "all", no_argument, 0, 'a' },
		{ "jobs", required_argument, 0, 'j' },
		{ "json", no_argument, 0, OPT_JSON },
		{ "quiet", no_argument, 0, 'q' },
		{ "basedir", required_argument, 0, 'b' },
		{ "set-version", required_argument, 0, 'k' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tool_trust trust = { 0 };
	const char *root = NULL, *kver = NULL;
	bool all = false, json = false, quiet = false;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int c, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "c:K:aj:qb:k:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (tool_trust_add_cert(&trust, optarg) < 0)
				goto out;
			break;
		case 'K':
			trust.keyring_dir = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'j': {
			char *end;
			jobs = strtol(optarg, &end, 10);
			if (*end || end == optarg || jobs < 1 || jobs > MAX_JOBS) {
				tool_err("invalid number of jobs '%s' (1-%d)\n", optarg, MAX_JOBS);
				goto out;
			}
			break;
		}
		case OPT_JSON:
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'b':
			root = optarg;
			break;
		case 'k':
			kver = optarg;
			break;
		case 'V':
			tool_print_version();
			status = 0;
			goto out;
		case 'h':
			help();
			status = 0;
			goto out;
		default:
			goto out;
		}
	}
	if (jobs < 1)
		jobs = 1;
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if (optind >= argc && !all) {
		tool_err("missing module or filename.\n");
		goto out;
	}
	if (!tool_trust_wanted(&trust)) {
		tool_err("no certificate given: use --cert FILE or --keyring DIR\n");
		goto out;
	}
	int r = tool_trust_load(&trust);
	if (r < 0) {
		status = r == -ENOTSUP ? EXIT_UNSUPPORTED : EXIT_ERROR;
		goto out;
	}

	struct kml_ctx *ctx = NULL;
	if (kml_ctx_new(root, kver, &ctx) < 0) {
		tool_err("kmod_new() failed!\n");
		goto out;
	}
	kml_ctx_set_log(ctx, tool_log_library, NULL, KML_LOG_ERR);
	struct items items = { 0 };
	int arg_status = EXIT_GOOD;
	if (all && add_all(ctx, &items) < 0)
		arg_status = EXIT_ERROR;
	for (int i = optind; i < argc; i++)
		if (add_argument(ctx, &items, argv[i]) < 0)
			arg_status = EXIT_ERROR;

	struct job job = { .trust = &trust, .items = items.v, .count = items.count };
	run_jobs(&job, jobs);

	status = arg_status;
	bool first = true;
	for (size_t i = 0; i < items.count; i++) {
		struct item *it = &items.v[i];
		if (it->error < 0) {
			tool_err("could not verify '%s': %s\n", it->path, strerror(-it->error));
			status = it->error == -ENOTSUP ? worse(status, EXIT_UNSUPPORTED)
						       : worse(status, EXIT_ERROR);
		} else {
			int s = verdict_status(it->res.verdict);
			status = worse(status, s);
			if (!quiet || s != EXIT_GOOD) {
				print_item(it, json, first);
				first = false;
			}
		}
		kml_verify_result_clear(&it->res);
		free(it->label);
		free(it->path);
	}
	if (json)
		fputs(first ? "[]\n" : "\n]\n", stdout);
	free(items.v);
	kml_ctx_free(ctx);
out:
	tool_trust_release(&trust);
	return status;
}
