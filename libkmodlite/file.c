// SPDX-License-Identifier: LGPL-2.1-or-later
/* A module file's bytes: mapped when plain, decompressed in memory otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

struct kml_file {
	const void *data;
	size_t size;
	enum kml_compression compression;
	void *mapping; /* munmap on free */
	size_t mapping_size;
	void *heap; /* free on free */
};

static const uint8_t magic_gzip[] = { 0x1f, 0x8b };
static const uint8_t magic_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t magic_zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };

enum kml_compression kml_compression_detect(const void *data, size_t size)
{
	if (size >= sizeof(magic_xz) && memcmp(data, magic_xz, sizeof(magic_xz)) == 0)
		return KML_COMPRESSION_XZ;
	if (size >= sizeof(magic_zstd) && memcmp(data, magic_zstd, sizeof(magic_zstd)) == 0)
		return KML_COMPRESSION_ZSTD;
	if (size >= sizeof(magic_gzip) && memcmp(data, magic_gzip, sizeof(magic_gzip)) == 0)
		return KML_COMPRESSION_GZIP;
	return KML_COMPRESSION_NONE;
}

const char *kml_compression_name(enum kml_compression c)
{
	switch (c) {
	case KML_COMPRESSION_GZIP:
		return "gzip";
	case KML_COMPRESSION_XZ:
		return "xz";
	case KML_COMPRESSION_ZSTD:
		return "zstd";
	case KML_COMPRESSION_NONE:
		break;
	}
	return "none";
}

/* Fills FILE from DATA: decompressed copy when compressed, else borrowed. */
static int file_load(struct kml_file *file, const void *data, size_t size)
{
	if (size < 6)
		return -EBADMSG;
	file->compression = kml_compression_detect(data, size);
	void *buf = NULL;
	size_t len = 0;
	int r;
	switch (file->compression) {
	case KML_COMPRESSION_NONE:
		file->data = data;
		file->size = size;
		return 0;
	case KML_COMPRESSION_GZIP:
		r = decompress_gzip(data, size, KML_MAX_MODULE_SIZE, &buf, &len);
		break;
	case KML_COMPRESSION_XZ:
		r = decompress_xz(data, size, KML_MAX_MODULE_SIZE, &buf, &len);
		break;
	case KML_COMPRESSION_ZSTD:
		r = decompress_zstd(data, size, KML_MAX_MODULE_SIZE, &buf, &len);
		break;
	default:
		return -EINVAL;
	}
	if (r < 0)
		return r;
	file->heap = buf;
	file->data = buf;
	file->size = len;
	return 0;
}

/* Opens PATH and checks it can be a module: a regular file of a size between
 * the smallest compressed header and the bound. */
static int open_module_file(const char *path, int *ret_fd, size_t *ret_size, struct stat *ret_st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else if (st.st_size < 6)
		r = -EBADMSG;
	else if ((uint64_t)st.st_size > KML_MAX_MODULE_SIZE)
		r = -EFBIG;
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	*ret_size = (size_t)st.st_size;
	if (ret_st)
		*ret_st = st;
	return 0;
}

int kml_file_open(const char *path, struct kml_file **ret_file)
{
	int fd;
	size_t size;
	int r = open_module_file(path, &fd, &size, NULL);
	if (r < 0)
		return r;
	struct kml_file *file = calloc(1, sizeof(*file));
	if (!file) {
		r = -ENOMEM;
		goto out;
	}
	file->mapping_size = size;
	file->mapping = mmap(NULL, file->mapping_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (file->mapping == MAP_FAILED) {
		file->mapping = NULL;
		r = -errno;
		goto out;
	}
	r = file_load(file, file->mapping, file->mapping_size);
	if (r == 0 && file->heap) {
		/* decompressed: the compressed bytes are no longer needed */
		munmap(file->mapping, file->mapping_size);
		file->mapping = NULL;
	}
out:
	close(fd);
	if (r < 0) {
		kml_file_free(file);
		return r;
	}
	*ret_file = file;
	return 0;
}

int file_open_read(const char *path, struct strbuf *scratch, struct kml_file **ret_file,
		   struct stat *ret_stat)
{
	int fd;
	size_t size;
	int r = open_module_file(path, &fd, &size, ret_stat);
	if (r < 0)
		return r;
	scratch->len = 0;
	r = strbuf_reserve(scratch, size);
	/* the size seen by fstat() is all that is read: a file that grows
	 * meanwhile is cut there, one that shrinks ends early */
	while (r == 0 && scratch->len < size) {
		ssize_t n = read(fd, scratch->data + scratch->len, size - scratch->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else if (n == 0)
			break;
		else
			scratch->len += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	return kml_file_from_memory(scratch->data, scratch->len, ret_file);
}

int kml_file_from_memory(const void *data, size_t size, struct kml_file **ret_file)
{
	struct kml_file *file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	int r = file_load(file, data, size);
	if (r < 0) {
		free(file);
		return r;
	}
	*ret_file = file;
	return 0;
}

void kml_file_free(struct kml_file *file)
{
	if (!file)
		return;
	if (file->mapping)
		munmap(file->mapping, file->mapping_size);
	free(file->heap);
	free(file);
}

const void *kml_file_data(const struct kml_file *file)
{
	return file->data;
}

size_t kml_file_size(const struct kml_file *file)
{
	return file->size;
}

enum kml_compression kml_file_compression(const struct kml_file *file)
{
	return file->compression;
}
