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

/* changeable at runtime (kmod params): any int */
static int p_rw = 10;
module_param(p_rw, int, 0644);
MODULE_PARM_DESC(p_rw, "a writable integer");

/* changeable, but the module's setter takes even numbers only (-EDOM) */
static int p_even = 2;
static int vmt_set_even(const char *val, const struct kernel_param *kp)
{
	int v, r = kstrtoint(val, 0, &v);
	if (r)
		return r;
	if (v % 2)
		return -EDOM;
	return param_set_int(val, kp);
}
static const struct kernel_param_ops vmt_even_ops = {
	.set = vmt_set_even,
	.get = param_get_int,
};
module_param_cb(p_even, &vmt_even_ops, &p_even, 0644);
__MODULE_PARM_TYPE(p_even, "int");
MODULE_PARM_DESC(p_even, "an even integer");

static int __init vmt_params_init(void) { return 0; }
static void __exit vmt_params_exit(void) { }
module_init(vmt_params_init);
module_exit(vmt_params_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmodlite VM test: parameters");
MODULE_ALIAS("vmtest-params-alias");
