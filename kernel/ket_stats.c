// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics files, in KVM's stats format (layout in
 * ket_stats_layout.c): exit_timing.stats in debugfs, and the fds that
 * /dev/kvm_exit_timing hands out.
 *
 * The header, id and descriptors are written once, at open, and never
 * change.  The data block is rebuilt, from a consistent copy of each row,
 * by every read that reaches it, so that pread at any offset sees live
 * values.  A file holds a reference on its VM: it keeps reading the final
 * values after the VM exits, and after its tables leave exited/.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "ket.h"
#include "ket_stats_layout.h"

struct ket_stats_file {
	struct ket_scope scope;		/* its VM referenced */
	struct ket_stats_layout layout;
	struct mutex lock;		/* serialises refreshes of the data */
	struct ket_agg *aggs;		/* one per row, scratch */
	char *image;			/* the file: meta, then data */
};

static void ket_stats_add_now(void *arg, const struct ket_vcpu_now *now)
{
	struct ket_stats_totals *tot = arg;

	tot->vcpus++;
	tot->entries += now->entries;
	tot->exits += now->exits;
	tot->untimed += now->untimed;
	tot->unaccounted += now->unaccounted;
	tot->anomalies += now->anomalies;
}

static void ket_stats_refresh(struct ket_stats_file *sf)
{
	struct ket_stats_totals tot = {};

	ket_scope_read(&sf->scope, sf->aggs, ket_stats_add_now, &tot);
	ket_stats_write_data(&sf->layout,
			     (u64 *)(sf->image + sf->layout.data_offset),
			     sf->aggs, &tot);
}

static void ket_stats_free(struct ket_stats_file *sf)
{
	kvfree(sf->image);
	kvfree(sf->aggs);
	ket_vm_put(sf->scope.vm);
	kfree(sf);
}

/* Takes over the caller's reference on @vm, also on failure. */
static struct ket_stats_file *ket_stats_create(struct ket_vm *vm,
					       struct ket_vcpu *kv)
{
	struct ket_stats_file *sf;
	char id[KVM_EXIT_TIMING_STATS_NAME_SIZE];
	int ret = -ENOMEM;

	sf = ket_kzalloc(sizeof(*sf));
	if (!sf) {
		ket_vm_put(vm);
		return ERR_PTR(-ENOMEM);
	}
	sf->scope.vm = vm;
	sf->scope.vcpu = kv;
	mutex_init(&sf->lock);
	ket_stats_layout_init(&sf->layout,
			      KVM_EXIT_TIMING_NR_CLASSES + ket_reasons.nr);
	sf->image = ket_kvzalloc(sf->layout.size);
	sf->aggs = ket_kvmalloc_array(sf->layout.nr_rows, sizeof(*sf->aggs));
	if (!sf->image || !sf->aggs)
		goto fail;
	/*
	 * stats_id is KVM's "kvm-<pid>", at most 11 characters; the
	 * precision tells the compiler so (W=1's -Wformat-truncation).
	 */
	if (kv)
		snprintf(id, sizeof(id), "%.16s/vcpu-%d/exit_timing",
			 vm->stats_id, kv->id);
	else
		snprintf(id, sizeof(id), "%.16s/exit_timing", vm->stats_id);
	ret = ket_stats_write_meta(&sf->layout, &ket_reasons, id, sf->image);
	if (ret)
		goto fail;
	return sf;
fail:
	ket_stats_free(sf);
	return ERR_PTR(ret);
}

static ssize_t ket_stats_read(struct file *file, char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct ket_stats_file *sf = file->private_data;
	ssize_t ret;

	if (*ppos < 0)
		return -EINVAL;
	if (*ppos >= sf->layout.size || !len)
		return 0;
	mutex_lock(&sf->lock);
	if (*ppos + len > sf->layout.data_offset)
		ket_stats_refresh(sf);
	ret = simple_read_from_buffer(ubuf, len, ppos, sf->image,
				      sf->layout.size);
	mutex_unlock(&sf->lock);
	return ret;
}

static int ket_stats_release(struct inode *inode, struct file *file)
{
	ket_stats_free(file->private_data);
	return 0;
}

/* exit_timing.stats in debugfs: the proxy keeps the scope alive here. */
static int ket_stats_debugfs_open(struct inode *inode, struct file *file)
{
	struct ket_scope *sc = inode->i_private;
	struct ket_stats_file *sf;

	ket_vm_get(sc->vm);
	sf = ket_stats_create(sc->vm, sc->vcpu);
	if (IS_ERR(sf))
		return PTR_ERR(sf);
	file->private_data = sf;
	return 0;
}

const struct file_operations ket_stats_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = ket_stats_debugfs_open,
	.read = ket_stats_read,
	.llseek = default_llseek,
	.release = ket_stats_release,
};

static const struct file_operations ket_stats_fops = {
	.owner = THIS_MODULE,
	.read = ket_stats_read,
	.llseek = noop_llseek,
	.release = ket_stats_release,
};

/*
 * A new stats fd for @kv or all of @vm, as KVM_GET_STATS_FD makes them.
 * Takes over the caller's reference on @vm, also on failure.
 */
int ket_stats_fd(struct ket_vm *vm, struct ket_vcpu *kv)
{
	struct ket_stats_file *sf;
	struct file *file;
	int fd;

	sf = ket_stats_create(vm, kv);
	if (IS_ERR(sf))
		return PTR_ERR(sf);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ket_stats_free(sf);
		return fd;
	}
	file = anon_inode_getfile("kvm-exit-timing-stats", &ket_stats_fops, sf,
				  O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ket_stats_free(sf);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}
