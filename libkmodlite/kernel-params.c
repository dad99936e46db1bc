// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running kernel's module parameters: /sys/module/NAME/parameters/.
 * With kernel.c, the only file of the library that reads or writes /sys.
 * A parameter file shows the value as the module's getter prints it (one
 * page at most) and takes a new one through the module's setter, whose
 * error is write(2)'s errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

#define SYS_MODULE "/sys/module"
/* a getter fills one page; room for bigger pages */
#define PARAM_VALUE_MAX ((size_t)64 << 10)

/* A name usable as one path component. */
static bool component_ok(const char *s)
{
	return s && s[0] != '\0' && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..") &&
	       strlen(s) < NAME_MAX;
}

static int param_path(char *buf, size_t size, const char *name, const char *param)
{
	if (!component_ok(name) || (param && !component_ok(param)))
		return -EINVAL;
	int n = param ? snprintf(buf, size, SYS_MODULE "/%s/parameters/%s", name, param)
		      : snprintf(buf, size, SYS_MODULE "/%s/parameters", name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int kml_kernel_param_read(const char *name, const char *param, char **ret_value)
{
	char path[PATH_MAX];
	int r = param_path(path, sizeof(path), name, param);
	if (r < 0)
		return r;
	char *buf;
	size_t len;
	r = read_file_full(path, PARAM_VALUE_MAX, &buf, &len);
	if (r < 0)
		return r;
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	*ret_value = buf;
	return 0;
}

int kml_kernel_param_write(const char *name, const char *param, const char *value)
{
	char path[PATH_MAX];
	int r = param_path(path, sizeof(path), name, param);
	if (r < 0)
		return r;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t n;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

void kml_kernel_free_params(struct kml_kernel_param *params, size_t count)
{
	for (size_t i = 0; params && i < count; i++) {
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct kml_kernel_param *)a)->name,
		      ((const struct kml_kernel_param *)b)->name);
}

int kml_kernel_module_params(const char *name, struct kml_kernel_param **ret_params,
			     size_t *ret_count)
{
	char path[PATH_MAX];
	int r = param_path(path, sizeof(path), name, NULL);
	if (r < 0)
		return r;
	DIR *dir = opendir(path);
	if (!dir) {
		r = -errno;
		if (r != -ENOENT)
			return r;
		/* no parameters directory: none, if the module is there */
		struct stat st;
		snprintf(path, sizeof(path), SYS_MODULE "/%s", name);
		if (stat(path, &st) < 0)
			return -errno;
		*ret_params = NULL;
		*ret_count = 0;
		return 0;
	}
	struct kml_kernel_param *params = NULL;
	size_t count = 0, cap = 0;
	r = 0;
	for (struct dirent *de; r == 0 && (errno = 0, de = readdir(dir));) {
		if (de->d_name[0] == '.')
			continue;
		char file[PATH_MAX];
		struct stat st;
		if (snprintf(file, sizeof(file), "%s/%s", path, de->d_name) >= (int)sizeof(file) ||
		    stat(file, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		r = ARRAY_GROW(params, cap, count + 1);
		if (r < 0)
			break;
		struct kml_kernel_param *p = &params[count];
		*p = (struct kml_kernel_param){ .name = strdup(de->d_name),
						.mode = st.st_mode & 07777 };
		if (!p->name) {
			r = -ENOMEM;
			break;
		}
		count++;
		p->read_error = kml_kernel_param_read(name, p->name, &p->value);
		if (p->read_error == -ENOMEM)
			r = -ENOMEM;
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(dir);
	if (r < 0) {
		kml_kernel_free_params(params, count);
		return r;
	}
	if (count > 1)
		qsort(params, count, sizeof(*params), by_name);
	*ret_params = params;
	*ret_count = count;
	return 0;
}
