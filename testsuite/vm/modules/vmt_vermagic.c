// SPDX-License-Identifier: GPL-2.0
/* kmodlite VM test module: build.sh rewrites its vermagic, so the kernel
 * accepts it only with --force-vermagic (or -f). */
#include <linux/module.h>

static int __init vmt_vermagic_init(void) { return 0; }
static void __exit vmt_vermagic_exit(void) { }
module_init(vmt_vermagic_init);
module_exit(vmt_vermagic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: wrong vermagic");
