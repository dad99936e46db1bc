/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The appended signature's trailer inside the library (signature.c): read
 * once here for kml_signature_parse() and for verify.c. The public part is
 * in kmodlite.h (kml_signature_parse).
 */
#ifndef KMODLITE_SIGNATURE_H
#define KMODLITE_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

/* struct module_signature's id_type values. */
enum { SIG_ID_PGP, SIG_ID_X509, SIG_ID_PKCS7 };

/* The fields of struct module_signature, as found before the magic. */
struct sig_trailer {
	uint8_t algo, hash, id_type, signer_len, key_id_len;
	uint32_t sig_len;
	/* the bytes before the trailer (module, signer, key id, signature):
	 * the trailer starts at bytes + avail */
	size_t avail;
};

/*
 * Reads the trailer at the end of a module's SIZE BYTES: -ENODATA when the
 * magic string is not there (not signed), -EBADMSG when the bytes are too
 * short to hold the trailer, else 0. The fields are not checked.
 */
int sig_trailer_read(const uint8_t *bytes, size_t size, struct sig_trailer *t);

#endif
