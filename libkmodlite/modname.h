/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module names inside the library (modname.c; the public part is in
 * kmodlite.h: kml_module_name_from_path, kml_alias_normalize,
 * kml_module_ext_len).
 */
#ifndef KMODLITE_MODNAME_H
#define KMODLITE_MODNAME_H

/*
 * Normalises a module name or alias pattern in place as modprobe.d lines
 * and the kernel command line have it: '-' -> '_' outside [...]. -EINVAL
 * for a ']' outside brackets or a '[' without a later ']' (S is then
 * normalised up to that bracket).
 */
int modname_normalize(char *s);

#endif
