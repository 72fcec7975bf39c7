/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the statistics come from: /dev/kvm_exit_timing, or, where it is
 * missing, the exit_timing.stats files in debugfs.  Both give binary
 * statistics; the text tables are never read.
 */
#ifndef KET_SOURCE_H
#define KET_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ket_stats.h"

struct ket_vm_info {
	uint64_t id;		/* the device's id; 0 from debugfs */
	int pid;
	int exited;
	char name[80];		/* "<pid>-<fd>", "<pid>-<fd>.<serial>" */
	/* Its guest's name, read on first use: ket_vm_guest(). */
	char *guest_cache;
	unsigned int nr_vcpus;
	uint32_t *vcpu_ids;
	char dir[256];		/* debugfs directory, debugfs source only */
};

struct ket_source {
	int dev_fd;		/* -1: debugfs */
	const char *debugfs;	/* its mount point */
};

/* Errors are written to @err; the return value is -errno. */
int ket_source_open(struct ket_source *src, char *err, size_t esz);
void ket_source_close(struct ket_source *src);
int ket_source_list(struct ket_source *src, struct ket_vm_info **vms,
		    unsigned int *nr, char *err, size_t esz);
void ket_source_free_list(struct ket_vm_info *vms, unsigned int nr);
/*
 * @vm's guest name (ket_guest.h), read from /proc on first use only:
 * reading a process's command line waits for its mm.  "" if none, and
 * for an exited VM, whose pid may be another process's by now.
 */
const char *ket_vm_guest(const struct ket_vm_info *vm);
/* A binary stats fd for @vm, or its vCPU @vcpu (-1: the VM). */
int ket_source_stats_fd(struct ket_source *src, const struct ket_vm_info *vm,
			int vcpu, char *err, size_t esz);
int ket_source_reset(struct ket_source *src, const struct ket_vm_info *vm,
		     int vcpu, char *err, size_t esz);

/* Reads a whole stats file and parses it. */
int ket_read_stats(int fd, struct ket_scope_stats *s, char *err, size_t esz);

#endif
