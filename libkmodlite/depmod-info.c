// SPDX-License-Identifier: LGPL-2.1-or-later
/* depmod: a module's parse results (struct dm_info): freeing them, whether
 * they were parsed (owned strings) or decoded from the cache (borrowed),
 * and the digests of what modules export. */
#include "depmod-private.h"

void dm_info_release(struct dm_info *info)
{
	if (!info->borrowed) {
		for (size_t i = 0; i < info->alias_count; i++)
			free(info->aliases[i]);
		for (size_t i = 0; i < info->softdep_count; i++)
			free(info->softdeps[i]);
		for (size_t i = 0; i < info->weakdep_count; i++)
			free(info->weakdeps[i]);
		for (size_t i = 0; i < info->export_count; i++)
			free(info->exports[i].name);
		for (size_t i = 0; i < info->import_count; i++)
			free(info->imports[i].name);
	}
	free(info->aliases);
	free(info->softdeps);
	free(info->weakdeps);
	free(info->exports);
	free(info->imports);
	memset(info, 0, sizeof(*info));
}

uint64_t dm_exports_digest(const struct dm_info *info)
{
	uint64_t h = dm_hash_str(DM_HASH_INIT, "exports");
	for (size_t i = 0; i < info->export_count; i++) {
		const struct dm_symbol *e = &info->exports[i];
		uint64_t v[2] = { e->crc, (uint64_t)e->has_crc | (uint64_t)e->weak << 1 };
		h = dm_hash_str(h, e->name);
		h = dm_hash_bytes(h, v, sizeof(v));
	}
	return h;
}

uint64_t dm_exports_world(const struct dm_state *st)
{
	static const struct dm_info none = { 0 };
	uint64_t empty = dm_exports_digest(&none);
	uint64_t h = dm_hash_str(DM_HASH_INIT, "world");
	for (size_t i = 0; i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		if (m->parse_error != 0)
			continue; /* nothing exported */
		if (!m->have_exports_digest)
			return 0;
		if (m->exports_digest == empty)
			continue;
		h = dm_hash_str(h, m->name);
		h = dm_hash_bytes(h, &m->exports_digest, sizeof(m->exports_digest));
	}
	return h ? h : 1;
}
