/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_exit_timing internals shared by the probes, the lifecycle code and
 * the debugfs files.  The design, and which thread may touch what, is in
 * Documentation/kvm_exit_timing.rst ("Lifecycle" and "Concurrency").
 */
#ifndef KET_H
#define KET_H

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/hash.h>
#include <linux/kref.h>
#include <linux/kvm_host.h>
#include <linux/llist.h>
#include <linux/rculist.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/types.h>

#include "ket_acct.h"
#include "ket_exits.h"

#define KET_NAME_LEN 48

enum ket_file_kind {
	KET_FILE_TIMING,
	KET_FILE_REASONS,
	KET_FILE_HISTOGRAM,
	KET_FILE_STATS,
	KET_NR_FILES,
};

struct ket_vm;

/* A debugfs file's private data: a VM (@vcpu NULL) or one of its vCPUs. */
struct ket_scope {
	struct ket_vm *vm;
	struct ket_vcpu *vcpu;
};

struct ket_vcpu {
	/* Found by the probes through ket_vcpu_hash, under RCU-sched. */
	struct hlist_node hnode;
	const struct kvm_vcpu *vcpu;	/* key, never dereferenced */
	struct ket_vm *vm;
	struct list_head node;		/* in vm->vcpus, RCU for readers */
	struct ket_scope scope;
	int id;				/* vcpu->vcpu_id */
	bool attached;			/* @unaccounted final; ket_lock */
	struct dentry *dir;		/* KVM's vcpu<N> dir, or ours; referenced */
	struct dentry *files[KET_NR_FILES];	/* referenced */

	/* Readers ask for a reset, the vCPU thread applies it. */
	atomic_t reset_req;
	int reset_done;			/* vCPU thread only */
	atomic64_t unaccounted;		/* exits seen before attach */

	/*
	 * Written by the vCPU thread, in its probes, and under ket_reset_lock
	 * by a reset or retirement once no probe can run; readers retry on
	 * @seq.  Tied to the lock so that on PREEMPT_RT, where it does not
	 * disable preemption, a reader that meets a preempted writer waits
	 * for the lock instead of spinning.
	 */
	seqcount_spinlock_t seq;
	u64 signal_exits;		/* vcpu->stat's, at the last entry */
	struct ket_snap snap;		/* the architecture's (ket_arch.h) */
	struct ket_exit_detail detail;	/* the architecture's */
#ifdef CONFIG_X86_64
	/*
	 * Fields, not a struct of the architecture's: its padding would move
	 * @opaque and @acct, whose offsets x86's probes encode.
	 */
	/* the l1_tsc_scaling_ratio the fast paths run with (SVM: 1.0) */
	u64 tsc_fast_ratio;
	bool tsc_scaled;		/* at the last slow path: uncached */
#endif
	/* Exit reasons unreadable (ket_vcpu_opaque()): never cached. */
	bool opaque;
	struct ket_acct acct;		/* last: ends in the rows */
};

/* A reset asked for that the vCPU's thread has yet to apply. */
static inline bool ket_reset_pending(const struct ket_vcpu *kv)
{
	return atomic_read(&kv->reset_req) != READ_ONCE(kv->reset_done);
}

struct ket_vm {
	/* The lists below and each stats file hold one; ket_vm_put(). */
	struct kref ref;
	struct list_head node;		/* ket_vms, then ket_exited_vms */
	/*
	 * The VM's struct kvm, a key that is never dereferenced: the module
	 * holds no reference to the VM.  NULL once KVM destroys it
	 * (ket_kvm_destroying()); under ket_kvm_lock.
	 */
	const struct kvm *kvm;
	struct hlist_node kvm_node;	/* in ket_kvm_hash while attached */
	struct llist_node retire;	/* queued for ket_retire_fn() */
	char name[KET_NAME_LEN];	/* "<pid>-<fd>", as KVM's dir */
	char stats_id[KVM_STATS_NAME_SIZE]; /* KVM's "kvm-<creator's tid>" */
	struct pid *owner;		/* process that ran its first vCPU */
	u64 serial;
	u64 seq;			/* that of the slot that attached it */
	struct list_head vcpus;
	struct ket_scope scope;
	/* Under ket_lock: */
	bool forget;			/* not to be kept in exited/ */
	bool kept;			/* on ket_exited_vms */
	/* KVM's VM dir, referenced, until the VM exits; then ours. */
	struct dentry *dir;
	struct dentry *files[KET_NR_FILES];	/* referenced */
};

/* ket_main.c */
extern struct ket_reason_table ket_reasons;
extern unsigned int ket_fail_alloc;
extern struct ket_timebase ket_tb;
extern struct dentry *ket_debugfs_root;

/*
 * Every allocation of the module after its init goes through these, so
 * that the fail_alloc debug parameter can make them all fail: attach,
 * tables, stats files and the device's lists (Documentation, "Lifecycle").
 * The status file is exempt, so that the failures stay observable.  All
 * are charged to a memory cgroup: a reader's to the reader's, a VM's
 * states to the VMM's (ket_attach_slot()).
 */
static inline bool ket_may_alloc(void)
{
	return likely(!READ_ONCE(ket_fail_alloc));
}

static inline void *ket_kzalloc(size_t size)
{
	return ket_may_alloc() ? kzalloc(size, GFP_KERNEL_ACCOUNT) : NULL;
}

static inline void *ket_kvzalloc(size_t size)
{
	return ket_may_alloc() ? kvzalloc(size, GFP_KERNEL_ACCOUNT) : NULL;
}

static inline void *ket_kvmalloc(size_t size)
{
	return ket_may_alloc() ? kvmalloc(size, GFP_KERNEL_ACCOUNT) : NULL;
}

static inline void *ket_kvmalloc_array(size_t n, size_t size)
{
	return ket_may_alloc() ? kvmalloc_array(n, size, GFP_KERNEL_ACCOUNT) : NULL;
}

static inline void *ket_kvcalloc(size_t n, size_t size)
{
	return ket_may_alloc() ? kvcalloc(n, size, GFP_KERNEL_ACCOUNT) : NULL;
}

/* ket_now() and the rest of what the architecture provides */
#include "ket_arch.h"

/* ket_probes_common.h, in arch/<arch>/ket_probes.c */
void ket_apply_reset(struct ket_vcpu *kv);

/* ket_lifecycle.c: attached vCPUs by kvm_vcpu pointer, RCU-sched. */
#define KET_HASH_BITS 10
extern struct hlist_head ket_vcpu_hash[1 << KET_HASH_BITS];

/*
 * The vCPU each CPU's probes found last, so that a vCPU that stays on
 * its CPU skips the hash: a thread's kvm_exit and next kvm_entry mostly
 * run on one CPU.  A probe reads the entry and compares its ->vcpu with
 * its own, one load fewer than a separate key; an empty entry is
 * &ket_vcpu_none, whose ->vcpu is NULL.  Only that CPU's probes fill it
 * (preemption is off in a probe, and neither tracepoint fires in
 * interrupt context), and a kvm_entry probe always leaves its vCPU's
 * state there or none, so that where kvm_exit follows with interrupts
 * masked the exit probe need not compare (ket_exit()); there only entry
 * probes fill it.  Others only empty it.  ket_kvm_destroying() empties
 * the entries of a VM KVM is destroying, none of whose vCPUs can run any more, before KVM
 * may free a vCPU and reuse its address, and retirement waits a grace
 * period before it may free the states, so that an entry a probe read
 * stays readable to the end of the probe.
 */
DECLARE_PER_CPU(struct ket_vcpu *, ket_cpu_kv);
extern struct ket_vcpu ket_vcpu_none;

struct ket_vcpu *ket_vcpu_lookup(const struct kvm_vcpu *vcpu, bool fill);
void ket_vcpu_uncache(struct ket_vcpu *kv);

static __always_inline struct ket_vcpu *
ket_vcpu_find(const struct kvm_vcpu *vcpu, bool fill)
{
	struct ket_vcpu *kv = this_cpu_read(ket_cpu_kv);

	return likely(kv->vcpu == vcpu) ? kv : ket_vcpu_lookup(vcpu, fill);
}

/* What a vCPU's state takes: struct ket_vcpu ends in its rows. */
static inline size_t ket_vcpu_size(void)
{
	return offsetof(struct ket_vcpu, acct) +
	       ket_acct_size(ket_reasons.nr);
}

/*
 * What a state of @size bytes takes as allocated (ket_attach_zalloc()):
 * kmalloc's size class up to a page, whole pages above.
 */
static inline size_t ket_state_bytes(size_t size)
{
	return size > PAGE_SIZE ? PAGE_ALIGN(size) : kmalloc_size_roundup(size);
}

int ket_lifecycle_init(void);
void ket_vm_get(struct ket_vm *vm);
void ket_vm_put(struct ket_vm *vm);
struct ket_vm *ket_vm_get_by_id(u64 id);
struct ket_vm *ket_vm_get_by_kvm(const struct kvm *kvm);
int ket_vm_list(struct kvm_exit_timing_vm *out, u32 room, u32 *nr);
struct ket_vcpu *ket_vm_vcpu(struct ket_vm *vm, int id);
unsigned int ket_vm_vcpu_ids(struct ket_vm *vm, u32 *ids, u32 room);
void ket_vm_forget(struct ket_vm *vm);
void ket_lifecycle_exit(void);
void ket_vcpu_miss(struct kvm_vcpu *vcpu, bool at_exit);
void ket_lifecycle_free_exited(void);
void ket_status(struct ket_buf *b);

/* ket_vendor.c */
int ket_vendor_init(const char *name);
void ket_vendor_exit(void);
const char *ket_vendor_module(void);

/* ket_debugfs.c */
void ket_debugfs_create(struct dentry *dir, struct dentry **files,
			struct ket_scope *scope);
void ket_debugfs_remove(struct dentry **files);
void ket_scope_read(const struct ket_scope *sc, struct ket_agg *aggs,
		    void (*fn)(void *arg, const struct ket_vcpu_now *now),
		    void *arg);
extern spinlock_t ket_reset_lock;
void ket_vcpu_reset(struct ket_vcpu *kv);
void ket_vcpu_finish(struct ket_vcpu *kv);
void ket_scope_reset(struct ket_scope *sc);

/* ket_stats.c */
extern const struct file_operations ket_stats_debugfs_fops;
int ket_stats_init(void);
void ket_stats_exit(void);
int ket_stats_fd(struct ket_vm *vm, struct ket_vcpu *kv);

/* ket_dev.c */
int ket_dev_init(void);
void ket_dev_exit(void);

#endif /* KET_H */
