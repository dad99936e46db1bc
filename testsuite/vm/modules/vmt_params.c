// SPDX-License-Identifier: GPL-2.0
/* kmodlite VM test module: parameters of several types, visible in sysfs. */
#include <linux/module.h>
#include <linux/moduleparam.h>

static int p_int = 1;
module_param(p_int, int, 0444);
MODULE_PARM_DESC(p_int, "an integer");

static char *p_str = "default";
module_param(p_str, charp, 0444);
MODULE_PARM_DESC(p_str, "a string");

static int p_arr[4];
static int p_arr_n;
module_param_array(p_arr, int, &p_arr_n, 0444);
MODULE_PARM_DESC(p_arr, "an array of integers");

static bool p_bool;
module_param(p_bool, bool, 0444);

static int __init vmt_params_init(void) { return 0; }
static void __exit vmt_params_exit(void) { }
module_init(vmt_params_init);
module_exit(vmt_params_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: parameters");
MODULE_ALIAS("vmtest-params-alias");
