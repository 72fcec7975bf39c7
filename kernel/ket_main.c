// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_exit_timing: times every KVM guest exit, per vCPU, per exit reason
 * and per class, with latency histograms; see
 * Documentation/kvm_exit_timing.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "ket.h"

/*
 * Static, not allocated, so that the probes index its fast table with no
 * pointer to load first.
 */
struct ket_reason_table ket_reasons;

unsigned int ket_fail_alloc;
module_param_named(fail_alloc, ket_fail_alloc, uint, 0644);
MODULE_PARM_DESC(fail_alloc,
		 "Debug: while non-zero, every allocation of the module fails");
struct ket_timebase ket_tb;
struct dentry *ket_debugfs_root;

static int ket_status_show(struct seq_file *m, void *v)
{
	struct ket_buf b = {};
	int ret = 0;

	b.cap = 4096;
	b.p = kmalloc(b.cap, GFP_KERNEL);
	if (!b.p)
		return -ENOMEM;
	ket_arch_status(&b);
	ket_buf_printf(&b, "ns_mult %llu\n", ket_tb.mult);
	ket_buf_printf(&b, "probe %s\n", ket_probe_signature());
	ket_buf_printf(&b, "vcpu_state_bytes %zu\n",
		       ket_state_bytes(ket_vcpu_size()));
	ket_buf_printf(&b, "vm_state_bytes %zu\n",
		       ket_state_bytes(sizeof(struct ket_vm)));
	ket_status(&b);
	if (b.overflow)
		ret = -E2BIG;
	else
		seq_write(m, b.p, b.len);
	kfree(b.p);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(ket_status);

static int __init ket_init(void)
{
	enum ket_vendor vendor;
	int ret;

	ret = ket_arch_init(&vendor, &ket_tb);
	if (ret)
		return ret;
	ret = ket_reason_table_init(&ket_reasons, vendor);
	if (ret)
		return ret;

	ret = ket_stats_init();
	if (ret)
		return ret;
	ret = ket_vendor_init(ket_arch_vendor_name(vendor));
	if (ret)
		goto stats;
	ket_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("status", 0400, ket_debugfs_root, NULL,
			    &ket_status_fops);
	ret = ket_lifecycle_init();
	if (ret)
		goto remove;
	ret = ket_probes_register();
	if (ret)
		goto lifecycle;
	ret = ket_dev_init();
	if (ret)
		goto probes;
	return 0;

probes:
	ket_probes_unregister();
lifecycle:
	ket_lifecycle_exit();
remove:
	debugfs_remove_recursive(ket_debugfs_root);
	ket_lifecycle_free_exited();
	ket_vendor_exit();
stats:
	ket_stats_exit();
	return ret;
}

static void __exit ket_exit(void)
{
	ket_dev_exit();
	ket_probes_unregister();
	ket_lifecycle_exit();
	debugfs_remove_recursive(ket_debugfs_root);
	ket_lifecycle_free_exited();
	ket_vendor_exit();
	ket_stats_exit();
}

module_init(ket_init);
module_exit(ket_exit);

MODULE_DESCRIPTION("Per-vCPU timing and classification of KVM guest exits");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: kvm");
