// SPDX-License-Identifier: GPL-2.0
/* kmodlite VM test module: signed with a throwaway key by build.sh. */
#include <linux/module.h>

static int __init vmt_signed_init(void) { return 0; }
static void __exit vmt_signed_exit(void) { }
module_init(vmt_signed_init);
module_exit(vmt_signed_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: signed");
