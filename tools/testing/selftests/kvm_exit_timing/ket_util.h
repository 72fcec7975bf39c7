/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the kvm_exit_timing selftests: find a VM's files, parse the
 * tables strictly (any deviation from the documented format fails).
 */
#ifndef KET_UTIL_H
#define KET_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define KET_MAX_ROWS 160
#define KET_MAX_VCPUS 8

struct ket_trow {
	char name[40];
	uint64_t count, min, max, avg, stddev;
	unsigned __int128 sum;
	unsigned int pct_x100;
};

struct ket_tvcpu {
	int id;
	uint64_t entries, exits, untimed, anomalies, unaccounted;
	char now[128];
};

struct ket_table {
	unsigned int nr;
	struct ket_trow rows[KET_MAX_ROWS];
	unsigned int nr_vcpus;
	struct ket_tvcpu vcpus[KET_MAX_VCPUS];
};

/* "/sys/kernel/debug/kvm/<pid>-<vm_fd>" */
void ket_vm_dir(char *buf, size_t size, int vm_fd);
/* Parses a table file; returns NULL and prints why on a format error. */
const char *ket_parse_table(const char *path, struct ket_table *t);
/* Count of row @name, 0 if absent. */
uint64_t ket_count(const struct ket_table *t, const char *name);
const struct ket_trow *ket_row(const struct ket_table *t, const char *name);
/* write(2) of @len bytes of @s at offset @off; returns 0 or errno. */
int ket_write_file(const char *path, const char *s, size_t len, long off);
/* Reads a whole file into a malloc'd string. */
char *ket_slurp(const char *path);
/* Sum of the histogram counts of @name in an exit_histogram file. */
uint64_t ket_hist_total(const char *path, const char *name);

/*
 * An ioctl on a /dev/kvm_exit_timing fd opened with @flags for it (and
 * closed): its result, or -errno.
 */
int ket_dev_ioctl_as(int flags, unsigned long cmd, void *arg);

/*
 * KVM_EXIT_TIMING_FORGET of the VM whose fd is @vm_fd, attached: its
 * tables are not kept in exited/ when it exits, so that the suite leaves
 * no trace there, nor pushes other VMs' tables out.  Returns 0 or errno.
 */
int ket_forget(int vm_fd);
/* The same for VM @id (the serial of its directory under exited/). */
int ket_forget_id(uint64_t id);
/* Key @key's value in the module's status file, malloc'd; NULL if absent. */
char *ket_status_str(const char *key);
/*
 * Whether exited/ has room for one more one-vCPU VM's tables without
 * dropping another VM's (retain_kb less what it keeps): a test that
 * keeps its VM there skips otherwise, so as to push out no one's.
 */
bool ket_exited_room(void);

/*
 * Why the suite cannot run on this host, or NULL: not root (debugfs and
 * the device's reads need it), no /dev/kvm, on x86 neither kvm_amd
 * nor kvm_intel loaded (arm64's KVM is built in), kvm_exit_timing not
 * loaded, its debugfs status not readable (debugfs not mounted, or
 * lockdown), the module loaded older than the suite (no
 * KVM_EXIT_TIMING_FORGET).
 */
const char *ket_missing(void);

/*
 * The harness's main(), after the suite's requirements: a host without
 * them reports a skip with the reason and exits KSFT_SKIP, never a
 * failure (the KVM library's own exit(KSFT_SKIP) inside a test is one to
 * 6.1's harness, a skip to 6.12's).  Each test's further needs (nested=1,
 * npt=0) are skips in the test.  The requirements are checked before the
 * KVM library's constructor, which 6.12's has: it reads kvm's parameters,
 * and exits KSFT_SKIP with a reason of its own where kvm is not loaded.
 * So early, exit() would abort in a static binary (its exception frames
 * are not registered yet): _exit(), its output flushed.
 */
#define KET_HARNESS_MAIN						\
	static void __attribute__((constructor(101)))			\
	ket_requirements(void)						\
	{								\
		const char *why = ket_missing();			\
									\
		if (why) {						\
			ksft_print_header();				\
			printf("1..0 # SKIP %s\n", why);		\
			fflush(stdout);					\
			_exit(KSFT_SKIP);				\
		}							\
	}								\
									\
	int main(int argc, char **argv)					\
	{								\
		return test_harness_run(argc, argv);			\
	}

#endif
