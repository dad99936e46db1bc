// SPDX-License-Identifier: GPL-2.0-or-later
/* decompress_gzip() (decompress-gz.c) and kml_file_from_memory() on gzip
 * streams; see fuzz-decompress.h. Input: a compressed module. */
#include "fuzz-decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_decompress(data, size, decompress_gzip, KML_COMPRESSION_GZIP);
}
