// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU lifecycle, as described in Documentation/kvm_exit_timing.rst
 * ("Lifecycle").  The module holds no reference to a VM, a vCPU or the
 * vendor module: KVM creates and destroys VMs when, where and as it
 * would without it.
 *
 *  - attach: a probe that meets an unknown vCPU claims a slot, copies
 *    what the attach needs from the running vCPU (its VM as a key, names,
 *    the memory cgroup to charge) and kicks the attach worker through
 *    irq_work; the worker allocates the vCPU's state, charged to that
 *    cgroup, and publishes it in ket_vcpu_hash.  Exits seen meanwhile are
 *    counted, not lost.
 *  - exit: a kprobe on kvm_arch_destroy_vm(), which KVM calls once it
 *    destroys a VM, in the context of whoever dropped its last reference
 *    (KVM's own choice), before it frees the vCPUs, unpublishes the VM's
 *    states there and then (ket_kvm_destroying()), so that no probe
 *    finds them again, not even for a vCPU at the same address later.
 *    A work item then finalises them and moves their tables under
 *    kvm_exit_timing/exited/, where the most recent ones are kept, up to
 *    ket_retain_kb of states.
 *    KVM removed our files with its directory just before.  KVM also
 *    calls kvm_arch_destroy_vm() when kvm_create_vm() fails: no vCPU of
 *    that VM ran, so the module has nothing of it.
 *
 * ket_lock serialises the attach worker's publications (it allocates
 * without it), retirement and the readers of the lists; the probes never
 * take it, nor do the debugfs file operations (debugfs_remove() waits
 * for those, so they must not wait for us).  ket_kvm_lock, a raw
 * spinlock, serialises what the kprobe touches: the keys (a slot's VM, a
 * VM's struct kvm) and ket_vcpu_hash.
 */
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kmemleak.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/llist.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "ket.h"

struct hlist_head ket_vcpu_hash[1 << KET_HASH_BITS];
/* Zeroed: in KET_PHASE_NEW, which no fast stamp passes (ket_exit()). */
struct ket_vcpu ket_vcpu_none;
static_assert(KET_PHASE_NEW == 0);
/*
 * Set to &ket_vcpu_none by ket_lifecycle_init(): the module loader does
 * not relocate a module's per-CPU section, so no initialiser here can
 * hold an address.
 */
DEFINE_PER_CPU(struct ket_vcpu *, ket_cpu_kv);

/*
 * Probe context: @vcpu is not this CPU's cached one; NULL if unknown.
 * Found, it fills this CPU's entry, then applies a reset asked for
 * before: the probes' common paths, which find the vCPU in the cache, do
 * not look, and a reset asked for after the fill empties the entry
 * (ket_vcpu_reset()), so that the next probe comes here again.  Unknown
 * or opaque, it empties the entry: the kvm_exit probe that follows a
 * kvm_entry on this CPU must find @vcpu's state or none (ket_exit()).
 * Without @fill (a kvm_exit probe that does not compare the cache's
 * vCPU), it leaves the entry as it is, and only applies a reset.
 */
noinline struct ket_vcpu *ket_vcpu_lookup(const struct kvm_vcpu *vcpu,
					  bool fill)
{
	struct ket_vcpu *kv;

	hlist_for_each_entry_rcu(kv, &ket_vcpu_hash[hash_ptr(vcpu, KET_HASH_BITS)],
				 hnode)
		/*
		 * The VM too, and its stats id: should the kprobe on VM
		 * destruction not fire (kprobes disarmed, or ftrace off, by
		 * the administrator), a vCPU at the address of an old one
		 * must not find the old one's state, unless one thread made
		 * both (see ket_vm_live()).
		 */
		if (kv->vcpu == vcpu && READ_ONCE(kv->vm->kvm) == vcpu->kvm &&
		    !strcmp(kv->vm->stats_id, vcpu->kvm->stats_id)) {
			/* Never an opaque vCPU: its exits take the slow path. */
			if (fill && likely(!kv->opaque))
				this_cpu_write(ket_cpu_kv, kv);
			else if (fill)
				this_cpu_write(ket_cpu_kv, &ket_vcpu_none);
			/*
			 * Pairs with ket_vcpu_reset()'s: either the request
			 * is seen here or the reader sees this fill and
			 * empties the entry.
			 */
			smp_mb();
			if (unlikely(ket_reset_pending(kv))) {
				raw_write_seqcount_begin(&kv->seq);
				ket_apply_reset(kv);
				raw_write_seqcount_end(&kv->seq);
			}
			return kv;
		}
	if (fill)
		this_cpu_write(ket_cpu_kv, &ket_vcpu_none);
	return NULL;
}

/*
 * Empties the cache entries that hold @kv, so that its next probe looks
 * it up.  A CPU filling its entry with another vCPU meanwhile may lose
 * that entry too, which costs it one hash lookup.  A probe that read the
 * entry before may still use @kv to its end.
 */
void ket_vcpu_uncache(struct ket_vcpu *kv)
{
	struct ket_vcpu **c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&ket_cpu_kv, cpu);
		if (READ_ONCE(*c) == kv)
			WRITE_ONCE(*c, &ket_vcpu_none);
	}
}

/*
 * No vCPU of @vm can run, nor fill a cache with its state again: empty
 * the entries that hold them, in one pass over the CPUs, whatever the
 * number of vCPUs.  A cached state is freed only a grace period after
 * it left every cache, so reading the entry's VM is safe here.
 */
static void ket_vm_uncache(struct ket_vm *vm)
{
	struct ket_vcpu **c, *kv;
	int cpu;

	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&ket_cpu_kv, cpu);
		kv = READ_ONCE(*c);
		if (kv->vm == vm)
			WRITE_ONCE(*c, &ket_vcpu_none);
	}
	rcu_read_unlock();
}

static DEFINE_MUTEX(ket_lock);
static LIST_HEAD(ket_vms);		/* attached */
static LIST_HEAD(ket_exited_vms);	/* oldest first */
static unsigned int ket_nr_exited;
static size_t ket_exited_bytes;		/* their ket_vm_bytes() */
static u64 ket_vm_serial;
static struct dentry *ket_exited_dir;

/* The keys: live VMs by struct kvm, slots' VMs, and ket_vcpu_hash. */
static DEFINE_RAW_SPINLOCK(ket_kvm_lock);
static DEFINE_HASHTABLE(ket_kvm_hash, 8);
static u64 ket_slot_seq;		/* ket_kvm_lock */

/*
 * A bound in bytes, not in VMs: an exited VM keeps all its vCPUs' states,
 * and a VM may have thousands.  Each stays charged to its VM's memory
 * cgroup.
 */
static unsigned int ket_retain_kb = 16384;
module_param_named(retain_kb, ket_retain_kb, uint, 0644);
MODULE_PARM_DESC(retain_kb,
		 "KiB of states of exited VMs kept, the most recent VMs first (default 16384)");

/*
 * VM and vCPU states allocated now: attached, kept in exited/, or held by
 * an open stats file.  With vm_state_bytes and vcpu_state_bytes, the
 * module's memory for them (status), so that a leak shows.
 */
static atomic_t ket_live_vms = ATOMIC_INIT(0);
static atomic_t ket_live_vcpus = ATOMIC_INIT(0);

/*
 * Exits no slot could be claimed for, or during the back-off, or of a
 * VM KVM destroyed before its attach.
 */
static atomic64_t ket_lost_exits = ATOMIC64_INIT(0);
/* VMs KVM destroyed before the module could attach any of their vCPUs. */
static atomic64_t ket_vms_missed = ATOMIC64_INIT(0);
static atomic64_t ket_attach_failures = ATOMIC64_INIT(0);
/*
 * After an attach failed for lack of memory, the vCPUs of the memory
 * cgroup it was charged to claim no slot for attach_backoff_ms: their
 * exits are lost meanwhile, as when no slot is free, and other cgroups'
 * VMs attach as ever.  A few cgroups at once: a failure when all entries
 * are in use takes the one that ends first, whose cgroup then retries
 * sooner.  The attach worker writes the entries, probes read them.  A
 * cgroup is a key, compared, never dereferenced (ket_memcg_key()); a
 * cgroup created at a freed one's address may wait out the rest of the
 * freed one's back-off.
 */
#define KET_BACKOFFS 8
static struct ket_backoff {
	const void *key;	/* NULL: unused */
	unsigned long until;	/* jiffies */
} ket_backoffs[KET_BACKOFFS];

#define KET_BACKOFF_MAX_MS 60000U
static unsigned int ket_backoff_ms = 1000;

/*
 * A new attach_backoff_ms also cuts the back-offs running to it, so that
 * a shorter one takes effect at once.  Races a failure's back-off (the
 * attach worker's): either end is fine.
 */
static int ket_backoff_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned long end;
	unsigned int ms, i;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms > KET_BACKOFF_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(ket_backoff_ms, ms);
	end = jiffies + msecs_to_jiffies(ms);
	for (i = 0; i < KET_BACKOFFS; i++)
		if (time_after(READ_ONCE(ket_backoffs[i].until), end))
			WRITE_ONCE(ket_backoffs[i].until, end);
	return 0;
}

static const struct kernel_param_ops ket_backoff_ms_ops = {
	.set = ket_backoff_ms_set,
	.get = param_get_uint,
};

module_param_cb(attach_backoff_ms, &ket_backoff_ms_ops, &ket_backoff_ms, 0644);
MODULE_PARM_DESC(attach_backoff_ms,
		 "ms a memory cgroup's VMs wait to attach after an attach charged to it failed (default 1000, at most 60000; a write also cuts the running ones)");

#define KET_SLOTS 64
#define KET_FILES_RETRY (HZ / 2)

/*
 * What the attach worker needs of a vCPU, copied by the probe that claims
 * the slot while the vCPU runs: the worker never dereferences the vCPU or
 * its VM, which KVM may destroy meanwhile (then @gone is set).
 */
struct ket_slot {
	struct kvm_vcpu *vcpu;	/* claimer, by cmpxchg; NULL when free */
	const struct kvm *kvm;	/* its VM, a key; ket_kvm_lock */
	/* KVM's debugfs directory of the VM, a key, and its name */
	const struct dentry *dir;
	char dir_name[KET_NAME_LEN];
	char stats_id[KVM_STATS_NAME_SIZE];
	int vcpu_id;
	bool opaque;
	bool gone;		/* KVM destroyed the VM; ket_kvm_lock */
	struct pid *owner;	/* the claimer's process */
	struct mem_cgroup *memcg; /* the VMM's, referenced: to charge */
	u64 missed;		/* exits of @vcpu before it was attached */
	u64 seq;		/* fill order: ket_vm_stale() */
	int ready;		/* the above are set */
	/* attach worker only: attached, with a VM reference; or failed */
	struct ket_vcpu *done;
	bool failed;
};

static struct ket_slot ket_slots[KET_SLOTS];

static void ket_attach_fn(struct work_struct *work);
static DECLARE_WORK(ket_attach_work, ket_attach_fn);

static void ket_attach_kick(struct irq_work *w)
{
	queue_work(system_unbound_wq, &ket_attach_work);
}

static DEFINE_IRQ_WORK(ket_attach_irq_work, ket_attach_kick);

static void ket_files_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ket_files_work, ket_files_fn);

static void ket_retire_fn(struct work_struct *work);
static DECLARE_WORK(ket_retire_work, ket_retire_fn);
static LLIST_HEAD(ket_retire_list);

/* Probe context: fill slot @s, claimed for @vcpu, and publish it. */
static void ket_slot_fill(struct ket_slot *s, struct kvm_vcpu *vcpu,
			  bool at_exit)
{
	const struct kvm *kvm = vcpu->kvm;
	unsigned long flags;

	s->owner = get_task_pid(current, PIDTYPE_TGID);
	/*
	 * The VMM's memory cgroup, from the VM's mm, which the vCPU thread
	 * runs in: no reference on the mm (css_tryget() under RCU).
	 */
	s->memcg = get_mem_cgroup_from_mm(kvm->mm);
	s->vcpu_id = vcpu->vcpu_id;
	s->opaque = ket_vcpu_opaque(vcpu);
	strscpy(s->stats_id, kvm->stats_id, sizeof(s->stats_id));
	s->dir = NULL;
	s->dir_name[0] = '\0';
	if (!IS_ERR_OR_NULL(kvm->debugfs_dentry)) {
		s->dir = kvm->debugfs_dentry;
		snprintf(s->dir_name, sizeof(s->dir_name), "%pd",
			 kvm->debugfs_dentry);
	}
	s->missed = at_exit;
	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	s->seq = ++ket_slot_seq;
	s->kvm = kvm;
	WRITE_ONCE(s->gone, false);
	/* Publishes the above to the attach worker. */
	smp_store_release(&s->ready, 1);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	irq_work_queue(&ket_attach_irq_work);
}

/*
 * ket_backoffs' key of @memcg: the root cgroup's, and that of none (the
 * memory controller off, or an mm with no owner for a moment), are one.
 * Under RCU, or with a reference on @memcg.
 */
static const void *ket_memcg_key(const struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	if (memcg && memcg->css.parent)
		return memcg;
#endif
	return ket_backoffs;
}

/*
 * Probe context: whether @kvm's memory cgroup, the one its states would
 * be charged to (its VMM's mm's: ket_slot_fill()), is backing off.
 */
static bool ket_backing_off(const struct kvm *kvm)
{
	const void *key = NULL;
	unsigned int i;

	for (i = 0; i < KET_BACKOFFS; i++) {
		const struct ket_backoff *b = &ket_backoffs[i];

		if (!READ_ONCE(b->key) ||
		    !time_before(jiffies, READ_ONCE(b->until)))
			continue;
		if (!key) {
			const struct mem_cgroup *memcg = NULL;

			rcu_read_lock();
#ifdef CONFIG_MEMCG
			memcg = mem_cgroup_from_task(rcu_dereference(kvm->mm->owner));
#endif
			key = ket_memcg_key(memcg);
			rcu_read_unlock();
		}
		if (READ_ONCE(b->key) == key)
			return true;
	}
	return false;
}

/* Memory cgroups backing off now, for status. */
static unsigned int ket_backoffs_now(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < KET_BACKOFFS; i++)
		n += READ_ONCE(ket_backoffs[i].key) &&
		     time_before(jiffies, READ_ONCE(ket_backoffs[i].until));
	return n;
}

/* Attach worker: an attach charged to @memcg failed for lack of memory. */
static void ket_back_off(const struct mem_cgroup *memcg)
{
	const void *key = ket_memcg_key(memcg);
	struct ket_backoff *b = NULL, *e;
	unsigned int i;

	for (i = 0; i < KET_BACKOFFS; i++) {
		e = &ket_backoffs[i];
		if (e->key == key) {
			b = e;
			break;
		}
		/* Else an unused entry, else the one that ends first. */
		if (!b || (b->key && (!e->key || time_before(e->until, b->until))))
			b = e;
	}
	/* A probe may see the new key with the old time: no matter. */
	WRITE_ONCE(b->key, key);
	WRITE_ONCE(b->until, jiffies + msecs_to_jiffies(READ_ONCE(ket_backoff_ms)));
}

/*
 * Probe context, for a vCPU not in ket_vcpu_hash.  Lock-free but for
 * the claim's publication: one cmpxchg to claim a slot, irq_work to
 * leave the tracepoint.
 */
void ket_vcpu_miss(struct kvm_vcpu *vcpu, bool at_exit)
{
	struct ket_slot *s;
	unsigned int i;

	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (READ_ONCE(s->vcpu) == vcpu) {
			/*
			 * Only @vcpu's thread writes its slot's count.  A gone
			 * slot's vCPU was another, at the same address, or its
			 * attach failed.  Pairs with the releases below: count
			 * once claimed, and in @vcpu's slot only.  Should the
			 * slot be freed and claimed by another vCPU meanwhile,
			 * @gone read as the other's fill wrote it makes the
			 * other's claim visible to the check of @vcpu after
			 * it; read as ours, this probe began before the grace
			 * period that precedes the slot's free (set before it:
			 * a failed slot's @gone, an attached one's state in
			 * the hash, which this probe did not find).
			 */
			if (!smp_load_acquire(&s->ready))
				continue;
			/* Acquire: @gone, then @vcpu again (see above). */
			if (smp_load_acquire(&s->gone) ||
			    READ_ONCE(s->vcpu) != vcpu)
				continue;
			if (at_exit)
				WRITE_ONCE(s->missed, s->missed + 1);
			return;
		}
	}
	if (ket_backing_off(vcpu->kvm))
		goto lost;
	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (READ_ONCE(s->vcpu) || cmpxchg(&s->vcpu, NULL, vcpu))
			continue;
		ket_slot_fill(s, vcpu, at_exit);
		return;
	}
lost:
	if (at_exit)
		atomic64_inc(&ket_lost_exits);
}

/* The attached VM at @kvm, whichever it is; ket_kvm_lock held. */
static struct ket_vm *ket_vm_at(const struct kvm *kvm)
{
	struct ket_vm *vm;

	hash_for_each_possible(ket_kvm_hash, vm, kvm_node, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/*
 * The attached VM of @kvm, KVM's VM of stats id @stats_id ("kvm-<pid>",
 * the pid being the id of the thread that created the VM); ket_kvm_lock
 * held.  The id tells a VM from an older one at the same address, should
 * the kprobe on VM destruction have missed the old one's end (kprobes
 * disarmed, or ftrace disabled, by the administrator): a VM made by
 * another thread then finds nothing of it, unless that thread's id was
 * the creator's, reused.
 */
static struct ket_vm *ket_vm_live(const struct kvm *kvm, const char *stats_id)
{
	struct ket_vm *vm = ket_vm_at(kvm);

	return vm && !strcmp(vm->stats_id, stats_id) ? vm : NULL;
}

static void ket_vm_unpublish(struct ket_vm *vm);
static void ket_vm_retire_later(struct ket_vm *vm);

/*
 * An attached VM at slot @s's VM's address that is not @s's VM, but an
 * older one, whose end the module missed: unpublished, for the caller to
 * retire.  If it is newer, @s is the stale one (a VM that ended unseen
 * before the other took its address): -ENOENT.  The slots' fill order
 * tells, as the VM keeps that of the slot that attached it.
 * ket_kvm_lock held.
 */
static int ket_vm_stale(const struct ket_slot *s, struct ket_vm **stale)
{
	struct ket_vm *vm = ket_vm_at(s->kvm);

	*stale = NULL;
	if (!vm || !strcmp(vm->stats_id, s->stats_id))
		return 0;
	if (vm->seq > s->seq)
		return -ENOENT;
	ket_vm_unpublish(vm);
	*stale = vm;
	return 0;
}

static bool ket_has_dir(struct dentry *d)
{
	return !IS_ERR_OR_NULL(d);
}

/*
 * Whether @memcg, and every cgroup above it, has room below its limits
 * for an allocation of @size twice over and a charge batch: memory.max
 * and memory.high, and cgroup v1's memory+swap limit; and whether none
 * has its swap over memory.swap.high.  In that room the charge neither
 * reclaims nor leaves the attach worker a debt of throttling (which any
 * charge leaves while the cgroup is over a high limit, the swap's
 * included).  Racy: should another task take the room meanwhile, the
 * charge may still leave that debt, which the worker's thread pays at
 * its next charge that may wait (ket_attach_zalloc()'s vmalloc, or
 * another work item's).
 */
static bool ket_memcg_roomy(struct mem_cgroup *memcg, size_t size)
{
#ifdef CONFIG_MEMCG
	/* Charged as the pages of a power-of-two order, however freed. */
	unsigned long need = (2UL << get_order(size)) + MEMCG_CHARGE_BATCH;
	bool v2 = cgroup_subsys_on_dfl(memory_cgrp_subsys);
	struct page_counter *c;

	for (; memcg; memcg = parent_mem_cgroup(memcg)) {
		c = &memcg->memory;
		if (page_counter_read(c) + need >
		    min(READ_ONCE(c->max), READ_ONCE(c->high)))
			return false;
		if (v2) {
			c = &memcg->swap;
			if (page_counter_read(c) > READ_ONCE(c->high))
				return false;
		} else {
			c = &memcg->memsw;
			if (page_counter_read(c) + need > READ_ONCE(c->max))
				return false;
		}
	}
#endif
	return true;
}

/*
 * A VM's or vCPU's state, zeroed, charged to the VMM's cgroup @s->memcg
 * (the caller made it the active one), with no lock of ours held
 * (ket_attach_slot()).  The module does not reclaim the VMM's memory for
 * its own sake, throttle for it, or call its cgroup's OOM killer: near a
 * limit of the cgroup (ket_memcg_roomy()) it takes no memory at all, and
 * the attach fails and backs off.  Away from them, the state comes from
 * kmalloc, or above a page from whole pages (a power-of-two kmalloc
 * would waste up to a third of every vCPU's state), with no reclaim at
 * all: a charge that finds the room gone meanwhile fails at once (the
 * memory controller neither reclaims nor calls the OOM killer for a
 * caller that cannot wait), and the page allocator gives free pages only,
 * never its reserves, and wakes neither kswapd nor kcompactd.  If no
 * contiguous run is free, vmalloc, as kvmalloc() falls back to it
 * (__GFP_RETRY_MAYFAIL: it may fail, never OOM-kills), which charges page
 * by page: vmalloc needs direct reclaim allowed, and may reclaim the
 * host's memory (its page tables, uncharged, and its pages), or the
 * cgroup's if its room went since the check just before.  Free with
 * ket_state_free().
 */
static void *ket_attach_zalloc(const struct ket_slot *s, size_t size)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN;
	const gfp_t nowait = (gfp | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM;
	void *p;

	if (!ket_may_alloc() || !ket_memcg_roomy(s->memcg, size))
		return NULL;
	if (size <= PAGE_SIZE)
		return kmalloc(size, nowait);
	p = alloc_pages_exact(size, nowait);
	if (p) {
		/* Scanned for the pointers it holds, as kmalloc's would be. */
		kmemleak_alloc(p, size, 1, nowait);
		return p;
	}
	if (!ket_memcg_roomy(s->memcg, size))
		return NULL;
	return __vmalloc(size, gfp | __GFP_RETRY_MAYFAIL);
}

static void ket_state_free(void *p, size_t size)
{
	if (is_vmalloc_addr(p)) {
		vfree(p);
	} else if (size > PAGE_SIZE) {
		kmemleak_free(p);
		free_pages_exact(p, size);
	} else {
		kfree(p);
	}
}

static struct ket_vm *ket_vm_alloc(struct ket_slot *s)
{
	struct ket_vm *vm = ket_attach_zalloc(s, sizeof(*vm));

	if (!vm)
		return NULL;
	atomic_inc(&ket_live_vms);
	kref_init(&vm->ref);
	INIT_LIST_HEAD(&vm->vcpus);
	vm->scope.vm = vm;
	strscpy(vm->stats_id, s->stats_id, sizeof(vm->stats_id));
	strscpy(vm->name, s->dir_name[0] ? s->dir_name : s->stats_id,
		sizeof(vm->name));
	return vm;
}

/* A directory of ours, held as KVM's are, or NULL. */
static struct dentry *ket_dir_create(const char *name, struct dentry *parent)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(parent))
		return NULL;
	d = debugfs_create_dir(name, parent);
	return IS_ERR(d) ? NULL : dget(d);
}

/*
 * A new VM's files, in KVM's directory of it, found by name: that
 * directory if it is the one the probe saw (by address), held.  If KVM
 * destroys the VM meanwhile, it removes the directory, our files with it,
 * or debugfs creates none; the retirement then puts them.
 */
static void ket_vm_files(struct ket_vm *vm, const struct ket_slot *s)
{
	struct dentry *d, *top;

	if (!s->dir)
		return;
	/* KVM's top directory, by name: 6.12 no longer declares kvm_debugfs_dir. */
	top = debugfs_lookup("kvm", NULL);
	if (!top)
		return;
	d = debugfs_lookup(s->dir_name, top);
	dput(top);
	if (d != s->dir) {
		dput(d);
		return;
	}
	vm->dir = d;
	ket_debugfs_create(vm->dir, vm->files, &vm->scope);
}

/*
 * Whether KVM gives each vCPU a debugfs directory in its VM's: only where
 * the architecture has files of its own there (x86; not arm64, 6.1 to
 * 6.12 at least).  Elsewhere the module makes the vCPU's directory, with
 * KVM's name for it, and leaves it to KVM, which removes it with the
 * VM's: removing it from here could race with that removal (module
 * unload while KVM destroys the VM), and a second removal of a directory
 * drops its parent's link count twice.  So after rmmod an attached VM
 * keeps an empty vcpu<N>/ until it exits; a load finds it again.
 */
#ifdef __KVM_HAVE_ARCH_VCPU_DEBUGFS
#define KET_KVM_VCPU_DIRS true
#else
#define KET_KVM_VCPU_DIRS false
#endif

/*
 * A vCPU's files appear once its attach is complete, its count of exits
 * before the attach included.  KVM creates a vCPU's debugfs directory
 * after its fd, so a vCPU may run before the directory exists: retried
 * by ket_files_fn() until it does.  Returns whether the vCPU has them,
 * or never will.
 */
static bool ket_vcpu_files(struct ket_vm *vm, struct ket_vcpu *kv)
{
	char name[24];

	/*
	 * @vm->kvm first: once it is NULL, ket_vms_drop() may put @kv->dir
	 * without ket_lock.
	 */
	if (!READ_ONCE(vm->kvm) || kv->dir || !kv->attached ||
	    !ket_has_dir(vm->dir))
		return true;
	snprintf(name, sizeof(name), "vcpu%d", kv->id);
	kv->dir = debugfs_lookup(name, vm->dir);
	if (!kv->dir && !KET_KVM_VCPU_DIRS)
		kv->dir = ket_dir_create(name, vm->dir);
	if (!kv->dir)
		return false;
	ket_debugfs_create(kv->dir, kv->files, &kv->scope);
	return true;
}

static struct ket_vcpu *ket_vcpu_alloc(struct ket_slot *s)
{
	struct ket_vcpu *kv;

	kv = ket_attach_zalloc(s, ket_vcpu_size());
	if (!kv)
		return NULL;
	atomic_inc(&ket_live_vcpus);
	ket_acct_init(&kv->acct, ket_reasons.nr);
	kv->vcpu = s->vcpu;
	kv->id = s->vcpu_id;
	kv->opaque = s->opaque;
	kv->scope.vcpu = kv;
	seqcount_spinlock_init(&kv->seq, &ket_reset_lock);
	return kv;
}

static void ket_vm_free(struct ket_vm *vm)
{
	put_pid(vm->owner);
	ket_state_free(vm, sizeof(*vm));
	atomic_dec(&ket_live_vms);
}

static void ket_vcpu_free(struct ket_vcpu *kv)
{
	ket_state_free(kv, ket_vcpu_size());
	atomic_dec(&ket_live_vcpus);
}

/*
 * Allocates the state of slot @s's vCPU, and of its VM if it is the
 * VM's first, charged to the vCPU's memory cgroup, without ket_lock, so
 * that no reader or retirement waits on an allocation; then publishes
 * them with ket_lock held, unless KVM destroyed the VM meanwhile: then
 * -ENOENT.  Attach worker only.
 */
static int ket_attach_slot(struct ket_slot *s)
{
	struct ket_vm *vm, *stale = NULL, *fresh = NULL;
	struct mem_cgroup *old;
	struct ket_vcpu *kv;
	unsigned long flags;
	bool first;
	int ret;

	/*
	 * Only this worker attaches VMs: a VM attached now stays so until
	 * KVM destroys it, which marks the slot gone.
	 */
	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	first = !ket_vm_live(s->kvm, s->stats_id);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	old = set_active_memcg(s->memcg);
	if (first)
		fresh = ket_vm_alloc(s);
	kv = ket_vcpu_alloc(s);
	set_active_memcg(old);
	if ((first && !fresh) || !kv) {
		if (kv)
			ket_vcpu_free(kv);
		if (fresh)
			ket_vm_free(fresh);
		return -ENOMEM;
	}
	mutex_lock(&ket_lock);
	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	/* Gone: another VM may have the address already; leave it be. */
	ret = s->gone ? -ENOENT : ket_vm_stale(s, &stale);
	vm = ret ? NULL : ket_vm_live(s->kvm, s->stats_id);
	if (ret || (!vm && !fresh)) {
		raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
		/* Unpublished: retired whatever becomes of this slot. */
		if (stale)
			ket_vm_retire_later(stale);
		mutex_unlock(&ket_lock);
		ket_vcpu_free(kv);
		if (fresh)
			ket_vm_free(fresh);
		return -ENOENT;
	}
	if (!vm) {
		vm = fresh;
		vm->kvm = s->kvm;
		vm->seq = s->seq;
		hash_add(ket_kvm_hash, &vm->kvm_node, (unsigned long)vm->kvm);
	}
	kv->vm = vm;
	kv->scope.vm = vm;
	list_add_tail_rcu(&kv->node, &vm->vcpus);
	hlist_add_head_rcu(&kv->hnode,
			   &ket_vcpu_hash[hash_ptr(s->vcpu, KET_HASH_BITS)]);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	if (stale)
		ket_vm_retire_later(stale);
	if (vm == fresh) {
		vm->owner = s->owner;
		s->owner = NULL;
		vm->serial = ++ket_vm_serial;
		list_add_tail(&vm->node, &ket_vms);
		ket_vm_files(vm, s);
		fresh = NULL;
	}
	/* Retirement may free the VM while the worker waits: hold it. */
	ket_vm_get(vm);
	s->done = kv;
	mutex_unlock(&ket_lock);
	if (fresh)
		ket_vm_free(fresh);
	return 0;
}

static void ket_slot_free(struct ket_slot *s)
{
	unsigned long flags;

	put_pid(s->owner);
	s->owner = NULL;
	mem_cgroup_put(s->memcg);
	s->memcg = NULL;
	s->done = NULL;
	s->failed = false;
	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	s->kvm = NULL;
	WRITE_ONCE(s->ready, 0);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	/* The slot is reusable only once all of the above is visible. */
	smp_store_release(&s->vcpu, NULL);
}

/*
 * Slot @s's attach failed: its vCPU's probes stop counting in it, and
 * the worker frees it after a grace period, its count then final.
 */
static void ket_slot_fail(struct ket_slot *s)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	WRITE_ONCE(s->gone, true);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	s->failed = true;
}

/* Whether a slot of @nomem, failed for lack of memory, charged @s's cgroup. */
static bool ket_memcg_failed(const struct ket_slot *s,
			     const unsigned long *nomem)
{
	unsigned int i;

	for_each_set_bit(i, nomem, KET_SLOTS)
		if (ket_slots[i].memcg == s->memcg)
			return true;
	return false;
}

static void ket_attach_fn(struct work_struct *work)
{
	bool attached = false, missing = false, failed = false;
	DECLARE_BITMAP(nomem, KET_SLOTS) = {};
	struct ket_vcpu *kv;
	struct ket_slot *s;
	unsigned int i;
	int ret;

	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		/* Pairs with the claimer's release of @ready. */
		if (!smp_load_acquire(&s->ready) || s->done || s->failed)
			continue;
		/* One allocation that fails per cgroup and run, not one per vCPU. */
		ret = ket_memcg_failed(s, nomem) ? -ENOMEM : ket_attach_slot(s);
		if (ret) {
			/* Else a VM KVM destroyed first. */
			if (ret == -ENOMEM) {
				atomic64_inc(&ket_attach_failures);
				ket_back_off(s->memcg);
				__set_bit(i, nomem);
			}
			ket_slot_fail(s);
			failed = true;
			continue;
		}
		attached = true;
	}
	if (!attached && !failed)
		return;
	/*
	 * After a grace period no probe is still in ket_vcpu_miss() for the
	 * vCPUs just published, or whose slots failed: their slots' counts
	 * are final.
	 */
	synchronize_rcu();
	mutex_lock(&ket_lock);
	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (s->failed) {
			/* Its vCPU's exits until now were lost. */
			atomic64_add(READ_ONCE(s->missed), &ket_lost_exits);
			ket_slot_free(s);
			continue;
		}
		if (!s->done)
			continue;
		kv = s->done;
		atomic64_add(READ_ONCE(s->missed), &kv->unaccounted);
		kv->attached = true;
		if (!ket_vcpu_files(kv->vm, kv))
			missing = true;
		ket_slot_free(s);
		ket_vm_put(kv->vm);
	}
	mutex_unlock(&ket_lock);
	if (missing)
		schedule_delayed_work(&ket_files_work, KET_FILES_RETRY);
}

/* The vCPUs whose files could not be made yet (see ket_vcpu_files()). */
static void ket_files_fn(struct work_struct *work)
{
	bool missing = false;
	struct ket_vcpu *kv;
	struct ket_vm *vm;

	mutex_lock(&ket_lock);
	list_for_each_entry(vm, &ket_vms, node)
		list_for_each_entry(kv, &vm->vcpus, node)
			if (!ket_vcpu_files(vm, kv))
				missing = true;
	mutex_unlock(&ket_lock);
	if (missing)
		schedule_delayed_work(&ket_files_work, KET_FILES_RETRY);
}

static void ket_vm_release(struct kref *ref)
{
	struct ket_vm *vm = container_of(ref, struct ket_vm, ref);
	struct ket_vcpu *kv, *tmp;

	list_for_each_entry_safe(kv, tmp, &vm->vcpus, node)
		ket_vcpu_free(kv);
	ket_vm_free(vm);
}

void ket_vm_get(struct ket_vm *vm)
{
	kref_get(&vm->ref);
}

/*
 * The last reference goes with the VM's retirement from exited/ or with
 * its last stats file, whichever is later.  By then the VM is on no list
 * and in no hash: nothing can find it, and no vCPU of it can run.
 */
void ket_vm_put(struct ket_vm *vm)
{
	kref_put(&vm->ref, ket_vm_release);
}

static void ket_exited_files(struct ket_vm *vm)
{
	struct ket_vcpu *kv;
	char name[KET_NAME_LEN + 24];

	snprintf(name, sizeof(name), "%s.%llu", vm->name, vm->serial);
	vm->dir = ket_dir_create(name, ket_exited_dir);
	ket_debugfs_create(vm->dir, vm->files, &vm->scope);
	list_for_each_entry(kv, &vm->vcpus, node) {
		snprintf(name, sizeof(name), "vcpu%d", kv->id);
		kv->dir = ket_dir_create(name, vm->dir);
		ket_debugfs_create(kv->dir, kv->files, &kv->scope);
	}
}

/*
 * Our files, removed unless already (by KVM, with its directory; or with
 * ours), which waits for their readers, and put; and the directories they
 * are in, KVM's while the VM is attached, ours once it exited, put.
 */
static void ket_vm_unlink(struct ket_vm *vm)
{
	struct ket_vcpu *kv;

	ket_debugfs_remove(vm->files);
	list_for_each_entry(kv, &vm->vcpus, node) {
		ket_debugfs_remove(kv->files);
		dput(kv->dir);
		kv->dir = NULL;
	}
	dput(vm->dir);
	vm->dir = NULL;
}

/* What an exited VM keeps: its state and its vCPUs', as allocated. */
static size_t ket_vm_bytes(struct ket_vm *vm)
{
	return ket_state_bytes(sizeof(*vm)) +
	       ket_vm_vcpu_ids(vm, NULL, 0) * ket_state_bytes(ket_vcpu_size());
}

/* Exited VM @vm leaves exited/ for @drop; ket_lock held. */
static void ket_exited_unkeep(struct ket_vm *vm, struct list_head *drop)
{
	list_move_tail(&vm->node, drop);
	vm->kept = false;
	ket_nr_exited--;
	ket_exited_bytes -= ket_vm_bytes(vm);
}

/*
 * The VM's vCPUs can no longer be found by a probe (ket_kvm_destroying())
 * nor run: their states have no writer left and are finalised here, and
 * the tables move under exited/; the oldest exited VMs beyond
 * ket_retain_kb, this one too if it alone is more, move to @drop, as
 * does this one if its tables are not to be kept (ket_vm_forget()).
 * ket_lock held.
 */
static void ket_vm_retire(struct ket_vm *vm, struct list_head *drop)
{
	struct ket_vcpu *kv;

	ket_vm_unlink(vm);
	list_for_each_entry(kv, &vm->vcpus, node)
		ket_vcpu_finish(kv);
	if (vm->forget) {
		list_move_tail(&vm->node, drop);
		return;
	}
	list_move_tail(&vm->node, &ket_exited_vms);
	vm->kept = true;
	ket_nr_exited++;
	ket_exited_bytes += ket_vm_bytes(vm);
	ket_exited_files(vm);
	while (ket_exited_bytes > (size_t)READ_ONCE(ket_retain_kb) * SZ_1K)
		ket_exited_unkeep(list_first_entry(&ket_exited_vms,
						   struct ket_vm, node), drop);
}

/*
 * Exited VMs dropped from exited/: their files removed (which waits for
 * their readers) without ket_lock, then put.
 */
static void ket_vms_drop(struct list_head *drop)
{
	struct ket_vm *vm, *tmp;

	list_for_each_entry_safe(vm, tmp, drop, node) {
		list_del(&vm->node);
		debugfs_remove_recursive(vm->dir);
		ket_vm_unlink(vm);
		ket_vm_put(vm);
	}
}

/*
 * KVM_EXIT_TIMING_FORGET: @vm's tables are not kept in exited/ once it
 * exits, and leave it now if it has.  A stats file open on it reads on.
 */
void ket_vm_forget(struct ket_vm *vm)
{
	LIST_HEAD(drop);

	mutex_lock(&ket_lock);
	vm->forget = true;
	if (vm->kept)
		ket_exited_unkeep(vm, &drop);
	mutex_unlock(&ket_lock);
	ket_vms_drop(&drop);
}

/* No probe may find the VM's states any more; ket_kvm_lock held. */
static void ket_vm_unpublish(struct ket_vm *vm)
{
	struct ket_vcpu *kv;

	hash_del(&vm->kvm_node);
	WRITE_ONCE(vm->kvm, NULL);
	list_for_each_entry(kv, &vm->vcpus, node)
		hlist_del_init_rcu(&kv->hnode);
}

/* @vm, unpublished, goes under exited/ once no probe may hold it. */
static void ket_vm_retire_later(struct ket_vm *vm)
{
	ket_vm_uncache(vm);
	llist_add(&vm->retire, &ket_retire_list);
	queue_work(system_unbound_wq, &ket_retire_work);
}

static void ket_retire_fn(struct work_struct *work)
{
	/* Oldest first, as exited/ keeps them. */
	struct llist_node *list = llist_reverse_order(llist_del_all(&ket_retire_list));
	struct ket_vm *vm, *tmp;
	LIST_HEAD(drop);

	if (!list)
		return;
	/*
	 * A probe may still be walking the hash over, or reading a cache
	 * entry of, the states just unpublished: after a grace period none
	 * is (a tracepoint calls its probes with preemption off, an RCU
	 * read-side section), and they may be finalised and, once
	 * dropped, freed.
	 */
	synchronize_rcu();
	mutex_lock(&ket_lock);
	llist_for_each_entry_safe(vm, tmp, list, retire)
		ket_vm_retire(vm, &drop);
	mutex_unlock(&ket_lock);
	ket_vms_drop(&drop);
}

/*
 * kprobe on kvm_arch_destroy_vm(@kvm): KVM is destroying @kvm, in the
 * context of whoever dropped its last reference, after it removed the
 * VM's debugfs directory and before it frees the vCPUs, whose addresses a
 * new vCPU may then take.  No vCPU of it runs.  Atomic context: forget
 * @kvm's slots and unpublish its states here, under ket_kvm_lock, and
 * leave the rest to ket_retire_fn().
 */
static int ket_kvm_destroying(struct kprobe *p, struct pt_regs *regs)
{
	const struct kvm *kvm = (const void *)regs_get_kernel_argument(regs, 0);
	bool pending = false;
	struct ket_vm *vm;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	for (i = 0; i < KET_SLOTS; i++)
		if (ket_slots[i].ready && !ket_slots[i].gone &&
		    ket_slots[i].kvm == kvm) {
			WRITE_ONCE(ket_slots[i].gone, true);
			pending = true;
		}
	vm = ket_vm_at(kvm);
	if (vm)
		ket_vm_unpublish(vm);
	else if (pending)
		atomic64_inc(&ket_vms_missed);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	if (vm)
		ket_vm_retire_later(vm);
	return 0;
}

static struct kprobe ket_destroy_kp = {
	.symbol_name = "kvm_arch_destroy_vm",
	.pre_handler = ket_kvm_destroying,
};

/* Attached or exited VM @id, referenced; NULL if there is none. */
struct ket_vm *ket_vm_get_by_id(u64 id)
{
	struct list_head *lists[] = { &ket_vms, &ket_exited_vms };
	struct ket_vm *vm, *found = NULL;
	unsigned int i;

	mutex_lock(&ket_lock);
	for (i = 0; i < ARRAY_SIZE(lists) && !found; i++)
		list_for_each_entry(vm, lists[i], node)
			if (vm->serial == id) {
				ket_vm_get(vm);
				found = vm;
				break;
			}
	mutex_unlock(&ket_lock);
	return found;
}

/*
 * The attached VM of @kvm, referenced; NULL if it has none (no vCPU of it
 * ran yet).  The caller holds the VM (its fd): it is not destroyed, and
 * its address not reused, meanwhile.
 */
struct ket_vm *ket_vm_get_by_kvm(const struct kvm *kvm)
{
	struct ket_vm *vm;
	unsigned long flags;

	raw_spin_lock_irqsave(&ket_kvm_lock, flags);
	vm = ket_vm_live(kvm, kvm->stats_id);
	if (vm)
		ket_vm_get(vm);
	raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
	return vm;
}

/* vCPU @id of @vm, which the caller holds; NULL if it has none. */
struct ket_vcpu *ket_vm_vcpu(struct ket_vm *vm, int id)
{
	struct ket_vcpu *kv, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(kv, &vm->vcpus, node)
		if (kv->id == id) {
			found = kv;
			break;
		}
	rcu_read_unlock();
	return found;
}

/* Fills up to @room vCPU ids of @vm; returns how many it has. */
unsigned int ket_vm_vcpu_ids(struct ket_vm *vm, u32 *ids, u32 room)
{
	struct ket_vcpu *kv;
	unsigned int n = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(kv, &vm->vcpus, node) {
		if (n < room)
			ids[n] = kv->id;
		n++;
	}
	rcu_read_unlock();
	return n;
}

static void ket_vm_describe(struct ket_vm *vm, struct kvm_exit_timing_vm *d)
{
	memset(d, 0, sizeof(*d));
	d->id = vm->serial;
	d->pid = pid_vnr(vm->owner);
	d->flags = READ_ONCE(vm->kvm) ? 0 : KVM_EXIT_TIMING_VM_EXITED;
	d->nr_vcpus = ket_vm_vcpu_ids(vm, NULL, 0);
	strscpy(d->name, vm->name, sizeof(d->name));
}

/*
 * Every VM, attached ones first, then exited ones, oldest first.  *@nr
 * is set to their number; -E2BIG if @room is less.
 */
int ket_vm_list(struct kvm_exit_timing_vm *out, u32 room, u32 *nr)
{
	struct list_head *lists[] = { &ket_vms, &ket_exited_vms };
	struct ket_vm *vm;
	unsigned int i;
	u32 n = 0;

	mutex_lock(&ket_lock);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(vm, lists[i], node) {
			if (n < room)
				ket_vm_describe(vm, &out[n]);
			n++;
		}
	mutex_unlock(&ket_lock);
	*nr = n;
	return n > room ? -E2BIG : 0;
}

void ket_status(struct ket_buf *b)
{
	unsigned int attached = 0, vcpus = 0;
	struct ket_vm *vm;
	struct ket_vcpu *kv;

	mutex_lock(&ket_lock);
	list_for_each_entry(vm, &ket_vms, node) {
		attached++;
		list_for_each_entry(kv, &vm->vcpus, node)
			vcpus++;
	}
	ket_buf_printf(b, "vms_attached %u\n", attached);
	ket_buf_printf(b, "vcpus_attached %u\n", vcpus);
	ket_buf_printf(b, "vms_exited_kept %u\n", ket_nr_exited);
	ket_buf_printf(b, "vms_exited_bytes %zu\n", ket_exited_bytes);
	ket_buf_printf(b, "vms_seen %llu\n", ket_vm_serial);
	mutex_unlock(&ket_lock);
	ket_buf_printf(b, "vms_missed %lld\n",
		       (long long)atomic64_read(&ket_vms_missed));
	ket_buf_printf(b, "lost_exits %lld\n",
		       (long long)atomic64_read(&ket_lost_exits));
	ket_buf_printf(b, "attach_failures %lld\n",
		       (long long)atomic64_read(&ket_attach_failures));
	ket_buf_printf(b, "attach_backoffs %u\n", ket_backoffs_now());
	ket_buf_printf(b, "vms_allocated %d\n", atomic_read(&ket_live_vms));
	ket_buf_printf(b, "vcpus_allocated %d\n",
		       atomic_read(&ket_live_vcpus));
}

int ket_lifecycle_init(void)
{
	int cpu, ret;

	for_each_possible_cpu(cpu)
		per_cpu(ket_cpu_kv, cpu) = &ket_vcpu_none;
	/* Before the probes: no VM may be destroyed unseen once attached. */
	ret = register_kprobe(&ket_destroy_kp);
	if (ret) {
		pr_err("kvm_exit_timing: cannot probe %s: %d\n",
		       ket_destroy_kp.symbol_name, ret);
		return ret;
	}
	ket_exited_dir = debugfs_create_dir("exited", ket_debugfs_root);
	return 0;
}

/*
 * Probes are unregistered, or were never registered: nothing but us, and
 * KVM destroying VMs, touches the state any more.
 */
void ket_lifecycle_exit(void)
{
	struct ket_vm *vm, *tmp;
	unsigned long flags;
	unsigned int i;

	irq_work_sync(&ket_attach_irq_work);
	cancel_work_sync(&ket_attach_work);
	/* No VM is retired after this but here. */
	unregister_kprobe(&ket_destroy_kp);
	flush_work(&ket_retire_work);
	cancel_delayed_work_sync(&ket_files_work);
	mutex_lock(&ket_lock);
	for (i = 0; i < KET_SLOTS; i++)
		/* Pairs with the claimer's release of @ready. */
		if (smp_load_acquire(&ket_slots[i].ready))
			ket_slot_free(&ket_slots[i]);
	list_for_each_entry_safe(vm, tmp, &ket_vms, node) {
		raw_spin_lock_irqsave(&ket_kvm_lock, flags);
		ket_vm_unpublish(vm);
		raw_spin_unlock_irqrestore(&ket_kvm_lock, flags);
		/* KVM may be removing the files too: they are held. */
		ket_vm_unlink(vm);
		list_del(&vm->node);
		ket_vm_put(vm);
	}
	/* The exited VMs' files go with the whole tree, removed by the caller. */
	mutex_unlock(&ket_lock);
}

void ket_lifecycle_free_exited(void)
{
	struct ket_vm *vm, *tmp;

	list_for_each_entry_safe(vm, tmp, &ket_exited_vms, node) {
		list_del(&vm->node);
		ket_vm_unlink(vm);
		ket_vm_put(vm);
	}
	ket_nr_exited = 0;
	ket_exited_bytes = 0;
}
