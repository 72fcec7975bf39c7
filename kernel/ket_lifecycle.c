// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU lifecycle, as described in Documentation/kvm_exit_timing.rst
 * ("Lifecycle"):
 *
 *  - attach: a probe that meets an unknown vCPU claims a slot, takes a
 *    reference on its VM and on the vendor module (ket_vendor.c) and
 *    kicks the attach worker through irq_work;
 *    the worker allocates the vCPU's state and publishes it in
 *    ket_vcpu_hash.  Exits seen meanwhile are counted, not lost.
 *  - reap: every half second, a VM whose only remaining user is our
 *    reference is retired: unpublished, its files removed from KVM's
 *    directory, its references dropped (which destroys it) and its final
 *    tables moved under kvm_exit_timing/exited/, where the last
 *    ket_retain VMs are kept.
 *
 * ket_lock serialises everything here; the probes never take it, and
 * neither do the debugfs file operations (debugfs_remove() waits for
 * those, so they must not wait for us).
 */
#include <linux/debugfs.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "ket.h"

struct hlist_head ket_vcpu_hash[1 << KET_HASH_BITS];
struct ket_vcpu ket_vcpu_none;
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
 * (ket_vcpu_reset()), so that the next probe comes here again.
 */
noinline struct ket_vcpu *ket_vcpu_lookup(const struct kvm_vcpu *vcpu)
{
	struct ket_vcpu *kv;

	hlist_for_each_entry_rcu(kv, &ket_vcpu_hash[hash_ptr(vcpu, KET_HASH_BITS)],
				 hnode)
		if (kv->vcpu == vcpu) {
			/* Never an opaque vCPU: its exits take the slow path. */
			if (likely(!kv->opaque))
				this_cpu_write(ket_cpu_kv, kv);
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
 * the entries that hold them.
 */
static void ket_vm_uncache(struct ket_vm *vm)
{
	struct ket_vcpu *kv;

	list_for_each_entry(kv, &vm->vcpus, node)
		ket_vcpu_uncache(kv);
}

static DEFINE_MUTEX(ket_lock);
static LIST_HEAD(ket_vms);		/* attached, kvm held */
static LIST_HEAD(ket_exited_vms);	/* oldest first */
static unsigned int ket_nr_exited;
static u64 ket_vm_serial;
static struct dentry *ket_exited_dir;

static unsigned int ket_retain = 16;
module_param_named(retain, ket_retain, uint, 0644);
MODULE_PARM_DESC(retain, "Exited VMs whose final tables are kept (default 16)");

/*
 * VM and vCPU states allocated now: attached, kept in exited/, or held by
 * an open stats file.  With vm_state_bytes and vcpu_state_bytes, the
 * module's memory for them (status), so that a leak shows.
 */
static atomic_t ket_live_vms = ATOMIC_INIT(0);
static atomic_t ket_live_vcpus = ATOMIC_INIT(0);

/* Exits no slot could be claimed for, or during the back-off. */
static atomic64_t ket_lost_exits = ATOMIC64_INIT(0);
static atomic64_t ket_attach_failures = ATOMIC64_INIT(0);
/* After a failed allocation, claim no slot before this (jiffies). */
static unsigned long ket_backoff_until;

#define KET_SLOTS 64
#define KET_REAP_PERIOD (HZ / 2)

struct ket_slot {
	struct kvm_vcpu *vcpu;	/* claimer, by cmpxchg; NULL when free */
	struct kvm *kvm;	/* the claimer's reference */
	struct module *vendor;	/* the claimer's reference, see ket_vendor.c */
	u64 missed;		/* exits of @vcpu before it was attached */
	struct pid *owner;	/* the claimer's process */
	int ready;		/* @kvm, @vendor, @owner and @missed are set */
	struct ket_vcpu *done;	/* attach worker only */
};

static struct ket_slot ket_slots[KET_SLOTS];

static void ket_attach_fn(struct work_struct *work);
static DECLARE_WORK(ket_attach_work, ket_attach_fn);

static void ket_attach_kick(struct irq_work *w)
{
	queue_work(system_unbound_wq, &ket_attach_work);
}

static DEFINE_IRQ_WORK(ket_attach_irq_work, ket_attach_kick);

static void ket_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ket_reap_work, ket_reap_fn);

/*
 * Probe context, for a vCPU not in ket_vcpu_hash.  Lock-free: one
 * cmpxchg to claim a slot, irq_work to leave the tracepoint.
 */
void ket_vcpu_miss(struct kvm_vcpu *vcpu, bool at_exit)
{
	struct module *vendor;
	struct ket_slot *s;
	unsigned int i;

	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (READ_ONCE(s->vcpu) == vcpu) {
			/* Only @vcpu's thread writes its slot's count. */
			/* Pairs with the release below: count once claimed. */
			if (at_exit && smp_load_acquire(&s->ready))
				WRITE_ONCE(s->missed, s->missed + 1);
			return;
		}
	}
	if (time_before(jiffies, READ_ONCE(ket_backoff_until)))
		goto lost;
	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (READ_ONCE(s->vcpu) || cmpxchg(&s->vcpu, NULL, vcpu))
			continue;
		if (!ket_vendor_get(&vendor)) {
			/* Cannot happen while a vCPU runs: see ket_vendor.c. */
			smp_store_release(&s->vcpu, NULL);
			goto lost;
		}
		s->vendor = vendor;
		/* Running vcpu: its fd holds the VM, so this cannot be the 1st. */
		kvm_get_kvm(vcpu->kvm);
		s->kvm = vcpu->kvm;
		s->owner = get_task_pid(current, PIDTYPE_TGID);
		s->missed = at_exit;
		/* Publishes the above to the attach worker. */
		smp_store_release(&s->ready, 1);
		irq_work_queue(&ket_attach_irq_work);
		return;
	}
lost:
	if (at_exit)
		atomic64_inc(&ket_lost_exits);
}

static struct ket_vm *ket_vm_lookup(struct kvm *kvm)
{
	struct ket_vm *vm;

	list_for_each_entry(vm, &ket_vms, node)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static bool ket_has_dir(struct dentry *d)
{
	return !IS_ERR_OR_NULL(d);
}

static struct ket_vm *ket_vm_create(struct kvm *kvm, struct ket_slot *s)
{
	struct ket_vm *vm = ket_kzalloc(sizeof(*vm));

	if (!vm)
		return NULL;
	atomic_inc(&ket_live_vms);
	kref_init(&vm->ref);
	kvm_get_kvm(kvm);
	vm->kvm = kvm;
	/* The slot holds it: the VM's own, for as long as we hold the VM. */
	__module_get(s->vendor);
	vm->vendor = s->vendor;
	vm->owner = s->owner;
	s->owner = NULL;
	snprintf(vm->stats_id, sizeof(vm->stats_id), "%s", kvm->stats_id);
	vm->serial = ++ket_vm_serial;
	INIT_LIST_HEAD(&vm->vcpus);
	vm->scope.vm = vm;
	if (ket_has_dir(kvm->debugfs_dentry)) {
		snprintf(vm->name, sizeof(vm->name), "%pd", kvm->debugfs_dentry);
		vm->dir = kvm->debugfs_dentry;
		ket_debugfs_create(vm->dir, vm->files, &vm->scope);
	} else {
		snprintf(vm->name, sizeof(vm->name), "%s", kvm->stats_id);
	}
	list_add_tail(&vm->node, &ket_vms);
	return vm;
}

/*
 * A vCPU's files appear once its attach is complete, its count of exits
 * before the attach included.  KVM creates a vCPU's debugfs directory
 * after its fd, so a vCPU may run before the directory exists: retried
 * by the reaper until it does.
 */
static void ket_vcpu_files(struct ket_vm *vm, struct ket_vcpu *kv)
{
	char name[24];

	if (kv->dir || !kv->attached || !ket_has_dir(vm->dir))
		return;
	snprintf(name, sizeof(name), "vcpu%d", kv->id);
	kv->dir = debugfs_lookup(name, vm->dir);
	if (kv->dir)
		ket_debugfs_create(kv->dir, kv->files, &kv->scope);
}

static struct ket_vcpu *ket_vcpu_create(struct ket_vm *vm,
					struct kvm_vcpu *vcpu)
{
	struct ket_vcpu *kv;

	kv = ket_kvzalloc(ket_vcpu_size());
	if (!kv)
		return NULL;
	atomic_inc(&ket_live_vcpus);
	ket_acct_init(&kv->acct, ket_reasons.nr);
	kv->vcpu = vcpu;
	kv->vm = vm;
	kv->id = vcpu->vcpu_id;
	kv->opaque = ket_vcpu_opaque(vcpu);
	kv->scope.vm = vm;
	kv->scope.vcpu = kv;
	seqcount_init(&kv->seq);
	return kv;
}

static int ket_attach_slot(struct ket_slot *s)
{
	struct ket_vm *vm = ket_vm_lookup(s->kvm);
	struct ket_vcpu *kv;

	if (!vm)
		vm = ket_vm_create(s->kvm, s);
	if (!vm)
		return -ENOMEM;
	kv = ket_vcpu_create(vm, s->vcpu);
	if (!kv)
		return -ENOMEM;
	list_add_tail_rcu(&kv->node, &vm->vcpus);
	hlist_add_head_rcu(&kv->hnode,
			   &ket_vcpu_hash[hash_ptr(s->vcpu, KET_HASH_BITS)]);
	s->done = kv;
	return 0;
}

static void ket_slot_free(struct ket_slot *s)
{
	kvm_put_kvm(s->kvm);
	s->kvm = NULL;
	module_put(s->vendor);
	s->vendor = NULL;
	put_pid(s->owner);
	s->owner = NULL;
	s->done = NULL;
	WRITE_ONCE(s->ready, 0);
	/* The slot is reusable only once all of the above is visible. */
	smp_store_release(&s->vcpu, NULL);
}

static void ket_attach_fn(struct work_struct *work)
{
	bool attached = false;
	struct ket_slot *s;
	unsigned int i;

	mutex_lock(&ket_lock);
	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		/* Pairs with the claimer's release of @ready. */
		if (!smp_load_acquire(&s->ready) || s->done)
			continue;
		if (ket_attach_slot(s)) {
			atomic64_inc(&ket_attach_failures);
			atomic64_add(s->missed, &ket_lost_exits);
			WRITE_ONCE(ket_backoff_until, jiffies + HZ);
			ket_slot_free(s);
			continue;
		}
		attached = true;
	}
	mutex_unlock(&ket_lock);
	if (!attached)
		return;
	/*
	 * After a grace period no probe is still in ket_vcpu_miss() for the
	 * vCPUs just published: their slots' counts are final.
	 */
	synchronize_rcu();
	mutex_lock(&ket_lock);
	for (i = 0; i < KET_SLOTS; i++) {
		s = &ket_slots[i];
		if (!s->done)
			continue;
		atomic64_add(READ_ONCE(s->missed), &s->done->unaccounted);
		s->done->attached = true;
		ket_vcpu_files(s->done->vm, s->done);
		ket_slot_free(s);
	}
	mutex_unlock(&ket_lock);
}

static void ket_vm_release(struct kref *ref)
{
	struct ket_vm *vm = container_of(ref, struct ket_vm, ref);
	struct ket_vcpu *kv, *tmp;

	list_for_each_entry_safe(kv, tmp, &vm->vcpus, node) {
		kvfree(kv);
		atomic_dec(&ket_live_vcpus);
	}
	put_pid(vm->owner);
	kfree(vm);
	atomic_dec(&ket_live_vms);
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
	vm->dir = debugfs_create_dir(name, ket_exited_dir);
	ket_debugfs_create(vm->dir, vm->files, &vm->scope);
	list_for_each_entry(kv, &vm->vcpus, node) {
		snprintf(name, sizeof(name), "vcpu%d", kv->id);
		kv->dir = debugfs_create_dir(name, vm->dir);
		ket_debugfs_create(kv->dir, kv->files, &kv->scope);
	}
}

/* Removes our files from KVM's directories (waits for their users). */
static void ket_vm_unlink(struct ket_vm *vm)
{
	struct ket_vcpu *kv;

	ket_debugfs_remove(vm->files);
	list_for_each_entry(kv, &vm->vcpus, node) {
		ket_debugfs_remove(kv->files);
		dput(kv->dir);
		kv->dir = NULL;
	}
	vm->dir = NULL;
}

/*
 * The VM has no user but us: no vCPU can run, so its state has no writer
 * left and may be finalised here, and its tables move under exited/; the
 * oldest exited VMs beyond ket_retain move to @drop.  Called with
 * ket_lock held, after the vCPUs were unpublished and a grace period
 * passed.  Our reference to the VM moves to @vm->dying: ket_reap_fn()
 * drops it, and removes and puts @drop's VMs, without ket_lock.
 */
static void ket_vm_retire(struct ket_vm *vm, struct list_head *drop)
{
	struct ket_vcpu *kv;

	ket_vm_unlink(vm);
	ket_vm_uncache(vm);
	list_for_each_entry(kv, &vm->vcpus, node)
		ket_vcpu_finish(kv);
	vm->dying = vm->kvm;
	WRITE_ONCE(vm->kvm, NULL);
	list_move_tail(&vm->node, &ket_exited_vms);
	ket_nr_exited++;
	ket_exited_files(vm);
	while (ket_nr_exited > READ_ONCE(ket_retain)) {
		list_move_tail(ket_exited_vms.next, drop);
		ket_nr_exited--;
	}
}

/* Our reference to the VM (@kvm), then the vendor module's. */
static void ket_vm_drop(struct ket_vm *vm, struct kvm *kvm)
{
	kvm_put_kvm(kvm);
	module_put(vm->vendor);
	vm->vendor = NULL;
}

static void ket_vm_unhash(struct ket_vm *vm)
{
	struct ket_vcpu *kv;

	list_for_each_entry(kv, &vm->vcpus, node)
		hlist_del_init_rcu(&kv->hnode);
}

/*
 * Destroying a VM (our reference is its last) and removing files (which
 * waits for their readers) are done without ket_lock: under VM churn,
 * the attach worker waiting for the lock let every attach slot fill and
 * new VMs go untimed.  Only the reaper frees exited VMs, so the ones it
 * retired stay alive, linked by @reap, until it is done with them.
 */
static void ket_reap_fn(struct work_struct *work)
{
	struct ket_vm *vm, *tmp;
	struct ket_vcpu *kv;
	LIST_HEAD(dead);
	LIST_HEAD(drop);

	mutex_lock(&ket_lock);
	list_for_each_entry(vm, &ket_vms, node) {
		if (refcount_read(&vm->kvm->users_count) == 1) {
			ket_vm_unhash(vm);
			list_add_tail(&vm->reap, &dead);
			continue;
		}
		list_for_each_entry(kv, &vm->vcpus, node)
			ket_vcpu_files(vm, kv);
	}
	mutex_unlock(&ket_lock);
	if (list_empty(&dead))
		goto out;
	synchronize_rcu();
	mutex_lock(&ket_lock);
	list_for_each_entry(vm, &dead, reap)
		ket_vm_retire(vm, &drop);
	mutex_unlock(&ket_lock);
	/*
	 * A probe may still read a cache entry that ket_vm_retire() emptied
	 * (see ket_cpu_kv): after a grace period none does, and the retired
	 * states may be freed, here or by whoever puts them last.
	 */
	synchronize_rcu();
	list_for_each_entry_safe(vm, tmp, &dead, reap) {
		ket_vm_drop(vm, vm->dying);
		vm->dying = NULL;
		list_del(&vm->reap);
	}
	list_for_each_entry_safe(vm, tmp, &drop, node) {
		list_del(&vm->node);
		debugfs_remove_recursive(vm->dir);
		ket_vm_put(vm);
	}
out:
	schedule_delayed_work(&ket_reap_work, KET_REAP_PERIOD);
}

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
	d->flags = vm->kvm ? 0 : KVM_EXIT_TIMING_VM_EXITED;
	d->nr_vcpus = ket_vm_vcpu_ids(vm, NULL, 0);
	strscpy(d->name, vm->name, sizeof(d->name));
}

/*
 * The VMs @may_read accepts, attached ones first, then exited ones,
 * oldest first.  *@nr is set to their number; -E2BIG if @room is less.
 */
int ket_vm_list(bool (*may_read)(struct ket_vm *vm),
		struct kvm_exit_timing_vm *out, u32 room, u32 *nr)
{
	struct list_head *lists[] = { &ket_vms, &ket_exited_vms };
	struct ket_vm *vm;
	unsigned int i;
	u32 n = 0;

	mutex_lock(&ket_lock);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(vm, lists[i], node) {
			if (!may_read(vm))
				continue;
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
	ket_buf_printf(b, "vms_seen %llu\n", ket_vm_serial);
	mutex_unlock(&ket_lock);
	ket_buf_printf(b, "lost_exits %lld\n",
		       (long long)atomic64_read(&ket_lost_exits));
	ket_buf_printf(b, "attach_failures %lld\n",
		       (long long)atomic64_read(&ket_attach_failures));
	ket_buf_printf(b, "vms_allocated %d\n", atomic_read(&ket_live_vms));
	ket_buf_printf(b, "vcpus_allocated %d\n",
		       atomic_read(&ket_live_vcpus));
}

int ket_lifecycle_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(ket_cpu_kv, cpu) = &ket_vcpu_none;
	ket_exited_dir = debugfs_create_dir("exited", ket_debugfs_root);
	schedule_delayed_work(&ket_reap_work, KET_REAP_PERIOD);
	return 0;
}

/* Probes are unregistered: nothing but us touches the state any more. */
void ket_lifecycle_exit(void)
{
	struct ket_vm *vm, *tmp;
	unsigned int i;

	irq_work_sync(&ket_attach_irq_work);
	cancel_work_sync(&ket_attach_work);
	cancel_delayed_work_sync(&ket_reap_work);
	mutex_lock(&ket_lock);
	for (i = 0; i < KET_SLOTS; i++)
		/* Pairs with the claimer's release of @ready. */
		if (smp_load_acquire(&ket_slots[i].ready))
			ket_slot_free(&ket_slots[i]);
	list_for_each_entry_safe(vm, tmp, &ket_vms, node) {
		ket_vm_unhash(vm);
		ket_vm_unlink(vm);
		ket_vm_drop(vm, vm->kvm);
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
		ket_vm_put(vm);
	}
	ket_nr_exited = 0;
}
