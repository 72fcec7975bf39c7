// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm_exit_timing: the VMs being timed and their binary statistics,
 * for hosts where debugfs is not mounted or is locked down.  The ioctls
 * are in include/uapi/linux/kvm_exit_timing.h.
 *
 * Who may read what: the node is 0600, root's alone unless the
 * administrator opens it up.  A caller with CAP_SYS_ADMIN reads every VM;
 * any other caller only the VMs whose owner process (the one that ran
 * the first vCPU) it could ptrace for reading: the same user ids and
 * group ids, and the owner dumpable, or CAP_SYS_PTRACE over it.  This is
 * the credential rule of ptrace_may_access(), which is not exported to
 * modules; LSM ptrace hooks such as Yama's are not consulted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/pid.h>
#include <linux/sched/coredump.h>
#ifdef KET_TASK_EXEC_STATE
#include <linux/sched/exec_state.h>
#endif
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ket.h"

/* Caps a listing's kernel buffer; far beyond any host's VM count. */
#define KET_LIST_MAX 65536

/*
 * The owner's dumpability, or CAP_SYS_PTRACE in the user namespace it
 * was set in.  Since 7.2 both live in the task's exec_state, no longer
 * in its mm; the accessor is not exported, the RCU pointer is public.
 */
#ifdef KET_TASK_EXEC_STATE
static bool ket_owner_dumpable(struct task_struct *task)
{
	struct task_exec_state *es;
	bool ok;

	rcu_read_lock();
	es = rcu_dereference(task->exec_state);
	ok = !es || es->dumpable == TASK_DUMPABLE_OWNER ||
	     ns_capable(es->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	return ok;
}
#else
static bool ket_owner_dumpable(struct task_struct *task)
{
	struct mm_struct *mm;
	bool ok = true;

	task_lock(task);
	mm = task->mm;
	if (mm && get_dumpable(mm) != SUID_DUMP_USER &&
	    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
		ok = false;
	task_unlock(task);
	return ok;
}
#endif

static bool ket_may_ptrace_read(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = (uid_eq(cred->fsuid, tcred->euid) &&
	      uid_eq(cred->fsuid, tcred->suid) &&
	      uid_eq(cred->fsuid, tcred->uid) &&
	      gid_eq(cred->fsgid, tcred->egid) &&
	      gid_eq(cred->fsgid, tcred->sgid) &&
	      gid_eq(cred->fsgid, tcred->gid)) ||
	     ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return false;
	return ket_owner_dumpable(task);
}

/* For a caller without CAP_SYS_ADMIN: is @vm's owner its to ptrace? */
static bool ket_may_read_owned(struct ket_vm *vm)
{
	struct task_struct *task;
	bool ok;

	task = get_pid_task(vm->owner, PIDTYPE_TGID);
	if (!task)
		return false;	/* the owner is gone: root's alone */
	ok = ket_may_ptrace_read(task);
	put_task_struct(task);
	return ok;
}

static bool ket_may_read_any(struct ket_vm *vm)
{
	return true;
}

static bool (*ket_read_rule(void))(struct ket_vm *vm)
{
	return capable(CAP_SYS_ADMIN) ? ket_may_read_any : ket_may_read_owned;
}

static long ket_ioctl_list_vms(void __user *argp)
{
	struct kvm_exit_timing_vm_list req;
	struct kvm_exit_timing_vm *vms;
	u32 nr;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.nr > KET_LIST_MAX)
		return -EINVAL;
	vms = ket_kvcalloc(req.nr, sizeof(*vms));
	if (!vms && req.nr)
		return -ENOMEM;
	ret = ket_vm_list(ket_read_rule(), vms, req.nr, &nr);
	if (ret == -E2BIG) {
		if (put_user(nr, (u32 __user *)argp))
			ret = -EFAULT;
	} else if (copy_to_user(u64_to_user_ptr(req.vms), vms,
				nr * sizeof(*vms)) ||
		   put_user(nr, (u32 __user *)argp)) {
		ret = -EFAULT;
	}
	kvfree(vms);
	return ret;
}

/* VM @vm_id, referenced, if it exists and the caller may read it. */
static struct ket_vm *ket_dev_vm(u64 vm_id, int *err)
{
	struct ket_vm *vm = ket_vm_get_by_id(vm_id);

	*err = -ENOENT;
	if (!vm)
		return NULL;
	if (!ket_read_rule()(vm)) {
		ket_vm_put(vm);
		*err = -EACCES;
		return NULL;
	}
	return vm;
}

static long ket_ioctl_list_vcpus(void __user *argp)
{
	struct kvm_exit_timing_vcpu_list req;
	struct ket_vm *vm;
	u32 *ids, nr;
	int ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.nr > KVM_MAX_VCPUS)
		return -EINVAL;
	ids = ket_kvcalloc(req.nr, sizeof(*ids));
	if (!ids && req.nr)
		return -ENOMEM;
	vm = ket_dev_vm(req.vm_id, &ret);
	if (!vm) {
		kvfree(ids);
		return ret;
	}
	nr = ket_vm_vcpu_ids(vm, ids, req.nr);
	ket_vm_put(vm);
	ret = 0;
	if (nr > req.nr)
		ret = -E2BIG;
	else if (copy_to_user(u64_to_user_ptr(req.ids), ids,
			      nr * sizeof(*ids)))
		ret = -EFAULT;
	if (put_user(nr, &((struct kvm_exit_timing_vcpu_list __user *)argp)->nr))
		ret = -EFAULT;
	kvfree(ids);
	return ret;
}

/* The scope @req names, @vm referenced and @kv set (NULL: the VM). */
static int ket_dev_scope(void __user *argp, struct ket_vm **vm,
			 struct ket_vcpu **kv)
{
	struct kvm_exit_timing_scope req;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.vcpu_id < KVM_EXIT_TIMING_VM_SCOPE)
		return -EINVAL;
	*vm = ket_dev_vm(req.vm_id, &ret);
	if (!*vm)
		return ret;
	*kv = NULL;
	if (req.vcpu_id == KVM_EXIT_TIMING_VM_SCOPE)
		return 0;
	*kv = ket_vm_vcpu(*vm, req.vcpu_id);
	if (*kv)
		return 0;
	ket_vm_put(*vm);
	return -ENOENT;
}

static long ket_ioctl_stats_fd(void __user *argp)
{
	struct ket_vcpu *kv;
	struct ket_vm *vm;
	int ret;

	ret = ket_dev_scope(argp, &vm, &kv);
	if (ret)
		return ret;
	return ket_stats_fd(vm, kv);
}

static long ket_ioctl_reset(void __user *argp)
{
	struct ket_vcpu *kv;
	struct ket_vm *vm;
	int ret;

	ret = ket_dev_scope(argp, &vm, &kv);
	if (ret)
		return ret;
	ket_scope_reset(kv ? &kv->scope : &vm->scope);
	ket_vm_put(vm);
	return 0;
}

static long ket_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KVM_EXIT_TIMING_LIST_VMS:
		return ket_ioctl_list_vms(argp);
	case KVM_EXIT_TIMING_LIST_VCPUS:
		return ket_ioctl_list_vcpus(argp);
	case KVM_EXIT_TIMING_GET_STATS_FD:
		return ket_ioctl_stats_fd(argp);
	case KVM_EXIT_TIMING_RESET:
		return ket_ioctl_reset(argp);
	}
	return -ENOTTY;
}

static const struct file_operations ket_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ket_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ket_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvm_exit_timing",
	.fops = &ket_dev_fops,
	.mode = 0600,
};

int ket_dev_init(void)
{
	return misc_register(&ket_dev);
}

void ket_dev_exit(void)
{
	misc_deregister(&ket_dev);
}
