/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signature checks shared by kmod verify, modprobe and insmod. */
#ifndef KMODLITE_TOOL_VERIFY_H
#define KMODLITE_TOOL_VERIFY_H

#include "tool.h"

/* What --cert and --keyring gave; the keyring once loaded. */
struct tool_trust {
	char **certs; /* point into argv */
	size_t ncerts;
	const char *keyring_dir;
	struct kml_keyring *keyring;
};

static inline bool tool_trust_wanted(const struct tool_trust *t)
{
	return t->ncerts > 0 || t->keyring_dir;
}

int tool_trust_add_cert(struct tool_trust *t, const char *file);
/* Loads the certificates (nothing when none was asked for); messages printed. */
int tool_trust_load(struct tool_trust *t);
void tool_trust_release(struct tool_trust *t);
/* Opens (decompressing) and verifies one module file; with RET_FILE, the
 * file stays open there (the bytes that were verified). */
int tool_trust_verify_file(const struct tool_trust *t, const char *path,
			   struct kml_verify_result *res, struct kml_file **ret_file);
/* modprobe and insmod: 0 when no keyring is loaded, or PATH is good and
 * *RET_FILE holds the verified bytes, which the caller hands to the kernel
 * (kml_kernel_insert_image: the file is not read a second time) and frees;
 * else an error naming NAME and the verdict is printed and -EKEYREJECTED
 * returned. */
int tool_trust_check(const struct tool_trust *t, const char *name, const char *path,
		     struct kml_file **ret_file);

#endif
