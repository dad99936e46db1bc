// SPDX-License-Identifier: GPL-2.0-or-later
/* Signature checks shared by kmod verify, modprobe and insmod. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool-verify.h"

int tool_trust_add_cert(struct tool_trust *t, const char *file)
{
	char **p = realloc(t->certs, (t->ncerts + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->certs = p;
	t->certs[t->ncerts++] = (char *)file;
	return 0;
}

void tool_trust_release(struct tool_trust *t)
{
	kml_keyring_free(t->keyring);
	free(t->certs);
	memset(t, 0, sizeof(*t));
}

int tool_trust_load(struct tool_trust *t)
{
	if (!tool_trust_wanted(t))
		return 0;
	int r = kml_keyring_new(&t->keyring);
	if (r < 0) {
		tool_err("signature verification is not supported: %s\n",
			 r == -ENOTSUP ? "built without libcrypto, or libcrypto.so.3 missing"
				       : strerror(-r));
		return r;
	}
	for (size_t i = 0; i < t->ncerts; i++) {
		r = kml_keyring_add_file(t->keyring, t->certs[i]);
		if (r < 0) {
			tool_err("could not read certificate '%s': %s\n", t->certs[i],
				 r == -EBADMSG ? "no PEM or DER X.509 certificate in it"
					       : strerror(-r));
			return r;
		}
	}
	if (t->keyring_dir) {
		r = kml_keyring_add_dir(t->keyring, t->keyring_dir);
		if (r < 0) {
			tool_err("could not read keyring '%s': %s\n", t->keyring_dir,
				 strerror(-r));
			return r;
		}
	}
	if (kml_keyring_count(t->keyring) == 0) {
		tool_err("no certificate to verify signatures with\n");
		return -ENOKEY;
	}
	return 0;
}

int tool_trust_verify_file(const struct tool_trust *t, const char *path,
			   struct kml_verify_result *res, struct kml_file **ret_file)
{
	struct kml_file *file = NULL;
	int r = kml_file_open(path, &file);
	if (r < 0)
		return r;
	r = kml_verify_module(t->keyring, kml_file_data(file), kml_file_size(file), res);
	if (r == 0 && ret_file)
		*ret_file = file;
	else
		kml_file_free(file);
	return r;
}

int tool_trust_check(const struct tool_trust *t, const char *name, const char *path,
		     struct kml_file **ret_file)
{
	*ret_file = NULL;
	if (!t->keyring)
		return 0;
	struct kml_verify_result res;
	struct kml_file *file = NULL;
	int r = tool_trust_verify_file(t, path, &res, &file);
	if (r < 0) {
		tool_err("could not verify the signature of %s (%s): %s\n", name, path,
			 strerror(-r));
		return r;
	}
	if (res.verdict != KML_VERDICT_GOOD) {
		tool_err("refusing %s (%s): %s%s%s%s%s\n", name, path,
			 kml_verdict_name(res.verdict), res.signer ? ", signer " : "",
			 res.signer ? res.signer : "", res.reason ? ": " : "",
			 res.reason ? res.reason : "");
		r = -EKEYREJECTED;
		kml_file_free(file);
		file = NULL;
	}
	*ret_file = file;
	kml_verify_result_clear(&res);
	return r;
}
