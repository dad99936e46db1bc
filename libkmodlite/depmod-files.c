// SPDX-License-Identifier: LGPL-2.1-or-later
/* depmod: files written atomically (see depmod-files.h), and the removal of
 * temporary files left by interrupted runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depmod-files.h"

void dm_outputs_release(struct dm_output *o, int count)
{
	for (int i = 0; i < count; i++) {
		free(o[i].text.data);
		kml_index_writer_free(o[i].index);
		free(o[i].data);
		if (o[i].fd >= 0)
			close(o[i].fd);
		if (o[i].kept_fd >= 0)
			close(o[i].kept_fd);
		if (o[i].tmp_path) {
			unlink(o[i].tmp_path);
			free(o[i].tmp_path);
		}
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dm_write_to_fd(void *data, const void *buf, size_t len)
{
	return write_all(*(int *)data, buf, len);
}

/* Creates O's temporary file (locked, mode 0644); O->fd stays open. */
int dm_create_temporary(struct dm_state *st, struct dm_output *o)
{
	if (asprintf(&o->tmp_path, "%s/.%s.XXXXXX", st->output_dir, o->name) < 0) {
		o->tmp_path = NULL;
		return -ENOMEM;
	}
	o->fd = mkostemp(o->tmp_path, O_CLOEXEC);
	if (o->fd < 0) {
		int r = -errno;
		free(o->tmp_path);
		o->tmp_path = NULL;
		return r;
	}
	/* held while it is written: a later run leaves it alone (see
	 * dm_remove_stale_temporaries()) */
	(void)flock(o->fd, LOCK_EX | LOCK_NB);
	return fchmod(o->fd, 0644) < 0 ? -errno : 0;
}

/* Creates O's temporary file, writes it, and starts its write-back. */
int dm_write_temporary(struct dm_state *st, struct dm_output *o)
{
	int r = dm_create_temporary(st, o);
	if (r == 0)
		r = o->binary ? write_all(o->fd, o->data, o->size)
			      : write_all(o->fd, o->text.data ? o->text.data : "", o->text.len);
	/* every output's data goes to the disk at once; the fsync()s that
	 * follow then mostly wait for what is already under way */
	if (r == 0)
		(void)sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return r;
}

/*
 * Temporary files of runs killed before their renames (.NAME.XXXXXX, NAME
 * one of the outputs or the cache) are removed once they are
 * STALE_TEMP_SECONDS old and nobody holds their lock: a live run holds it
 * while writing and renames within seconds, so neither test alone has to be
 * trusted.
 */
#define STALE_TEMP_SECONDS 60

static bool is_temporary_of(const char *n, const char *output)
{
	size_t l = strlen(output);
	return n[0] == '.' && strncmp(n + 1, output, l) == 0 && n[1 + l] == '.' &&
	       strlen(n + 2 + l) == 6;
}

static bool is_temporary_name(const char *n)
{
	for (int i = 0; i < DM_OUTPUT_COUNT; i++)
		if (is_temporary_of(n, dm_output_names[i]))
			return true;
	return is_temporary_of(n, DM_CACHE_NAME);
}

void dm_remove_stale_temporaries(struct dm_state *st)
{
	DIR *d = opendir(st->output_dir);
	if (!d)
		return;
	time_t now = time(NULL);
	for (struct dirent *de; (de = readdir(d));) {
		if (!is_temporary_name(de->d_name))
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			continue;
		struct stat sb;
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    now - sb.st_mtime >= STALE_TEMP_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			kml_dbg(st->ctx, "removed %s/%s, left by an interrupted run", st->output_dir,
				de->d_name);
		close(fd);
	}
	closedir(d);
}

/*
 * Whether O's file already holds exactly these bytes (a regular file of
 * ours, mode 0644): then it is left in place and only its times are
 * refreshed (depmod -A compares them), which spares its write and fsync
 * when little or nothing changed. A reader sees the same bytes either way.
 * When it is, O->fd is that file's, kept open to stamp it.
 */
bool dm_same_as_on_disk(const struct dm_state *st, struct dm_output *o)
{
	const char *data = o->binary ? o->data : o->text.data;
	size_t len = o->binary ? o->size : o->text.len;
	char *path = NULL;
	if (asprintf(&path, "%s/%s", st->output_dir, o->name) < 0)
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(path);
	struct stat sb;
	bool same = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 07777) == 0644 && sb.st_uid == geteuid() &&
		    (uint64_t)sb.st_size == len;
	char buf[65536];
	for (size_t done = 0; same && done < len;) {
		ssize_t n = read(fd, buf, len - done < sizeof(buf) ? len - done : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		same = n > 0 && memcmp(buf, data + done, (size_t)n) == 0;
		done += n > 0 ? (size_t)n : 0;
	}
	if (same)
		same = futimens(fd, NULL) == 0;
	if (same)
		o->fd = fd;
	else if (fd >= 0)
		close(fd);
	return same;
}

int dm_make_output_dir(struct dm_state *st)
{
	int r = mkdir_parents(st->output_dir);
	if (r == 0 && mkdir(st->output_dir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r < 0)
		kml_err(st->ctx, "could not create directory %s: %s", st->output_dir, strerror(-r));
	return r;
}

int dm_rename_into_place(struct dm_state *st, struct dm_output *o)
{
	char *final = NULL;
	if (asprintf(&final, "%s/%s", st->output_dir, o->name) < 0)
		return -ENOMEM;
	int r = rename(o->tmp_path, final) < 0 ? -errno : 0;
	if (r < 0)
		kml_err(st->ctx, "could not rename %s to %s: %s", o->tmp_path, final, strerror(-r));
	free(final);
	if (r == 0) {
		free(o->tmp_path);
		o->tmp_path = NULL;
	}
	return r;
}

void dm_sync_output_dir(const struct dm_state *st)
{
	int dfd = open(st->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}
