// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: when the outputs on disk are already what this run would write.
 *
 * Every output is a function of the modules' parse results (each record's
 * digest), their paths, names and order, modules.builtin and
 * modules.builtin.modinfo, and the configuration (the cache's config hash).
 * The cache stores a digest of all of that (dm_outputs_digest(), in
 * depmod-cache-pending.c) for the run that last wrote the
 * outputs, with each output file's stamp (dev, inode, size, mtime, ctime) as
 * that run left it. When both still match, resolving the symbols and
 * rebuilding eleven files would only reproduce them byte for byte, and are
 * skipped; a replaced, edited, touched or missing output, any changed input,
 * or a run that printed anything in the stages it would skip (warnings that
 * must be printed again, -v) takes the full path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-private.h"

void dm_close_outputs(struct dm_state *st)
{
	for (size_t i = 0; i < DM_OUTPUT_COUNT; i++) {
		if (st->output_fds[i] >= 0)
			close(st->output_fds[i]);
		st->output_fds[i] = -1;
	}
}

bool dm_outputs_current(struct dm_state *st)
{
	const struct kml_depmod_options *o = st->opts;
	if (!st->cache || o->dry_run_stream || (o->files && o->files[0]) ||
	    kml_ctx_log_priority(st->ctx) >= KML_LOG_INFO)
		return false;
	const struct dm_cache_outputs *old = dm_cache_get_outputs(st->cache);
	if (old->count != DM_OUTPUT_COUNT || old->digest != dm_outputs_digest(st))
		return false;
	/* each output opened (kept open: dm_refresh_outputs() stamps these
	 * very files) and compared with its stamp */
	bool same = true;
	for (size_t i = 0; same && i < DM_OUTPUT_COUNT; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", st->output_dir, dm_output_names[i]) < 0) {
			same = false; /* unchecked: not known to be current */
			break;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		free(path);
		st->output_fds[i] = fd;
		struct stat sb;
		struct dm_cache_key k;
		same = fd >= 0 && fstat(fd, &sb) == 0;
		if (same) {
			dm_cache_key_from_stat(&sb, &k);
			same = dm_cache_key_equal(&k, &old->stamps[i]);
		}
	}
	if (!same) {
		dm_close_outputs(st);
		return false;
	}
	kml_dbg(st->ctx, "the outputs in %s are up to date", st->output_dir);
	return true;
}

int dm_refresh_outputs(struct dm_state *st)
{
	dm_remove_stale_temporaries(st);
	if (!st->records_changed || !st->write_cache)
		return 0; /* nothing changed at all: nothing written */
	/* some module file changed without changing its parse results: the
	 * outputs are made as new as it (depmod -A compares their times), then
	 * the cache records the new keys and stamps */
	st->stamps.count = DM_OUTPUT_COUNT;
	for (size_t i = 0; i < DM_OUTPUT_COUNT; i++) {
		struct stat sb;
		if (futimens(st->output_fds[i], NULL) < 0 || fstat(st->output_fds[i], &sb) < 0) {
			kml_dbg(st->ctx, "could not refresh %s/%s: %m", st->output_dir,
				dm_output_names[i]);
			return 1; /* (not ours to touch?) the full path then */
		}
		dm_cache_key_from_stat(&sb, &st->stamps.stamps[i]);
	}
	int r = dm_cache_begin(st);
	return r < 0 ? r : dm_cache_finish(st, true);
}
