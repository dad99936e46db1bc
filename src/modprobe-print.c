// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe: the loading steps as --show-depends, -n and -v print them, as
 * lines or (--show-depends --json) as a JSON document. */
#include <stdio.h>

#include "json.h"
#include "modprobe-private.h"

/* Version of the --show-depends --json layout (modprobe.8): raised when a
 * member changes meaning or goes away, not when one is added. */
#define SHOW_DEPENDS_JSON_SCHEMA 1

/* Writes the words, each followed by the separator after it: "A B\n". */
static void print_line(const char *word, const char *first, const char *second)
{
	fputs(word, stdout);
	fputs(first, stdout);
	if (second) {
		putchar(' ');
		fputs(second, stdout);
	}
	putchar('\n');
}

/* One step as an object of the "steps" array: the facts of its text line. */
static void json_step(struct json_writer *w, const struct kml_probe_step *s)
{
	json_begin_object(w);
	if (s->action == KML_PROBE_INSTALL) {
		json_member_string(w, "action", "install");
		json_member_string(w, "module", s->name);
		json_member_string(w, "command", s->command);
		json_member_string(w, "options", s->options);
	} else if (s->path) {
		json_member_string(w, "action", "insmod");
		json_member_string(w, "module", s->name);
		json_member_string(w, "path", s->path);
		json_member_string(w, "options", s->options);
	} else {
		json_member_string(w, "action", "builtin");
		json_member_string(w, "module", s->name);
	}
	json_member_bool(w, "target", s->target);
	json_end_object(w);
}

/* --show-depends lines (initramfs builders parse them): printed without
 * printf, which costs more than the rest of a lookup */
void modprobe_print_step(const struct modprobe *mp, const struct kml_probe_step *s)
{
	if (mp->json) {
		if (s->action == KML_PROBE_INSTALL || s->path || s->builtin)
			json_step(mp->json, s);
		return;
	}
	if (s->action == KML_PROBE_INSTALL)
		print_line("install ", s->command, s->options);
	else if (s->path)
		print_line("insmod ", s->path, s->options);
	else if (s->builtin)
		print_line("builtin ", s->name, NULL);
}

void modprobe_json_begin(struct modprobe *mp, struct json_writer *w)
{
	json_init(w, stdout, true);
	json_begin_object(w);
	json_member_int(w, "schema", SHOW_DEPENDS_JSON_SCHEMA);
	json_key(w, "steps");
	json_begin_array(w);
	mp->json = w;
}

int modprobe_json_end(struct modprobe *mp)
{
	json_end_array(mp->json);
	json_end_object(mp->json);
	return json_finish(mp->json);
}
