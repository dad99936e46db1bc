// SPDX-License-Identifier: GPL-2.0-or-later
/* decompress_zstd() (decompress-zstd.c) and kml_file_from_memory() on zstd
 * streams; see fuzz-decompress.h. Input: a compressed module. */
#include "fuzz-decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_decompress(data, size, decompress_zstd, KML_COMPRESSION_ZSTD);
}
