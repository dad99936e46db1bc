// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: the kernel command line, read into the store
 * (config-store.c) after the files (modprobe.blacklist=, modprobe.forbid=,
 * MOD.PARAM[=VALUE]).
 *
 * Behaviour checked against modprobe from kmod 30:
 *  - kernel command line: words split at blanks outside double quotes;
 *    MOD.PARAM[=VALUE] gives MOD the option PARAM[=VALUE]; a quote opening
 *    the word moves after the '='; a '.' in PARAM, a quote in MOD or PARAM,
 *    or an unterminated quote make the word no option.
 * Where the reference is wrong, we differ:
 *  - on the kernel command line, names in modprobe.blacklist= are normalised,
 *    empty ones and quotes dropped; "MOD.=x" and ".PARAM=x" are ignored.
 */
#include <errno.h>

#include "conf-file.h"
#include "config-private.h"
#include "modname.h"

static inline bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* modprobe.blacklist= and modprobe.forbid=: FORBID tells which. */
static int cmdline_names(struct kml_ctx *ctx, struct kml_config *config, char *value,
			 bool forbid)
{
	/* the kernel drops the quotes around a value; drop them all */
	char *w = value;
	for (char *p = value; *p; p++)
		if (*p != '"')
			*w++ = *p;
	*w = '\0';
	/* a comma separates names; so does a space ("modprobe.blacklist=a b") */
	static const char sep[] = ", \t\n\r\v\f";
	char *save = NULL;
	for (char *name = strtok_r(value, sep, &save); name; name = strtok_r(NULL, sep, &save)) {
		if (modname_normalize(name) < 0) {
			kml_err(ctx,
				"Ignoring bad option on kernel command line while parsing module name: '%s'",
				name);
			continue;
		}
		int r = forbid ? config_add_forbid(config, name, "the kernel command line (modprobe.forbid=)")
			       : config_add_blacklist(config, name);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * One word of the command line: [""]MOD.PARAM[=VALUE]. A double quote opening
 * the word stands for one after the '=' ("m.p=a b" is m.p="a b"). MOD and
 * PARAM are non-empty and hold no '.', '=' or '"'; other words are not
 * module options.
 */
static int cmdline_word(struct kml_ctx *ctx, struct kml_config *config, char *word)
{
	bool opening_quote = word[0] == '"';
	if (opening_quote)
		word++;
	char *eq = strchr(word, '=');
	size_t name_len = eq ? (size_t)(eq - word) : strlen(word);
	char *dot = memchr(word, '.', name_len);
	if (!dot)
		return 0;
	char *param = dot + 1;
	size_t param_len = name_len - (size_t)(param - word);
	if (memchr(param, '.', param_len) || memchr(word, '"', name_len))
		return 0;
	if (dot == word || param_len == 0) {
		kml_dbg(ctx, "kernel command line: ignoring '%s'", word);
		return 0;
	}
	*dot = '\0';
	char *module = word;
	if (modname_normalize(module) < 0) {
		kml_err(ctx, "Ignoring bad option on kernel command line while parsing module name: '%s'",
			module);
		return 0;
	}
	if (eq && streq(module, "modprobe") && param_len == strlen("blacklist") &&
	    strncmp(param, "blacklist", param_len) == 0)
		return cmdline_names(ctx, config, eq + 1, false);
	if (eq && streq(module, "modprobe") && param_len == strlen("forbid") &&
	    strncmp(param, "forbid", param_len) == 0)
		return cmdline_names(ctx, config, eq + 1, true);

	char *opt = param;
	if (eq && opening_quote) {
		/* param="value: the quote moves after the '=' */
		size_t vlen = strlen(eq + 1);
		opt = arena_alloc(&config->arena, param_len + vlen + 3);
		if (!opt)
			return -ENOMEM;
		memcpy(opt, param, param_len);
		memcpy(opt + param_len, "=\"", 2);
		memcpy(opt + param_len + 2, eq + 1, vlen + 1);
	}
	struct mod_entry *e;
	int r = config_module_entry(config, module, &e);
	if (r >= 0)
		r = config_record_add(config, SEC_OPTIONS, module, opt, NULL);
	if (r >= 0 && e->cmdline_options.len > 0)
		r = strbuf_append(&e->cmdline_options, " ", 1);
	if (r >= 0)
		r = strbuf_append_str(&e->cmdline_options, opt);
	return r;
}

int config_parse_cmdline(struct kml_ctx *ctx, struct kml_config *config, const char *text)
{
	config->cur_path = NULL; /* its records come from no file */
	config->cur_line = 0;
	char *buf = strdup(text);
	int r = buf ? arena_own(&config->arena, buf) : -ENOMEM;
	char *p = buf;
	while (r >= 0) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		char *start = p;
		bool quoted = false;
		for (;;) {
			p += strcspn(p, quoted ? "\"" : "\" \t\n\v\f\r");
			if (*p != '"')
				break;
			quoted = !quoted;
			p++;
		}
		if (quoted) {
			/* runs to the end: the rest is one unusable word */
			char word[CONF_PRINTABLE_SIZE];
			kml_dbg(ctx, "kernel command line: unterminated quote in '%s', ignoring it",
				conf_printable(start, word));
			break;
		}
		if (*p)
			*p++ = '\0';
		r = cmdline_word(ctx, config, start);
	}
	return r;
}
