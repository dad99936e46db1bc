// SPDX-License-Identifier: GPL-2.0-or-later
/* modinfo: show the information stored in kernel modules. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "json.h"
#include "kmodlite-private.h"
#include "tool.h"

/* Version of the --json layout (modinfo.8): raised when a member changes
 * meaning or goes away, not when one is added. */
#define MODINFO_JSON_SCHEMA 1

struct modinfo_opts {
	const char *field; /* -F: print only this field's values */
	char separator;	   /* '\n', or '\0' with -0 */
	bool name_only;	   /* -m: the argument is a module name */
	struct json_writer *json; /* --json: one object per module, no text */
	const char *argument;	  /* the argument being shown (--json) */
};

/* One module parameter gathered from the parm= and parmtype= entries. */
struct param {
	const char *name;
	size_t name_len;
	const char *desc; /* NULL when there was no parm= entry */
	const char *type; /* NULL when there was no parmtype= entry */
};

struct params {
	struct param *items;
	size_t count, cap;
};

static bool key_is(const struct kml_modinfo_entry *e, const char *key)
{
	return e->key_len == strlen(key) && memcmp(e->key, key, e->key_len) == 0;
}

/* "NAME:REST" of a parm/parmtype entry goes into the matching param. */
static int params_add(struct params *ps, const char *value, bool is_type)
{
	const char *colon = strchr(value, ':');
	if (!colon)
		return 0; /* not a parameter description; ignored like the reference */
	size_t name_len = (size_t)(colon - value);
	struct param *p = NULL;
	for (size_t i = 0; i < ps->count; i++)
		if (ps->items[i].name_len == name_len &&
		    memcmp(ps->items[i].name, value, name_len) == 0)
			p = &ps->items[i];
	if (!p) {
		if (ARRAY_GROW(ps->items, ps->cap, ps->count + 1) < 0)
			return -ENOMEM;
		p = &ps->items[ps->count++];
		*p = (struct param){ .name = value, .name_len = name_len };
	}
	if (is_type)
		p->type = colon + 1;
	else
		p->desc = colon + 1;
	return 0;
}

/* "NAME:DESC (TYPE)": the -p / -F parm record, an empty DESC kept. */
static char *param_record(const struct param *p)
{
	char *s = NULL;
	if (asprintf(&s, "%.*s:%s%s%s%s", (int)p->name_len, p->name, p->desc ? p->desc : "",
		     p->type ? " (" : "", p->type ? p->type : "", p->type ? ")" : "") < 0)
		return NULL;
	return s;
}

static void print_param(const struct param *p, const struct modinfo_opts *o)
{
	if (o->json) { /* -F parm: the record as a value */
		char *record = param_record(p);
		json_string(o->json, record);
		free(record);
		return;
	}
	if (o->field) {
		/* -p / -F parm: "NAME:DESC (TYPE)", an empty DESC kept */
		printf("%.*s:%s", (int)p->name_len, p->name, p->desc ? p->desc : "");
		if (p->type)
			printf(" (%s)", p->type);
	} else if (p->desc) {
		printf("%-16s%.*s:%s", "parm:", (int)p->name_len, p->name, p->desc);
		if (p->type)
			printf(" (%s)", p->type);
	} else {
		/* full listing of a parameter without description: "NAME:TYPE",
		 * as the reference prints it */
		printf("%-16s%.*s:%s", "parm:", (int)p->name_len, p->name, p->type ? p->type : "");
	}
	putchar(o->separator);
}

/* Upper-case hex bytes joined by ':', 20 per line, continuation lines
 * indented by two tabs: the reference's layout. */
static void print_hex(const uint8_t *bytes, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char line[20 * 3 + 3];
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		if (i > 0) {
			line[n++] = '\n';
			line[n++] = '\t';
			line[n++] = '\t';
		}
		for (size_t end = i + 20 < len ? i + 20 : len; i < end; i++) {
			line[n++] = digits[bytes[i] >> 4];
			line[n++] = digits[bytes[i] & 15];
			if (i + 1 < len)
				line[n++] = ':';
		}
		fwrite(line, 1, n, stdout);
	}
}

/* The same bytes as print_hex() in one string ("AB:CD:..."), without the
 * line breaks; NULL when out of memory. */
static char *hex_string(const uint8_t *bytes, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s = malloc(len * 3 + 1), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (i)
			*p++ = ':';
		*p++ = digits[bytes[i] >> 4];
		*p++ = digits[bytes[i] & 15];
	}
	*p = '\0';
	return s;
}

static void print_key(const char *key, const struct modinfo_opts *o)
{
	if (o->separator == '\0')
		printf("%s=", key);
	else
		printf("%s:%-*s", key, (int)(15 - strlen(key)), "");
}

static bool wants(const struct modinfo_opts *o, const char *key)
{
	return !o->field || strcmp(o->field, key) == 0;
}

static void print_string_field(const char *key, const char *value, const struct modinfo_opts *o)
{
	if (!wants(o, key))
		return;
	if (o->json) { /* -F KEY: the value alone */
		json_string(o->json, value);
		return;
	}
	if (!o->field)
		print_key(key, o);
	fputs(value, stdout);
	putchar(o->separator);
}

static void print_hex_field(const char *key, const uint8_t *bytes, size_t len,
			    const struct modinfo_opts *o)
{
	if (!wants(o, key))
		return;
	if (o->json) { /* -F KEY: the value alone, without line breaks */
		char *hex = hex_string(bytes, len);
		json_string(o->json, hex);
		free(hex);
		return;
	}
	if (!o->field)
		print_key(key, o);
	print_hex(bytes, len);
	putchar(o->separator);
}

/* The entries, in file order, with parameters gathered for the end. */
static int print_entries(const struct kml_modinfo_entry *entries, size_t count,
			 const struct modinfo_opts *o, struct params *ps)
{
	for (size_t i = 0; i < count; i++) {
		const struct kml_modinfo_entry *e = &entries[i];
		bool is_parm = key_is(e, "parm"), is_type = key_is(e, "parmtype");
		if (is_parm || is_type) {
			if (params_add(ps, e->value, is_type) < 0)
				return -ENOMEM;
			continue;
		}
		if (o->field) {
			if (strlen(o->field) == e->key_len && memcmp(o->field, e->key, e->key_len) == 0) {
				if (o->json) {
					json_string(o->json, e->value);
					continue;
				}
				fputs(e->value, stdout);
				putchar(o->separator);
			}
			continue;
		}
		if (o->separator == '\0')
			printf("%.*s=%s", (int)e->key_len, e->key, e->value);
		else
			printf("%.*s:%-*s%s", (int)e->key_len, e->key, (int)(15 - e->key_len), "",
			       e->value);
		putchar(o->separator);
	}
	return 0;
}

static void print_params(const struct params *ps, const struct modinfo_opts *o)
{
	if (!wants(o, "parm"))
		return;
	/* newest first: the reference lists parameters in reverse order of appearance */
	for (size_t i = ps->count; i-- > 0;)
		print_param(&ps->items[i], o);
}

static bool wants_signature(const struct modinfo_opts *o)
{
	static const char *const fields[] = { "sig_id", "signer", "sig_key", "sig_hashalgo",
					      "signature" };
	if (!o->field)
		return true;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(o->field, fields[i]) == 0)
			return true;
	return false;
}

static void print_signature(const void *data, size_t size, const struct modinfo_opts *o)
{
	struct kml_signature *sig = NULL;
	/* parsing PKCS#7 loads libcrypto: only when a signature field is wanted */
	if (!wants_signature(o))
		return;
	if (kml_signature_parse(data, size, &sig) < 0 || !sig)
		return;
	print_string_field("sig_id", sig->id_type, o);
	if (sig->signer)
		print_string_field("signer", sig->signer, o);
	if (sig->key_id_len)
		print_hex_field("sig_key", sig->key_id, sig->key_id_len, o);
	if (sig->hash_algo)
		print_string_field("sig_hashalgo", sig->hash_algo, o);
	if (sig->signature_len)
		print_hex_field("signature", sig->signature, sig->signature_len, o);
	kml_signature_free(sig);
}

static const char *error_text(int err)
{
	return strerror(-err);
}

/* ------------------------------------------------------------ --json */

/* The members every module object starts with; the object stays open. */
static void json_module_begin(const struct kml_module *m, const char *filename,
			      const struct modinfo_opts *o)
{
	struct json_writer *w = o->json;
	json_begin_object(w);
	json_member_string(w, "argument", o->argument);
	json_member_string(w, "name", m->name);
	json_member_string(w, "filename", filename);
	json_member_bool(w, "builtin", m->builtin);
	if (o->field) {
		json_member_string(w, "field", o->field);
		json_key(w, "values");
		json_begin_array(w);
	}
}

/* Ends the object, with the reason when the module could not be read. */
static void json_module_end(int err, const struct modinfo_opts *o)
{
	if (o->field)
		json_end_array(o->json);
	if (err < 0)
		json_member_string(o->json, "error", error_text(err));
	json_end_object(o->json);
}

static void json_member_hex(struct json_writer *w, const char *key, const uint8_t *bytes,
			    size_t len)
{
	char *hex = hex_string(bytes, len);
	json_key(w, key);
	if (hex)
		json_string(w, hex);
	else
		json_null(w);
	free(hex);
}

/* "signature": the records the text form prints after the entries, under
 * their text names, null where the text has no line; null when unsigned. */
static void json_signature(struct json_writer *w, const void *data, size_t size)
{
	struct kml_signature *sig = NULL;
	json_key(w, "signature");
	if (!data || kml_signature_parse(data, size, &sig) < 0 || !sig) {
		json_null(w);
		return;
	}
	json_begin_object(w);
	json_member_string(w, "sig_id", sig->id_type);
	json_member_string(w, "signer", sig->signer);
	if (sig->key_id_len)
		json_member_hex(w, "sig_key", sig->key_id, sig->key_id_len);
	else
		json_member_string(w, "sig_key", NULL);
	json_member_string(w, "sig_hashalgo", sig->hash_algo);
	if (sig->signature_len)
		json_member_hex(w, "signature", sig->signature, sig->signature_len);
	else
		json_member_string(w, "signature", NULL);
	json_end_object(w);
	kml_signature_free(sig);
}

/* The full object's facts: every entry in file order, the build-id, the
 * signature and the parameters as the text form lists them. */
static int json_module_facts(const struct kml_modinfo_entry *entries, size_t count,
			     const struct kml_elf *elf, const void *data, size_t size,
			     const struct modinfo_opts *o)
{
	struct json_writer *w = o->json;
	struct params ps = { 0 };
	int r = 0;
	json_key(w, "fields");
	json_begin_array(w);
	for (size_t i = 0; i < count; i++) {
		const struct kml_modinfo_entry *e = &entries[i];
		json_begin_object(w);
		json_key(w, "key");
		json_string_len(w, e->key, e->key_len);
		json_member_string(w, "value", e->value);
		json_end_object(w);
		bool is_parm = key_is(e, "parm"), is_type = key_is(e, "parmtype");
		if ((is_parm || is_type) && r == 0)
			r = params_add(&ps, e->value, is_type);
	}
	json_end_array(w);
	const uint8_t *id;
	size_t id_len;
	if (elf && kml_elf_get_build_id(elf, &id, &id_len) == 0)
		json_member_hex(w, "build_id", id, id_len);
	else
		json_member_string(w, "build_id", NULL);
	json_signature(w, data, size);
	json_key(w, "parameters");
	json_begin_array(w);
	for (size_t i = ps.count; i-- > 0;) {
		const struct param *p = &ps.items[i];
		json_begin_object(w);
		json_key(w, "name");
		json_string_len(w, p->name, p->name_len);
		json_member_string(w, "type", p->type);
		json_member_string(w, "description", p->desc);
		json_end_object(w);
	}
	json_end_array(w);
	free(ps.items);
	return r;
}

/* ------------------------------------------------------------ modules */

static int show_module_file(const struct kml_module *m, const struct modinfo_opts *o)
{
	/* the path needs no reading of the file (dracut asks for it often) */
	if (o->field && strcmp(o->field, "filename") == 0) {
		if (o->json) {
			json_module_begin(m, m->path, o);
			json_string(o->json, m->path);
			json_module_end(0, o);
		} else {
			printf("%s%c", m->path, o->separator);
		}
		return 0;
	}
	/* printed before the file is read, so also for a file that cannot be
	 * (as the reference does) */
	if (o->json)
		json_module_begin(m, m->path, o);
	else if (!o->field)
		printf("%-16s%s%c", "filename:", m->path, o->separator);
	struct kml_file *file = NULL;
	struct kml_elf *elf = NULL;
	struct kml_modinfo_entry *entries = NULL;
	size_t count = 0;
	int r = kml_file_open(m->path, &file);
	if (r == 0)
		r = kml_elf_new(kml_file_data(file), kml_file_size(file), &elf);
	if (r == 0)
		r = kml_elf_get_modinfo(elf, &entries, &count);
	if (r < 0) {
		tool_err("could not get modinfo from '%s': %s\n", m->name, error_text(r));
		if (o->json)
			json_module_end(r, o);
		kml_elf_free(elf);
		kml_file_free(file);
		return r;
	}

	if (o->json && !o->field) {
		r = json_module_facts(entries, count, elf, kml_file_data(file), kml_file_size(file),
				      o);
	} else {
		struct params ps = { 0 };
		r = print_entries(entries, count, o, &ps);
		const uint8_t *id;
		size_t id_len;
		if (r == 0 && wants(o, "build-id") && kml_elf_get_build_id(elf, &id, &id_len) == 0)
			print_hex_field("build-id", id, id_len, o);
		if (r == 0)
			print_signature(kml_file_data(file), kml_file_size(file), o);
		if (r == 0)
			print_params(&ps, o);
		free(ps.items);
	}
	if (o->json)
		json_module_end(r, o);
	free(entries);
	kml_elf_free(elf);
	kml_file_free(file);
	return r;
}

static int show_builtin(struct kml_ctx *ctx, const struct kml_module *m,
			const struct modinfo_opts *o)
{
	struct kml_modinfo_entry *entries = NULL;
	size_t count = 0;
	char *buf = NULL;
	int r = kml_builtin_get_modinfo(ctx, m->name, &entries, &count, &buf);
	if (r == -ENOENT) {
		/* listed in modules.builtin but without records: name only */
		entries = NULL;
		count = 0;
		r = 0;
	} else if (r < 0) {
		tool_err("could not get modinfo from '%s': %s\n", m->name, error_text(r));
		return r;
	}
	if (o->json)
		json_module_begin(m, "(builtin)", o);
	if (o->field && strcmp(o->field, "filename") == 0) {
		if (o->json)
			json_string(o->json, "(builtin)");
		else
			printf("(builtin)%c", o->separator);
	} else if (o->json && !o->field) {
		r = json_module_facts(entries, count, NULL, NULL, 0, o);
	} else {
		if (!o->field) {
			printf("%-16s%s%c", "name:", m->name, o->separator);
			printf("%-16s%s%c", "filename:", "(builtin)", o->separator);
		}
		struct params ps = { 0 };
		r = print_entries(entries, count, o, &ps);
		if (r == 0)
			print_params(&ps, o);
		free(ps.items);
	}
	if (o->json)
		json_module_end(r, o);
	free(entries);
	free(buf);
	return r;
}

static int show_list(struct kml_ctx *ctx, const struct kml_module_list *list,
		     const struct modinfo_opts *o)
{
	int ret = 0;
	for (size_t i = 0; i < list->count; i++) {
		const struct kml_module *m = &list->modules[i];
		int r;
		if (m->builtin) {
			r = show_builtin(ctx, m, o);
		} else if (!m->path) {
			tool_err("could not get modinfo from '%s': %s\n", m->name,
				 error_text(-ENOENT));
			r = -ENOENT;
		} else {
			r = show_module_file(m, o);
		}
		if (r < 0)
			ret = r;
	}
	return ret;
}

/* A path is an argument naming a regular file with a module's extension. */
static bool is_module_path(const char *arg)
{
	struct stat st;
	return stat(arg, &st) == 0 && S_ISREG(st.st_mode) && kml_module_ext_len(arg) > 0;
}

static int show_argument(struct kml_ctx *ctx, const char *arg, const struct modinfo_opts *opts)
{
	struct modinfo_opts arg_opts = *opts;
	const struct modinfo_opts *o = &arg_opts;
	arg_opts.argument = arg;
	struct kml_module_list list = { 0 };
	int r;
	if (!o->name_only && is_module_path(arg)) {
		r = kml_module_from_path(arg, &list);
	} else {
		r = kml_lookup(ctx, arg, o->name_only ? KML_LOOKUP_NAME_ONLY : 0, &list);
		if (r < 0) {
			tool_err("Module alias %s not found.\n", arg);
			return r;
		}
	}
	if (r < 0) {
		tool_err("could not get modinfo from '%s': %s\n", arg, error_text(r));
		return r;
	}
	if (list.count == 0) {
		tool_err("Module %s not found.\n", arg);
		return -ENOENT;
	}
	r = show_list(ctx, &list, o);
	kml_module_list_release(&list);
	return r;
}

static void help(void)
{
	printf("Usage: %s [options] MODULE...\n"
	       "Print what kernel modules record about themselves: license, description,\n"
	       "aliases, dependencies, parameters, signature and more. MODULE is a module\n"
	       "file (a path ending in .ko, .ko.gz, .ko.xz or .ko.zst), a module name or an\n"
	       "alias, looked up in the module directory.\n"
	       "\n"
	       "What to print:\n"
	       "\t-F, --field=FIELD           only the values of FIELD, one per line\n"
	       "\t-a, --author                the same as -F author\n"
	       "\t-d, --description           the same as -F description\n"
	       "\t-l, --license               the same as -F license\n"
	       "\t-p, --parameters            the same as -F parm\n"
	       "\t-n, --filename              the same as -F filename\n"
	       "\t-0, --null                  end every value with a NUL byte, not a newline\n"
	       "\t    --json                  write one JSON document instead (see modinfo(8))\n"
	       "\n"
	       "Where to find MODULE:\n"
	       "\t-m, --modname               take MODULE as a module name, never a path or alias\n"
	       "\t-k, --set-version=VERSION   use /lib/modules/VERSION, not the running kernel's\n"
	       "\t-b, --basedir=DIR           look for /lib/modules under DIR\n"
	       "\n"
	       "\t-V, --version               print the version and the optional features, then exit\n"
	       "\t-h, --help                  print this text, then exit\n",
	       program_name);
}

int modinfo_main(int argc, char *argv[])
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{ "author", no_argument, 0, 'a' },
		{ "description", no_argument, 0, 'd' },
		{ "license", no_argument, 0, 'l' },
		{ "parameters", no_argument, 0, 'p' },
		{ "filename", no_argument, 0, 'n' },
		{ "null", no_argument, 0, '0' },
		{ "modname", no_argument, 0, 'm' },
		{ "field", required_argument, 0, 'F' },
		{ "set-version", required_argument, 0, 'k' },
		{ "basedir", required_argument, 0, 'b' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ "json", no_argument, 0, OPT_JSON },
		{ 0, 0, 0, 0 },
	};
	struct modinfo_opts o = { .separator = '\n' };
	bool json = false;
	const char *kver = NULL, *root = NULL;
	for (;;) {
		int c = getopt_long(argc, argv, "adlpn0mF:k:b:Vh", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'a':
			o.field = "author";
			break;
		case 'd':
			o.field = "description";
			break;
		case 'l':
			o.field = "license";
			break;
		case 'p':
			o.field = "parm";
			break;
		case 'n':
			o.field = "filename";
			break;
		case '0':
			o.separator = '\0';
			break;
		case 'm':
			o.name_only = true;
			break;
		case 'F':
			o.field = optarg;
			break;
		case 'k':
			kver = optarg;
			break;
		case 'b':
			root = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'V':
			tool_print_version();
			return 0;
		case 'h':
			help();
			return 0;
		default:
			return 1;
		}
	}
	if (optind >= argc) {
		tool_err("missing module or filename.\n");
		return 1;
	}

	/* from here on stdout is a complete document whatever fails */
	struct json_writer w;
	if (json) {
		json_init(&w, stdout, true);
		json_begin_object(&w);
		json_member_int(&w, "schema", MODINFO_JSON_SCHEMA);
		json_key(&w, "modules");
		json_begin_array(&w);
		o.json = &w;
	}
	int ret = 0;
	struct kml_ctx *ctx = NULL;
	int r = kml_ctx_new(root, kver, &ctx);
	if (r < 0) {
		tool_err("kmod_new() failed!\n");
		ret = 1;
	} else {
		kml_ctx_set_log(ctx, tool_log_library, NULL, KML_LOG_ERR);
		for (int i = optind; i < argc; i++)
			if (show_argument(ctx, argv[i], &o) < 0)
				ret = 1;
	}
	if (json) {
		json_end_array(&w);
		json_end_object(&w);
		r = json_finish(&w);
		if (r < 0) {
			tool_err("could not write the JSON document: %s\n", strerror(-r));
			ret = 1;
		}
	}
	kml_ctx_free(ctx);
	return ret;
}
