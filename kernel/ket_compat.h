/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting, classification and formatting code of kvm_exit_timing
 * is plain C with no kernel dependency, so that the host unit tests
 * (tools/testing/selftests/kvm_exit_timing/unit/) compile exactly the
 * source the module runs.  This header gives that code the handful of
 * kernel types and helpers it uses, from the kernel or from libc.
 */
#ifndef KET_COMPAT_H
#define KET_COMPAT_H

#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "ket_host.h"	/* tools/testing/selftests/kvm_exit_timing/unit/ */
#endif

#endif /* KET_COMPAT_H */
