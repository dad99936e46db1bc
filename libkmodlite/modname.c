// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module names: how a name or an alias is normalised ('-' and '_' are the
 * same character in module names, but not inside a pattern's [...]), the
 * module name of a path, and the extensions of module files. Lookups,
 * modprobe's configuration, depmod and the tools all take them from here.
 *
 * Behaviour checked against kmod 30:
 *  - a name from a path is its basename up to the first '.', '-' -> '_';
 *  - module files end in .ko, .ko.gz, .ko.xz or .ko.zst with something
 *    before it (a file named ".ko" is no module file).
 */
#include <errno.h>
#include <stdint.h>

#include "kmodlite-private.h"
#include "modname.h"

static const char *const module_exts[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };

size_t kml_module_ext_len(const char *path)
{
	size_t len = strlen(path);
	/* each extension is ".ko" and then perhaps a compressor's: the ".ko"
	 * is found first, and only then what follows it */
	for (size_t el = 3; el <= 7 && el < len; el++) {
		const char *ext = path + len - el;
		if (ext[0] != '.' || ext[1] != 'k' || ext[2] != 'o')
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(module_exts); i++)
			if (streq(ext, module_exts[i]))
				return el;
		return 0;
	}
	return 0;
}

int kml_module_name_from_path(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t i = 0;
	for (; base[i] && base[i] != '.'; i++) {
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		buf[i] = base[i] == '-' ? '_' : base[i];
	}
	if (size == 0)
		return -ENAMETOOLONG;
	buf[i] = '\0';
	return 0;
}

/*
 * The one normalisation: IN into OUT (may be IN itself) of SIZE bytes,
 * '-' -> '_' outside [...]. A ']' outside brackets is -EINVAL at once; a
 * '[' left open at the end is -EINVAL when CLOSED_BRACKETS, else the rest
 * stays as it is. -ENAMETOOLONG when OUT is too small.
 */
static int normalize(const char *in, char *out, size_t size, bool closed_brackets)
{
	bool in_bracket = false;
	size_t i = 0;
	for (;;) {
		/* the plain run up to the next character that matters, copied whole */
		size_t span = strcspn(in + i, "-[]");
		if (span > 0 && i + span >= size)
			return -ENAMETOOLONG;
		if (out != in)
			memcpy(out + i, in + i, span);
		i += span;
		char c = in[i];
		if (!c)
			break;
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		if (c == '[') {
			in_bracket = true;
		} else if (c == ']') {
			if (!in_bracket)
				return -EINVAL;
			in_bracket = false;
		} else if (!in_bracket) {
			c = '_';
		}
		out[i++] = c;
	}
	if (size == 0)
		return -ENAMETOOLONG;
	out[i] = '\0';
	return in_bracket && closed_brackets ? -EINVAL : 0;
}

int kml_alias_normalize(const char *alias, char *buf, size_t size)
{
	return normalize(alias, buf, size, false);
}

int modname_normalize(char *s)
{
	return normalize(s, s, SIZE_MAX, true);
}
