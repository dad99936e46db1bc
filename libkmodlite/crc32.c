// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC-32 as gzip, zlib and xz's CRC32 check compute it (polynomial
 * 0x04c11db7, bit-reflected, initial and final value inverted).
 *
 * On x86-64 CPUs with carry-less multiplication the bulk of a buffer is
 * folded 64 bytes at a time: a 128-bit block B at distance D ahead of the
 * rest is replaced by the product of its two 64-bit halves with x^(D+64) and
 * x^D reduced modulo the polynomial (pre-computed constants), which leaves
 * the remainder of the whole message unchanged. What remains (one 128-bit
 * value and up to 15 bytes) is finished bit by bit. About twenty times the
 * speed of a table; everything else uses the bitwise loop, which is slow and
 * only meant for short tails: callers with megabytes ask crc32_is_fast().
 */
#include "kmodlite-private.h"

#define CRC32_REFLECTED_POLY 0xedb88320u

/* The register update without the inversions: STATE after the bytes P[0..N). */
static uint32_t crc32_bits(uint32_t state, const uint8_t *p, size_t n)
{
	while (n--) {
		state ^= *p++;
		for (int k = 0; k < 8; k++)
			state = (state >> 1) ^ (CRC32_REFLECTED_POLY & (0u - (state & 1)));
	}
	return state;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define CLMUL_TARGET __attribute__((target("pclmul,sse2")))

/* x^(D+32) and x^(D-32) mod P, bit-reflected and shifted as PCLMULQDQ on
 * reflected operands needs them, for D = 512 (four lanes) and D = 128. */
#define FOLD_512_LO 0x154442bd4ull
#define FOLD_512_HI 0x1c6e41596ull
#define FOLD_128_LO 0x1751997d0ull
#define FOLD_128_HI 0x0ccaa009eull

CLMUL_TARGET static inline __m128i fold(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
	return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

CLMUL_TARGET static inline __m128i load(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* N >= 64 */
CLMUL_TARGET static uint32_t crc32_clmul(uint32_t state, const uint8_t *p, size_t n)
{
	const __m128i k512 = _mm_set_epi64x((long long)FOLD_512_HI, (long long)FOLD_512_LO);
	const __m128i k128 = _mm_set_epi64x((long long)FOLD_128_HI, (long long)FOLD_128_LO);
	/* the register's state enters as the first four bytes' complement */
	__m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128((int)state));
	__m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
	p += 64;
	n -= 64;
	for (; n >= 64; p += 64, n -= 64) {
		x0 = fold(x0, k512, load(p));
		x1 = fold(x1, k512, load(p + 16));
		x2 = fold(x2, k512, load(p + 32));
		x3 = fold(x3, k512, load(p + 48));
	}
	x0 = fold(x0, k128, x1);
	x0 = fold(x0, k128, x2);
	x0 = fold(x0, k128, x3);
	for (; n >= 16; p += 16, n -= 16)
		x0 = fold(x0, k128, load(p));
	uint8_t rest[16];
	_mm_storeu_si128((__m128i *)(void *)rest, x0);
	/* the folded value stands where the message's last whole block was:
	 * the remainder from a zero register onwards is the message's */
	return crc32_bits(crc32_bits(0, rest, sizeof(rest)), p, n);
}

bool crc32_is_fast(void)
{
	return __builtin_cpu_supports("pclmul");
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	if (len >= 64 && crc32_is_fast())
		return ~crc32_clmul(~crc, buf, len);
	return ~crc32_bits(~crc, buf, len);
}
#else
bool crc32_is_fast(void)
{
	return false;
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32_bits(~crc, buf, len);
}
#endif

uint32_t crc32_update_bitwise(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32_bits(~crc, buf, len);
}
