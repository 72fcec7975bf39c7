// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's setup: the physical counter as the timebase, its rate and how
 * it is read; what the status file says of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <asm/arch_timer.h>
#include <asm/virt.h>

#include "ket.h"

bool ket_a64_counter_wa;
/* CNTFRQ_EL0, and the rate the timebase converts with (Hz). */
static u32 ket_a64_cntfrq, ket_a64_hz;

/* Whether any CPU reads its counter through an erratum's workaround. */
static bool ket_a64_counter_erratum(void)
{
#if IS_ENABLED(CONFIG_ARM_ARCH_TIMER_OOL_WORKAROUND)
	const struct arch_timer_erratum_workaround *wa;
	int cpu;

	for_each_possible_cpu(cpu) {
		wa = per_cpu(timer_unstable_counter_workaround, cpu);
		if (wa && wa->read_cntpct_el0)
			return true;
	}
#endif
	return false;
}

/* A counter read and the kernel's raw clock's, together. */
static void ket_a64_sample(u64 *cnt, u64 *ns)
{
	unsigned long flags;

	local_irq_save(flags);
	*ns = ktime_get_raw_ns();
	*cnt = ket_a64_counter_wa ? ket_now_stable() : ket_now();
	local_irq_restore(flags);
}

/*
 * The counter's rate against the kernel's raw clock, over 20 ms, or 0
 * if the measure is not worth one (the sleep took over a second).
 */
static u32 ket_a64_measure_hz(void)
{
	u64 c0, c1, t0, t1;

	ket_a64_sample(&c0, &t0);
	msleep(20);
	ket_a64_sample(&c1, &t1);
	if (t1 <= t0 || t1 - t0 > NSEC_PER_SEC || c1 <= c0)
		return 0;
	return div64_u64((c1 - c0) * NSEC_PER_SEC, t1 - t0);
}

/*
 * The rate is CNTFRQ_EL0, which firmware programs.  Where it did not (a
 * device tree's clock-frequency then gives the kernel's rate, which is
 * not exported), the counter's measured rate is taken instead: within
 * 1%, CNTFRQ_EL0 is believed, being exact.
 */
int ket_arch_init(enum ket_vendor *vendor, struct ket_timebase *tb)
{
	u32 hz, off;

	*vendor = KET_VENDOR_ARM64;
	ket_a64_counter_wa = ket_a64_counter_erratum();
	ket_a64_cntfrq = arch_timer_get_cntfrq();
	ket_a64_hz = ket_a64_cntfrq;
	hz = ket_a64_measure_hz();
	off = hz > ket_a64_hz ? hz - ket_a64_hz : ket_a64_hz - hz;
	if (hz && (!ket_a64_hz || off > ket_a64_hz / 100)) {
		pr_warn("CNTFRQ_EL0 says %u Hz, the counter runs at %u Hz: using %u\n",
			ket_a64_cntfrq, hz, hz);
		ket_a64_hz = hz;
	}
	if (!ket_a64_hz)
		return -ENODEV;
	if (ket_a64_counter_wa)
		pr_info("a counter erratum's workaround reads the counter on some CPUs: the probes do too\n");
	/* ns = ticks * 10^9 / hz = (ticks * mult) >> 32 */
	ket_timebase_init(tb, div_u64((u64)NSEC_PER_SEC << 32, ket_a64_hz));
	return 0;
}

void ket_arch_status(struct ket_buf *b)
{
	ket_buf_printf(b, "vendor arm64\n");
	ket_buf_printf(b, "vendor_module %s\n", ket_vendor_module());
	ket_buf_printf(b, "counter %s\n",
		       ket_a64_counter_wa ? "cntpct_stable" : "cntpct");
	ket_buf_printf(b, "counter_hz %u\n", ket_a64_hz);
	ket_buf_printf(b, "cntfrq_hz %u\n", ket_a64_cntfrq);
	ket_buf_printf(b, "kvm_mode %s\n",
		       is_kernel_in_hyp_mode() ? "vhe" : "nvhe");
}

/* KVM is built in on arm64 (its Kconfig symbol is a bool, up to 7.x). */
const char *ket_arch_vendor_name(enum ket_vendor vendor)
{
	return IS_MODULE(CONFIG_KVM) ? "kvm" : NULL;
}
