// SPDX-License-Identifier: LGPL-2.1-or-later
/* xz decompression through liblzma, opened on first use. */
#include <errno.h>

#include "kmodlite-private.h"

#if ENABLE_XZ
#include <lzma.h>

static lzma_ret (*p_lzma_stream_decoder)(lzma_stream *, uint64_t, uint32_t);
static lzma_ret (*p_lzma_code)(lzma_stream *, lzma_action);
static void (*p_lzma_end)(lzma_stream *);

static const struct dl_symbol xz_symbols[] = {
	{ "lzma_stream_decoder", (void **)&p_lzma_stream_decoder },
	{ "lzma_code", (void **)&p_lzma_code },
	{ "lzma_end", (void **)&p_lzma_end },
};
static struct dl_library xz_library = { ENABLE_XZ_SONAME, xz_symbols, ARRAY_SIZE(xz_symbols), 0 };

/* Stream header and footer: 12 bytes each; stream flags 0x00 0x01 = CRC32. */
#define XZ_HEADER_SIZE 12
#define XZ_CHECK_CRC32 0x01
/* modules compress 3-5 times; anything past this is not a module */
#define XZ_PLAUSIBLE_RATIO 64

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An xz variable-length integer, at most 9 bytes, no trailing zero byte. */
static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;
	for (int i = 0; i < 9 && *p < end; i++) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*ret = v;
			return b != 0 || i == 0;
		}
	}
	return false;
}

/*
 * Reads the stream footer and index of IN: true when IN is exactly one stream
 * holding one block, checked with CRC32. Then *RET_SIZE is the block's
 * uncompressed size and *RET_CHECK the offset of its CRC32. Nothing here is
 * trusted further: the decoder checks the index against the block, and the
 * caller the CRC and the size.
 */
static bool one_block_layout(const uint8_t *in, size_t len, uint64_t *ret_size, size_t *ret_check)
{
	if (len < 2 * XZ_HEADER_SIZE + 8)
		return false;
	const uint8_t *footer = in + len - XZ_HEADER_SIZE;
	if (footer[10] != 'Y' || footer[11] != 'Z' || in[6] != 0 || in[7] != XZ_CHECK_CRC32 ||
	    footer[8] != 0 || footer[9] != XZ_CHECK_CRC32)
		return false;
	uint64_t index_size = ((uint64_t)le32(footer + 4) + 1) * 4;
	if (index_size > len - 2 * XZ_HEADER_SIZE)
		return false;
	const uint8_t *p = footer - index_size;
	const uint8_t *end = footer - 4; /* the index's own CRC32 */
	uint64_t records, unpadded, size;
	if (*p++ != 0 || !read_varint(&p, end, &records) || records != 1 ||
	    !read_varint(&p, end, &unpadded) || !read_varint(&p, end, &size))
		return false;
	/* the block: header, data, padding to 4 bytes, then the 4-byte check */
	if (unpadded < 4 || unpadded > len)
		return false;
	uint64_t block_size = (unpadded + 3) & ~(uint64_t)3;
	if (XZ_HEADER_SIZE + block_size + index_size + XZ_HEADER_SIZE != len)
		return false;
	*ret_size = size;
	*ret_check = XZ_HEADER_SIZE + block_size - 4;
	return true;
}

int decompress_xz_one_block(const void *in, size_t in_len, size_t max, void **ret_buf,
			    size_t *ret_len)
{
	int r = dl_load(&xz_library);
	if (r < 0)
		return r;
	uint64_t size;
	size_t check_at;
	/* a size the index claims beyond what such a file plausibly holds is
	 * not allocated up front: the general path grows its buffer only as
	 * far as the data really decodes */
	if (!one_block_layout(in, in_len, &size, &check_at) || size > max || size >= SIZE_MAX ||
	    size > (uint64_t)in_len * XZ_PLAUSIBLE_RATIO + (1u << 20))
		return -EAGAIN;
	/* liblzma's CRC32 is a table, a tenth of the decoding time: with a
	 * faster one here it is skipped there and computed below */
	bool own_check = crc32_is_fast();
	uint8_t *out = malloc((size_t)size + 1);
	if (!out)
		return -EAGAIN;
	lzma_stream strm = LZMA_STREAM_INIT;
	/* a liblzma older than LZMA_IGNORE_CHECK (5.1.4) refuses the flag:
	 * then the general path does it all */
	lzma_ret init = p_lzma_stream_decoder(&strm, (uint64_t)256 << 20,
					      own_check ? LZMA_IGNORE_CHECK : 0);
	if (init != LZMA_OK) {
		free(out);
		return init == LZMA_MEM_ERROR ? -ENOMEM : -EAGAIN;
	}
	strm.next_in = in;
	strm.avail_in = in_len;
	strm.next_out = out;
	strm.avail_out = (size_t)size;
	lzma_ret lr = p_lzma_code(&strm, LZMA_FINISH);
	bool ok = lr == LZMA_STREAM_END && strm.total_out == size && strm.avail_in == 0;
	p_lzma_end(&strm);
	if (ok && own_check)
		ok = crc32_update(0, out, (size_t)size) == le32((const uint8_t *)in + check_at);
	if (!ok) {
		free(out);
		return -EAGAIN; /* the general path gives the verdict */
	}
	out[size] = '\0';
	*ret_buf = out;
	*ret_len = (size_t)size;
	return 0;
}

int decompress_xz(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	int r = decompress_xz_one_block(in, in_len, max, ret_buf, ret_len);
	if (r != -EAGAIN)
		return r;
	/* any other shape, or a damaged file: the general decoder, checking
	 * everything, has the last word */

	lzma_stream strm = LZMA_STREAM_INIT;
	/* 256 MiB of decoder memory is far beyond any module's dictionary. */
	if (p_lzma_stream_decoder(&strm, (uint64_t)256 << 20, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	struct strbuf out = { 0 };
	/* Modules compress about 3-4x; start there and grow. */
	r = strbuf_reserve(&out, in_len < max / 4 ? in_len * 4 : max);
	strm.next_in = in;
	strm.avail_in = in_len;
	while (r == 0) {
		if (out.cap - out.len < 2) {
			r = strbuf_grow_bounded(&out, max);
			if (r < 0)
				break;
		}
		strm.next_out = (uint8_t *)out.data + out.len;
		strm.avail_out = out.cap - 1 - out.len;
		lzma_ret lr = p_lzma_code(&strm, LZMA_FINISH);
		out.len = out.cap - 1 - strm.avail_out;
		if (out.len > max) {
			r = -EFBIG;
			break;
		}
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_MEM_ERROR)
			r = -ENOMEM;
		else if (lr != LZMA_OK && lr != LZMA_BUF_ERROR)
			r = -EBADMSG;
		else if (lr == LZMA_BUF_ERROR && strm.avail_out > 0)
			r = -EBADMSG; /* truncated stream: no progress possible */
	}
	p_lzma_end(&strm);
	if (r < 0) {
		free(out.data);
		return r;
	}
	*ret_buf = out.data;
	*ret_len = out.len;
	return 0;
}
#else
int decompress_xz_one_block(const void *in, size_t in_len, size_t max, void **ret_buf,
			    size_t *ret_len)
{
	return -ENOTSUP;
}

int decompress_xz(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len)
{
	return -ENOTSUP;
}
#endif
