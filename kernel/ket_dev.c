// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm_exit_timing: the VMs being timed and their binary statistics,
 * for hosts where debugfs is not mounted or is locked down, and for VMMs
 * that read their own VM's.  The ioctls are in
 * include/uapi/linux/kvm_exit_timing.h.
 *
 * Who may do what, by proof rather than by rule:
 *  - Whoever holds a VM's fd (KVM_CREATE_VM's) may read that VM's
 *    statistics, naming the VM by the fd: the fd is what lets it run,
 *    read and write the VM, and the LSMs vetted its way to the caller.
 *  - A device fd opened with CAP_PERFMON or CAP_SYS_ADMIN lists every
 *    VM and names any by its id, exited ones included, to read it; to
 *    reset or forget it by id, CAP_SYS_ADMIN: CAP_PERFMON is for
 *    monitoring.
 *  - RESET and FORGET take, besides, a device fd open for writing, so
 *    that a read-only fd handed to a monitoring agent reads and changes
 *    nothing.
 * Anything else fails with EPERM before any VM is looked up: a caller
 * learns nothing of the VMs it may not read.  So the node can be 0666,
 * as /dev/kvm is on most distributions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ket.h"

/* Caps a listing's kernel buffer; far beyond any host's VM count. */
#define KET_LIST_MAX 65536

/* What a device fd's opener may do to any VM, named by id: */
#define KET_DEV_READ_ANY	0x1	/* CAP_PERFMON or CAP_SYS_ADMIN */
#define KET_DEV_WRITE_ANY	0x2	/* CAP_SYS_ADMIN: reset, forget */

/*
 * Decided at open, from the credentials the file keeps (file->f_cred):
 * an fd is worth what its opener was, whoever calls with it.  CAP_PERFMON
 * or CAP_SYS_ADMIN is the kernel's test for system-wide monitoring
 * (perfmon_capable()).  No audit record either way: a caller without
 * them is refused nothing its VM fd would not give it.
 */
static int ket_dev_open(struct inode *inode, struct file *file)
{
	unsigned long may = 0;

	if (ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		may = KET_DEV_READ_ANY | KET_DEV_WRITE_ANY;
	else if (ns_capable_noaudit(&init_user_ns, CAP_PERFMON))
		may = KET_DEV_READ_ANY;
	file->private_data = (void *)may;
	return 0;
}

static bool ket_dev_may(const struct file *file, unsigned long what)
{
	return (unsigned long)file->private_data & what;
}

/*
 * Whether @file is a KVM VM's fd: file_is_kvm() where KVM exports it to
 * any module (6.1, 6.12; kernel/Kbuild tells).  Newer kernels keep it to
 * KVM's own modules (EXPORT_SYMBOL_FOR_KVM_INTERNAL); there a VM's fd is
 * known as the anonymous-inode file KVM names "kvm-vm"
 * (anon_inode_getfile()), which no other has: only the kernel makes
 * those files, and their names never change (no rename: safe to read).
 * Either way its private data is then the struct kvm.
 */
static bool ket_file_is_vm(struct file *file)
{
#ifdef KET_FILE_IS_KVM
	return file_is_kvm(file);
#else
	return file_inode(file)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file->f_path.dentry->d_name.name, "kvm-vm");
#endif
}

/* The attached VM whose fd is @fd in the caller's table, referenced. */
static struct ket_vm *ket_vm_get_by_fd(int fd, int *err)
{
	struct file *file = fget(fd);
	struct ket_vm *vm = NULL;

	*err = -EBADF;
	if (!file)
		return NULL;
	if (ket_file_is_vm(file)) {
		vm = ket_vm_get_by_kvm(file->private_data);
		*err = vm ? 0 : -ENOENT;
	}
	fput(file);
	return vm;
}

/*
 * The VM @sc names, referenced, if the caller may @what (KET_DEV_*_ANY)
 * to it by id.
 */
static struct ket_vm *ket_dev_vm(struct file *file,
				 const struct kvm_exit_timing_scope *sc,
				 unsigned long what, int *err)
{
	struct ket_vm *vm;

	if (sc->flags || sc->pad || sc->vcpu_id < KVM_EXIT_TIMING_VM_SCOPE) {
		*err = -EINVAL;
		return NULL;
	}
	if (sc->vm_fd != KVM_EXIT_TIMING_BY_ID) {
		if (sc->vm_id) {
			*err = -EINVAL;
			return NULL;
		}
		return ket_vm_get_by_fd(sc->vm_fd, err);
	}
	if (!ket_dev_may(file, what)) {
		*err = -EPERM;
		return NULL;
	}
	vm = ket_vm_get_by_id(sc->vm_id);
	*err = vm ? 0 : -ENOENT;
	return vm;
}

static long ket_ioctl_list_vms(struct file *file, void __user *argp)
{
	struct kvm_exit_timing_vm_list req;
	struct kvm_exit_timing_vm *vms;
	u32 nr;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.nr > KET_LIST_MAX)
		return -EINVAL;
	if (!ket_dev_may(file, KET_DEV_READ_ANY))
		return -EPERM;
	vms = ket_kvcalloc(req.nr, sizeof(*vms));
	if (!vms && req.nr)
		return -ENOMEM;
	ret = ket_vm_list(vms, req.nr, &nr);
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

static long ket_ioctl_list_vcpus(struct file *file, void __user *argp)
{
	struct kvm_exit_timing_vcpu_list __user *uarg = argp;
	struct kvm_exit_timing_vcpu_list req;
	struct ket_vm *vm;
	u32 *ids, nr;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.pad || req.nr > KVM_MAX_VCPUS ||
	    req.vm.vcpu_id != KVM_EXIT_TIMING_VM_SCOPE)
		return -EINVAL;
	vm = ket_dev_vm(file, &req.vm, KET_DEV_READ_ANY, &ret);
	if (!vm)
		return ret;
	ids = ket_kvcalloc(req.nr, sizeof(*ids));
	if (!ids && req.nr) {
		ket_vm_put(vm);
		return -ENOMEM;
	}
	nr = ket_vm_vcpu_ids(vm, ids, req.nr);
	ket_vm_put(vm);
	ret = 0;
	if (nr > req.nr)
		ret = -E2BIG;	/* tells the room needed, as LIST_VMS does */
	else if (copy_to_user(u64_to_user_ptr(req.ids), ids,
			      nr * sizeof(*ids)))
		ret = -EFAULT;
	if (ret != -EFAULT && put_user(nr, &uarg->nr))
		ret = -EFAULT;
	kvfree(ids);
	return ret;
}

/* The scope @argp names, @vm referenced and @kv set (NULL: the VM). */
static int ket_dev_scope(struct file *file, void __user *argp,
			 unsigned long what, struct ket_vm **vm,
			 struct ket_vcpu **kv)
{
	struct kvm_exit_timing_scope req;
	int ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	*vm = ket_dev_vm(file, &req, what, &ret);
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

static long ket_ioctl_stats_fd(struct file *file, void __user *argp)
{
	struct ket_vcpu *kv;
	struct ket_vm *vm;
	int ret;

	ret = ket_dev_scope(file, argp, KET_DEV_READ_ANY, &vm, &kv);
	if (ret)
		return ret;
	return ket_stats_fd(vm, kv);
}

static long ket_ioctl_reset(struct file *file, void __user *argp)
{
	struct ket_vcpu *kv;
	struct ket_vm *vm;
	int ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	ret = ket_dev_scope(file, argp, KET_DEV_WRITE_ANY, &vm, &kv);
	if (ret)
		return ret;
	ket_scope_reset(kv ? &kv->scope : &vm->scope);
	ket_vm_put(vm);
	return 0;
}

/*
 * A VM's whole tables are kept after it exits, or not: FORGET names the
 * VM alone.  The same proof as a reset: a VMM (a test suite) may keep
 * its own VMs out of exited/, where they would push out other VMs'.
 */
static long ket_ioctl_forget(struct file *file, void __user *argp)
{
	struct kvm_exit_timing_scope req;
	struct ket_vm *vm;
	int ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.vcpu_id != KVM_EXIT_TIMING_VM_SCOPE)
		return -EINVAL;
	vm = ket_dev_vm(file, &req, KET_DEV_WRITE_ANY, &ret);
	if (!vm)
		return ret;
	ket_vm_forget(vm);
	ket_vm_put(vm);
	return 0;
}

static long ket_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KVM_EXIT_TIMING_LIST_VMS:
		return ket_ioctl_list_vms(file, argp);
	case KVM_EXIT_TIMING_LIST_VCPUS:
		return ket_ioctl_list_vcpus(file, argp);
	case KVM_EXIT_TIMING_GET_STATS_FD:
		return ket_ioctl_stats_fd(file, argp);
	case KVM_EXIT_TIMING_RESET:
		return ket_ioctl_reset(file, argp);
	case KVM_EXIT_TIMING_FORGET:
		return ket_ioctl_forget(file, argp);
	}
	return -ENOTTY;
}

static const struct file_operations ket_dev_fops = {
	.owner = THIS_MODULE,
	.open = ket_dev_open,
	.unlocked_ioctl = ket_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ket_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvm_exit_timing",
	.fops = &ket_dev_fops,
	.mode = 0666,
};

int ket_dev_init(void)
{
	return misc_register(&ket_dev);
}

void ket_dev_exit(void)
{
	misc_deregister(&ket_dev);
}
