// SPDX-License-Identifier: GPL-2.0
/*
 * x86's setup: the vendor, SVM or VMX, from the CPU's features, and the
 * TSC as the timebase; what the status file says of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/time64.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "ket.h"

int ket_arch_init(enum ket_vendor *vendor, struct ket_timebase *tb)
{
	if (boot_cpu_has(X86_FEATURE_SVM))
		*vendor = KET_VENDOR_SVM;
	else if (boot_cpu_has(X86_FEATURE_VMX))
		*vendor = KET_VENDOR_VMX;
	else
		return -ENODEV;
	if (!tsc_khz)
		return -ENODEV;
	/* ns = cycles * 10^6 / tsc_khz = (cycles * mult) >> 32 */
	ket_timebase_init(tb, div_u64((u64)NSEC_PER_MSEC << 32, tsc_khz));
	if (check_tsc_unstable())
		pr_warn("TSC unstable: deltas across CPUs may be wrong; negative ones are counted as clock anomalies\n");
	return 0;
}

void ket_arch_status(struct ket_buf *b)
{
	ket_buf_printf(b, "vendor %s\n",
		       ket_reasons.vendor == KET_VENDOR_SVM ? "svm" : "vmx");
	ket_buf_printf(b, "vendor_module %s\n", ket_vendor_module());
	ket_buf_printf(b, "tsc_khz %u\n", tsc_khz);
	ket_buf_printf(b, "tsc_stable %d\n", !check_tsc_unstable());
}

/* Even if built in: the status file then says "-", as it always did. */
const char *ket_arch_vendor_name(enum ket_vendor vendor)
{
	return vendor == KET_VENDOR_SVM ? "kvm_amd" : "kvm_intel";
}
