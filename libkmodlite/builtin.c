// SPDX-License-Identifier: LGPL-2.1-or-later
/* modules.builtin.modinfo: NUL-terminated "MODNAME.KEY=VALUE" records. */
#include <errno.h>
#include <stdio.h>

#include "kmodlite-private.h"

/* The file is a few hundred KiB; far bigger means it is not what we think. */
#define BUILTIN_MODINFO_MAX ((size_t)64 << 20)

/* Does RECORD ("name.key=value") belong to module NAME? Compares with '-'
 * and '_' treated alike, as module names are normalised. */
static bool record_is_module(const char *record, size_t len, const char *name, size_t name_len)
{
	if (len <= name_len || record[name_len] != '.')
		return false;
	for (size_t i = 0; i < name_len; i++) {
		char a = record[i] == '-' ? '_' : record[i];
		char b = name[i] == '-' ? '_' : name[i];
		if (a != b)
			return false;
	}
	return true;
}

int kml_builtin_get_modinfo(struct kml_ctx *ctx, const char *module,
			    struct kml_modinfo_entry **ret_entries, size_t *ret_count,
			    char **ret_buffer)
{
	char *path = NULL;
	if (asprintf(&path, "%s/modules.builtin.modinfo", kml_ctx_get_module_dir(ctx)) < 0)
		return -ENOMEM;
	char *buf = NULL;
	size_t len = 0;
	int r = read_file_full(path, BUILTIN_MODINFO_MAX, &buf, &len);
	free(path);
	if (r < 0)
		return r;

	size_t name_len = strlen(module);
	struct kml_modinfo_entry *entries = NULL;
	size_t count = 0, cap = 0;
	bool found = false;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t rec_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		if (record_is_module(p, rec_len, module, name_len)) {
			found = true;
			const char *key = p + name_len + 1;
			const char *eq = memchr(key, '=', rec_len - name_len - 1);
			r = ARRAY_GROW(entries, cap, count + 1);
			if (r < 0)
				break;
			/* read_file_full() NUL-terminates, so the last record is a string too */
			entries[count++] = (struct kml_modinfo_entry){
				.key = key,
				.key_len = eq ? (size_t)(eq - key) : rec_len - name_len - 1,
				.value = eq ? eq + 1 : p + rec_len,
			};
		} else if (found) {
			break; /* a module's records are next to each other */
		}
		p += rec_len + 1;
	}
	if (r == 0 && !found)
		r = -ENOENT;
	if (r < 0) {
		free(entries);
		free(buf);
		return r;
	}
	*ret_entries = entries;
	*ret_count = count;
	*ret_buffer = buf;
	return 0;
}
