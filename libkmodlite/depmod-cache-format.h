/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What depmod-cache-write.c and depmod-cache-read.c both need to agree on
 * (the format itself is described in depmod-cache.h): the magic, the
 * trailer's size and the architecture a cache is written for.
 */
#ifndef KMODLITE_DEPMOD_CACHE_FORMAT_H
#define KMODLITE_DEPMOD_CACHE_FORMAT_H

static const char magic[8] = { 'K', 'M', 'L', 'D', 'M', 'C', '\r', '\n' };
#define TRAILER_SIZE 12 /* u64 size, u32 CRC */

/* The writer's architecture: a cache is only trusted by the same build. */
#if defined(__x86_64__)
#define ARCH_NAME "x86_64"
#elif defined(__i386__)
#define ARCH_NAME "i386"
#elif defined(__aarch64__)
#define ARCH_NAME "aarch64"
#elif defined(__arm__)
#define ARCH_NAME "arm"
#elif defined(__riscv)
#define ARCH_NAME "riscv"
#elif defined(__powerpc64__)
#define ARCH_NAME "ppc64"
#elif defined(__powerpc__)
#define ARCH_NAME "ppc"
#elif defined(__s390x__)
#define ARCH_NAME "s390x"
#elif defined(__loongarch__)
#define ARCH_NAME "loongarch"
#elif defined(__mips__)
#define ARCH_NAME "mips"
#else
#define ARCH_NAME "other"
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH_ORDER "le"
#else
#define ARCH_ORDER "be"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)
#define ARCH ARCH_NAME "-" ARCH_ORDER "-" STR(__SIZEOF_POINTER__)

#endif
