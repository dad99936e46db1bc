// SPDX-License-Identifier: LGPL-2.1-or-later
/* depmod: freeing a module's parse results (struct dm_info), whether they
 * were parsed (owned strings) or decoded from the cache (borrowed). */
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
