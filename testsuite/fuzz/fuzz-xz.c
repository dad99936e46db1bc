// SPDX-License-Identifier: GPL-2.0-or-later
/* decompress_xz() (decompress-xz.c) and kml_file_from_memory() on xz
 * streams; see fuzz-decompress.h. Input: a compressed module. */
#include "fuzz-decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_decompress(data, size, decompress_xz, KML_COMPRESSION_XZ);
}
