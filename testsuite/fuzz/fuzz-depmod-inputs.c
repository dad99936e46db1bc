// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text files depmod reads besides the modules, through a whole depmod
 * run (depmod.c and its stages, a dry run: outputs built in memory, their
 * text written to /dev/null) on a small fixed tree. Input, parts separated
 * by 0xff:
 *   0  modules.order
 *   1  modules.builtin
 *   2  modules.builtin.modinfo  ("name.key=value" records, NUL-separated)
 *   3  the .modinfo section of one module of the tree (alias=, softdep=,
 *      weakdep=, devname:, ...: what depmod turns into its outputs)
 *   4  a depmod.d file; "@EXT@" stands for the tree's external directory
 *      (other external directories are not scanned: no walking the disk)
 *   5  System.map (depmod -F, when not empty)
 *   6  Module.symvers (depmod -E, when not empty)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf-writer.h"
#include "fuzz.h"

#define KVER "0.0.0-fuzz"
#define MODDIR "root/lib/modules/" KVER

enum { P_ORDER, P_BUILTIN, P_BUILTIN_MODINFO, P_MODINFO, P_CONFIG, P_SYSTEM_MAP, P_SYMVERS,
       P_COUNT };

struct fixed_module {
	const char *relpath;
	const char *exports[2];
	const char *imports[3];
	const char *modinfo[3];
};

/* Inside MODDIR, except "ext/" (the external directory, beside root/). */
static const struct fixed_module tree[] = {
	{ "kernel/fs/jbd2/jbd2.ko", { "jbd2_journal_start" }, { "crc16" }, { "license=GPL" } },
	{ "kernel/fs/ext4/ext4.ko", { "ext4_sym" }, { "jbd2_journal_start", "crc16", "missing_sym" },
	  { "alias=fs-ext4", "softdep=pre: crc32c", "weakdep=mbcache" } },
	{ "kernel/lib/crc16.ko", { "crc16" }, { 0 }, { "license=GPL" } },
	{ "kernel/drivers/net/dummy.ko", { 0 }, { "crc16" }, { "alias=rtnl-link-dummy" } },
	{ "updates/dummy.ko", { 0 }, { 0 }, { "alias=rtnl-link-dummy" } },
	{ "extra/crc16.ko", { "crc16" }, { 0 }, { 0 } },
	{ "build/ignored.ko", { 0 }, { 0 }, { 0 } },
	{ "ext/sctp.ko", { "sctp_sym" }, { "crc16", "ext4_sym" }, { "alias=net-pf-10-proto-132" } },
};

static struct elfw *module_writer(const struct fixed_module *m)
{
	struct elfw *w = elfw_new(64, false, ELFW_EM_X86_64);
	if (!w)
		abort();
	for (size_t i = 0; i < 2 && m->exports[i]; i++)
		elfw_add_export(w, m->exports[i], ELFW_EXPORT_CRC, 0x1000 + (uint32_t)i, false);
	for (size_t i = 0; i < 3 && m->imports[i]; i++)
		elfw_add_import(w, m->imports[i], i == 2);
	size_t n = 0;
	while (n < 3 && m->modinfo[n])
		n++;
	if (n)
		elfw_add_modinfo(w, m->modinfo, n, 0);
	elfw_force_symtab(w);
	return w;
}

static void write_elf(struct elfw *w, const char *name)
{
	uint8_t *buf;
	size_t size;
	if (elfw_build(w, &buf, &size) < 0)
		abort();
	fuzz_write(name, buf, size);
	free(buf);
	elfw_free(w);
}

static FILE *dev_null;

static void setup(void)
{
	char name[256];
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		if (strncmp(tree[i].relpath, "ext/", 4) == 0)
			snprintf(name, sizeof(name), "%s", tree[i].relpath);
		else
			snprintf(name, sizeof(name), MODDIR "/%s", tree[i].relpath);
		write_elf(module_writer(&tree[i]), name);
	}
	dev_null = fopen("/dev/null", "w");
	if (!dev_null)
		abort();
}

/* The depmod.d text with @EXT@ replaced by the external directory. */
static char *config_text(const struct fuzz_part *p)
{
	const char *ext = fuzz_path("ext");
	size_t el = strlen(ext);
	char *out = malloc(p->size * (el + 1) / 5 + p->size + 1);
	size_t n = 0;
	if (!out)
		abort();
	for (size_t i = 0; i < p->size;) {
		if (p->size - i >= 5 && memcmp(p->data + i, "@EXT@", 5) == 0) {
			memcpy(out + n, ext, el);
			n += el;
			i += 5;
		} else {
			out[n++] = (char)p->data[i++];
		}
	}
	out[n] = '\0';
	return out;
}

/* Only external directories inside the tree are scanned. */
static bool externals_ok(struct kml_ctx *ctx, const char *conf)
{
	const char *const paths[] = { conf, NULL };
	struct kml_depmod_config *config;
	if (kml_depmod_config_load(ctx, paths, KVER, &config) < 0)
		return false;
	const char *ext = fuzz_path("ext");
	size_t n;
	const char *const *dirs = kml_depmod_config_external(config, &n);
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		ok = strncmp(dirs[i], ext, strlen(ext)) == 0 && !strstr(dirs[i], "..");
	kml_depmod_config_free(config);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	struct fuzz_part parts[P_COUNT];
	fuzz_split(data, size, parts, P_COUNT);

	fuzz_write(MODDIR "/modules.order", parts[P_ORDER].data, parts[P_ORDER].size);
	fuzz_write(MODDIR "/modules.builtin", parts[P_BUILTIN].data, parts[P_BUILTIN].size);
	fuzz_write(MODDIR "/modules.builtin.modinfo", parts[P_BUILTIN_MODINFO].data,
		   parts[P_BUILTIN_MODINFO].size);
	struct elfw *w = module_writer(&(struct fixed_module){ "kernel/fuzz/fuzz.ko",
				{ "fuzz_sym" }, { "crc16", "ext4_sym", "weak_sym" }, { 0 } });
	if (parts[P_MODINFO].size)
		elfw_add_modinfo_raw(w, parts[P_MODINFO].data, parts[P_MODINFO].size);
	write_elf(w, MODDIR "/kernel/fuzz/fuzz.ko");
	char *text = config_text(&parts[P_CONFIG]);
	const char *conf = fuzz_write("depmod.conf", text, strlen(text));
	free(text);
	const char *system_map = parts[P_SYSTEM_MAP].size
		? fuzz_write("System.map", parts[P_SYSTEM_MAP].data, parts[P_SYSTEM_MAP].size) : NULL;
	const char *symvers = parts[P_SYMVERS].size
		? fuzz_write("Module.symvers", parts[P_SYMVERS].data, parts[P_SYMVERS].size) : NULL;

	struct kml_ctx *ctx = fuzz_ctx(MODDIR);
	if (externals_ok(ctx, conf)) {
		const char *const config_paths[] = { conf, NULL };
		struct kml_depmod_options opts = {
			.base_dir = fuzz_path("root"),
			.config_paths = config_paths,
			.system_map = system_map,
			.symvers = symvers,
			.errsyms = true,
			.warn_duplicates = true,
			.jobs = 1,
			.dry_run_stream = dev_null,
		};
		kml_depmod_run(ctx, &opts);
	}
	kml_ctx_free(ctx);
	return 0;
}
