// SPDX-License-Identifier: GPL-2.0
/* kmodlite VM test module: exports a symbol that vmt_user uses. */
#include <linux/module.h>

int vmt_export_value(void) { return 42; }
EXPORT_SYMBOL_GPL(vmt_export_value);

static int __init vmt_export_init(void) { return 0; }
static void __exit vmt_export_exit(void) { }
module_init(vmt_export_init);
module_exit(vmt_export_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: exporter");
