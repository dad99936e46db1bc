/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the modprobe configuration targets do with a loaded configuration:
 * the `modprobe -c` dump, every query on the words of the input, and the
 * load plan (probe.c) of what the words resolve to, where softdeps, install
 * commands and options of the configuration come into play.
 */
#ifndef KMODLITE_FUZZ_CONFIG_COMMON_H
#define KMODLITE_FUZZ_CONFIG_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define FUZZ_CONFIG_WORDS 24
#define FUZZ_CONFIG_PLANS 4

static inline size_t fuzz_config_strv(const char *const *v, size_t n)
{
	size_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += fuzz_touch(v[i]);
	if (v && v[n])
		abort(); /* NULL-terminated */
	return t;
}

static inline size_t fuzz_config_query(struct kml_ctx *ctx, const struct kml_config *config,
				       const char *name, size_t *plans)
{
	const char **modules;
	const char *const *pre, *const *post, *const *weak;
	size_t n, npre, npost, t = 0;

	if (kml_config_get_aliases(config, name, &modules, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			t += fuzz_touch(modules[i]);
		free(modules);
	}
	t += fuzz_touch(kml_config_get_options(config, name));
	t += fuzz_touch(kml_config_get_cmdline_options(config, name));
	t += fuzz_touch(kml_config_get_install(config, name));
	t += fuzz_touch(kml_config_get_remove(config, name));
	t += kml_config_is_blacklisted(config, name);
	if (kml_config_get_softdeps(config, name, &pre, &npre, &post, &npost) == 0)
		t += fuzz_config_strv(pre, npre) + fuzz_config_strv(post, npost);
	if (kml_config_get_weakdeps(config, name, &weak, &n) == 0)
		t += fuzz_config_strv(weak, n);

	struct kml_module_list list;
	if (kml_lookup_with_config(ctx, config, name, &list) == 0) {
		for (size_t i = 0; i < list.count && *plans < FUZZ_CONFIG_PLANS; i++, (*plans)++) {
			struct kml_probe_plan plan;
			unsigned int flags = *plans % 2 ? KML_PROBE_IGNORE_COMMANDS : 0;
			if (kml_probe_plan_insert(ctx, config, &list.modules[i], flags, "x=1",
						  &plan) < 0)
				continue;
			for (size_t k = 0; k < plan.count; k++)
				t += fuzz_touch(plan.steps[k].name) +
				     fuzz_touch(plan.steps[k].options) +
				     fuzz_touch(plan.steps[k].command);
			kml_probe_plan_release(&plan);
		}
		kml_module_list_release(&list);
	}
	return t;
}

/* The dump, then the queries for the words of TEXT (and, for words of the
 * form MOD.PARAM, for MOD). */
static inline void fuzz_config_exercise(struct kml_ctx *ctx, const struct kml_config *config,
					const char *text, size_t len)
{
	volatile size_t sink = 0;
	char *dump;
	if (kml_config_dump(config, &dump) == 0) {
		sink += fuzz_touch(dump);
		free(dump);
	}
	char *words[FUZZ_CONFIG_WORDS];
	size_t n = fuzz_words(text, len, words, FUZZ_CONFIG_WORDS), plans = 0;
	for (size_t i = 0; i < n; i++) {
		sink += fuzz_config_query(ctx, config, words[i], &plans);
		char *dot = strchr(words[i], '.');
		if (dot) {
			*dot = '\0';
			sink += fuzz_config_query(ctx, config, words[i], &plans);
		}
	}
	fuzz_words_free(words, n);
	(void)sink;
}

#endif
