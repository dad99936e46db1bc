// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod.d configuration: search order, overrides, external directories and
 * excluded directory names.
 *
 * Behaviour checked against depmod from kmod 30:
 *  - the files of all configuration paths are merged and sorted by basename;
 *    the first path that provides a basename wins. A path naming a file is
 *    read whatever its name; in a directory only "*.conf" files not starting
 *    with '.' are read; a directory inside one is an error;
 *  - a '\' keeps the next character literally; before a newline it joins the
 *    two lines; line numbers in messages are those of the last physical line;
 *  - a line is a comment only when its first character is '#'; tokens are
 *    separated by spaces and tabs only;
 *  - KVER fields are "*" or an unanchored POSIX extended regular expression
 *    (an invalid one never matches);
 *  - several override lines for one module: the last one matching KVER wins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

/* A configuration file larger than this is refused. */
#define DEPMOD_CONFIG_MAX_FILE ((size_t)64 << 20)
/* A logical line (after joining continuations) longer than this is skipped. */
#define DEPMOD_CONFIG_MAX_LINE ((size_t)1 << 20)

static const char *const default_paths[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d",
	"/lib/depmod.d",
	NULL,
};

struct depmod_override {
	char *modname; /* normalised */
	char *subdir;
};

struct kml_depmod_config {
	struct kml_search_entry *search;
	size_t n_search;
	size_t cap_search;
	bool search_seen; /* a search line named at least one entry */

	struct depmod_override *overrides;
	size_t n_overrides;
	size_t cap_overrides;

	char **externals; /* NULL-terminated */
	size_t n_externals;
	size_t cap_externals;

	char **excludes;
	size_t n_excludes;
	size_t cap_excludes;
};

/* Makes room for one more element of size ELEM in *ARRAY (of *CAP). */
static int grow(void **array, size_t *cap, size_t count, size_t elem)
{
	if (count < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	size_t bytes;
	if (ncap < *cap || __builtin_mul_overflow(ncap, elem, &bytes))
		return -ENOMEM;
	void *p = realloc(*array, bytes);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

static void normalize_name(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

void kml_depmod_config_free(struct kml_depmod_config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->n_search; i++)
		free((char *)config->search[i].dir);
	free(config->search);
	for (size_t i = 0; i < config->n_overrides; i++) {
		free(config->overrides[i].modname);
		free(config->overrides[i].subdir);
	}
	free(config->overrides);
	for (size_t i = 0; i < config->n_externals; i++)
		free(config->externals[i]);
	free(config->externals);
	for (size_t i = 0; i < config->n_excludes; i++)
		free(config->excludes[i]);
	free(config->excludes);
	free(config);
}

static bool search_has(const struct kml_depmod_config *config, enum kml_search_kind kind,
		       const char *dir)
{
	for (size_t i = 0; i < config->n_search; i++) {
		const struct kml_search_entry *e = &config->search[i];
		if (e->kind == kind && (kind != KML_SEARCH_DIR || streq(e->dir, dir)))
			return true;
	}
	return false;
}

/* Appends a search entry; a repeated one keeps its first (higher) place. */
static int search_add(struct kml_depmod_config *config, const char *word)
{
	enum kml_search_kind kind = KML_SEARCH_DIR;
	if (streq(word, "built-in"))
		kind = KML_SEARCH_BUILTIN;
	else if (streq(word, "external"))
		kind = KML_SEARCH_EXTERNAL;
	if (search_has(config, kind, word))
		return 0;
	int r = grow((void **)&config->search, &config->cap_search, config->n_search,
		     sizeof(*config->search));
	if (r < 0)
		return r;
	char *dir = NULL;
	if (kind == KML_SEARCH_DIR) {
		dir = strdup(word);
		if (!dir)
			return -ENOMEM;
	}
	config->search[config->n_search++] = (struct kml_search_entry){ .kind = kind, .dir = dir };
	return 0;
}

static int override_add(struct kml_depmod_config *config, const char *modname, const char *subdir)
{
	int r = grow((void **)&config->overrides, &config->cap_overrides, config->n_overrides,
		     sizeof(*config->overrides));
	if (r < 0)
		return r;
	char *m = strdup(modname);
	char *s = strdup(subdir);
	if (!m || !s) {
		free(m);
		free(s);
		return -ENOMEM;
	}
	normalize_name(m);
	config->overrides[config->n_overrides++] = (struct depmod_override){ m, s };
	return 0;
}

/* Adds S to a NULL-terminated string array. */
static int strv_add(char ***array, size_t *cap, size_t *count, const char *s)
{
	/* keep a slot for the terminating NULL */
	int r = grow((void **)array, cap, *count + 1, sizeof(**array));
	if (r < 0)
		return r;
	char *d = strdup(s);
	if (!d)
		return -ENOMEM;
	(*array)[(*count)++] = d;
	(*array)[*count] = NULL;
	return 0;
}

/* "*" matches every version; anything else is an unanchored POSIX ERE. */
static bool kver_matches(const struct kml_ctx *ctx, const char *pattern, const char *kver)
{
	if (streq(pattern, "*"))
		return true;
	regex_t re;
	int r = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		kml_dbg(ctx, "invalid kernel version pattern '%s': never matches", pattern);
		return false;
	}
	r = regexec(&re, kver, 0, NULL, 0);
	regfree(&re);
	return r == 0;
}

/* Handles one logical line (a NUL-terminated string). -ENOMEM only. */
static int parse_line(struct kml_ctx *ctx, struct kml_depmod_config *config, const char *kver,
		      const char *path, unsigned long lineno, char *line)
{
	static const char sep[] = " \t";
	if (line[0] == '#')
		return 0;
	char *save = NULL;
	char *cmd = strtok_r(line, sep, &save);
	if (!cmd)
		return 0;

	int r = 0;
	if (streq(cmd, "search")) {
		for (char *w; (w = strtok_r(NULL, sep, &save));) {
			r = search_add(config, w);
			if (r < 0)
				return r;
			config->search_seen = true;
		}
		return 0;
	}
	if (streq(cmd, "exclude")) {
		for (char *w; (w = strtok_r(NULL, sep, &save));) {
			r = strv_add(&config->excludes, &config->cap_excludes, &config->n_excludes,
				     w);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (streq(cmd, "override")) {
		char *modname = strtok_r(NULL, sep, &save);
		char *pattern = modname ? strtok_r(NULL, sep, &save) : NULL;
		char *subdir = pattern ? strtok_r(NULL, sep, &save) : NULL;
		/* further words are ignored, as the reference does */
		if (!subdir)
			goto bad;
		if (kver_matches(ctx, pattern, kver))
			r = override_add(config, modname, subdir);
		return r;
	}
	if (streq(cmd, "external")) {
		char *pattern = strtok_r(NULL, sep, &save);
		char *dir = pattern ? strtok_r(NULL, sep, &save) : NULL;
		if (!dir)
			goto bad;
		if (!kver_matches(ctx, pattern, kver))
			return 0;
		for (; dir; dir = strtok_r(NULL, sep, &save)) {
			r = strv_add(&config->externals, &config->cap_externals,
				     &config->n_externals, dir);
			if (r < 0)
				return r;
		}
		return 0;
	}
bad:
	kml_err(ctx, "%s:%lu: ignoring bad line starting with '%s'", path, lineno, cmd);
	return 0;
}

/*
 * Splits BUF (LEN bytes followed by a NUL) into logical lines, in place:
 * backslash escapes are resolved by copying backwards over the consumed
 * bytes, so no line buffer is needed.
 */
static int parse_buffer(struct kml_ctx *ctx, struct kml_depmod_config *config, const char *kver,
			const char *path, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned long lineno = 1;
	while (pos < len) {
		size_t start = pos, w = pos;
		bool too_long = false;
		while (pos < len) {
			char c = buf[pos++];
			if (c == '\n')
				break;
			if (c == '\\' && pos < len) {
				c = buf[pos++];
				if (c == '\n') {
					lineno++;
					continue;
				}
			}
			if (w - start >= DEPMOD_CONFIG_MAX_LINE) {
				too_long = true;
				continue;
			}
			buf[w++] = c;
		}
		/* w < pos, or w == len at the end: buf[len] is the terminator */
		buf[w] = '\0';
		if (too_long) {
			kml_err(ctx, "%s:%lu: line longer than %zu bytes, ignoring it", path, lineno,
				DEPMOD_CONFIG_MAX_LINE);
		} else {
			int r = parse_line(ctx, config, kver, path, lineno, buf + start);
			if (r < 0)
				return r;
		}
		lineno++;
	}
	return 0;
}

/* Reads a regular file without blocking on FIFOs and the like. */
static int read_config_file(const char *path, char **ret_buf, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	struct strbuf sb = { 0 };
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > DEPMOD_CONFIG_MAX_FILE) {
		r = -EFBIG;
		goto out;
	}
	r = strbuf_reserve(&sb, (size_t)st.st_size);
	if (r < 0)
		goto out;
	for (;;) {
		r = strbuf_reserve(&sb, 65536);
		if (r < 0)
			goto out;
		ssize_t n = read(fd, sb.data + sb.len, sb.cap - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		if (sb.len > DEPMOD_CONFIG_MAX_FILE) {
			r = -EFBIG;
			goto out;
		}
	}
	sb.data[sb.len] = '\0';
	*ret_buf = sb.data;
	*ret_len = sb.len;
	sb.data = NULL;
	r = 0;
out:
	free(sb.data);
	close(fd);
	return r;
}

static int parse_file(struct kml_ctx *ctx, struct kml_depmod_config *config, const char *kver,
		      const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r = read_config_file(path, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		kml_err(ctx, "file parse %s: %s", path, strerror(-r));
		return 0;
	}
	r = parse_buffer(ctx, config, kver, path, buf, len);
	free(buf);
	return r;
}

/* ------------------------------------------------ the list of files */

struct conf_file {
	char *path;
	const char *name; /* basename, points into path */
	size_t seq;	  /* discovery order: earlier paths first */
};

struct conf_list {
	struct conf_file *files;
	size_t count;
	size_t cap;
};

static int conf_list_add(struct conf_list *list, char *path)
{
	int r = grow((void **)&list->files, &list->cap, list->count, sizeof(*list->files));
	if (r < 0) {
		free(path);
		return r;
	}
	const char *slash = strrchr(path, '/');
	list->files[list->count] = (struct conf_file){
		.path = path,
		.name = slash ? slash + 1 : path,
		.seq = list->count,
	};
	list->count++;
	return 0;
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

static int conf_list_add_dir(struct kml_ctx *ctx, struct conf_list *list, const char *dirpath,
			     DIR *d)
{
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				kml_err(ctx, "could not read directory %s: %s", dirpath,
					strerror(errno));
			return 0;
		}
		if (!is_conf_name(de->d_name))
			continue;
		struct stat st;
		/* an entry that cannot be stat'ed (dangling link) is kept: reading
		 * it reports the error, and it still hides same-named later files */
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
			kml_err(ctx, "Directories inside directories are not supported: %s/%s",
				dirpath, de->d_name);
			continue;
		}
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dirpath, de->d_name) < 0)
			return -ENOMEM;
		int r = conf_list_add(list, path);
		if (r < 0)
			return r;
	}
}

static int conf_list_add_path(struct kml_ctx *ctx, struct conf_list *list, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			kml_err(ctx, "could not access %s: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		char *p = strdup(path);
		if (!p)
			return -ENOMEM;
		return conf_list_add(list, p);
	}
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOMEM)
			return -ENOMEM;
		if (errno != ENOENT)
			kml_err(ctx, "could not open directory %s: %s", path, strerror(errno));
		return 0;
	}
	int r = conf_list_add_dir(ctx, list, path, d);
	closedir(d);
	return r;
}

static int conf_file_cmp(const void *a, const void *b)
{
	const struct conf_file *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void conf_list_release(struct conf_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->files[i].path);
	free(list->files);
}

int kml_depmod_config_load(struct kml_ctx *ctx, const char *const *paths, const char *kver,
			   struct kml_depmod_config **ret_config)
{
	if (!ret_config)
		return -EINVAL;
	if (!kver)
		kver = ctx ? kml_ctx_get_kernel_version(ctx) : NULL;
	if (!kver)
		return -EINVAL;
	if (!paths)
		paths = default_paths;

	struct kml_depmod_config *config = calloc(1, sizeof(*config));
	if (!config)
		return -ENOMEM;
	struct conf_list list = { 0 };
	int r = 0;
	for (size_t i = 0; paths[i]; i++) {
		r = conf_list_add_path(ctx, &list, paths[i]);
		if (r < 0)
			goto fail;
	}
	if (list.count > 1)
		qsort(list.files, list.count, sizeof(*list.files), conf_file_cmp);
	for (size_t i = 0; i < list.count; i++) {
		if (i > 0 && streq(list.files[i].name, list.files[i - 1].name)) {
			kml_dbg(ctx, "%s hidden by a file of the same name", list.files[i].path);
			continue;
		}
		r = parse_file(ctx, config, kver, list.files[i].path);
		if (r < 0)
			goto fail;
	}

	if (!config->search_seen) {
		r = search_add(config, "updates");
		if (r >= 0)
			r = search_add(config, "built-in");
		if (r < 0)
			goto fail;
	}
	conf_list_release(&list);
	*ret_config = config;
	return 0;
fail:
	conf_list_release(&list);
	kml_depmod_config_free(config);
	return r;
}

const struct kml_search_entry *kml_depmod_config_search(const struct kml_depmod_config *config,
							size_t *ret_count)
{
	if (ret_count)
		*ret_count = config ? config->n_search : 0;
	return config ? config->search : NULL;
}

const char *kml_depmod_config_override(const struct kml_depmod_config *config,
				       const char *modname)
{
	if (!config || !modname)
		return NULL;
	/* the last matching line wins, as with the reference */
	for (size_t i = config->n_overrides; i-- > 0;) {
		const char *a = config->overrides[i].modname, *b = modname;
		for (; *a && *b; a++, b++) {
			char cb = *b == '-' ? '_' : *b;
			if (*a != cb)
				break;
		}
		if (!*a && !*b)
			return config->overrides[i].subdir;
	}
	return NULL;
}

const char *const *kml_depmod_config_external(const struct kml_depmod_config *config,
					      size_t *ret_count)
{
	static const char *const empty[] = { NULL };
	if (ret_count)
		*ret_count = config ? config->n_externals : 0;
	if (!config || !config->externals)
		return empty;
	return (const char *const *)config->externals;
}

bool kml_depmod_config_excluded(const struct kml_depmod_config *config, const char *name)
{
	if (!name)
		return false;
	if (streq(name, "build") || streq(name, "source"))
		return true;
	if (!config)
		return false;
	for (size_t i = 0; i < config->n_excludes; i++)
		if (streq(config->excludes[i], name))
			return true;
	return false;
}
