// SPDX-License-Identifier: GPL-2.0
/* kmodlite VM test module: depends on vmt_export through a symbol. */
#include <linux/module.h>

extern int vmt_export_value(void);

static int __init vmt_user_init(void) { return vmt_export_value() == 42 ? 0 : -EINVAL; }
static void __exit vmt_user_exit(void) { }
module_init(vmt_user_init);
module_exit(vmt_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: user of vmt_export");
