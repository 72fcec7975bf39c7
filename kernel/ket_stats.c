// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics files, in KVM's stats format (layout in
 * ket_stats_layout.c): exit_timing.stats in debugfs, and the fds that
 * /dev/kvm_exit_timing hands out.
 *
 * A file holds no image of itself: the header and descriptors, the same
 * in every file but for the id, are built once, at module load, and
 * shared; the data block is built by every read that reaches it, from a
 * consistent copy of each row, in buffers charged to the reader and
 * freed before the read returns.  So pread at any offset sees live
 * values, and an open file costs a few dozen bytes, as KVM's own stats
 * fds cost nothing.  A file holds a reference on its VM: it keeps reading
 * the final values after the VM exits, and after its tables leave
 * exited/.
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
	char id[KVM_EXIT_TIMING_STATS_NAME_SIZE];	/* zero-padded */
};

/* Every file's layout, and its header and descriptors (id left empty). */
static struct ket_stats_layout ket_stats_layout;
static void *ket_stats_meta;

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

/* The scope's data block now, in a buffer to kvfree(); NULL if none. */
static u64 *ket_stats_data(struct ket_stats_file *sf)
{
	const struct ket_stats_layout *l = &ket_stats_layout;
	struct ket_stats_totals tot = {};
	struct ket_agg *aggs;
	u64 *data;

	aggs = ket_kvmalloc_array(l->nr_rows, sizeof(*aggs));
	data = ket_kvmalloc(l->data_size);
	if (aggs && data) {
		ket_scope_read(&sf->scope, aggs, ket_stats_add_now, &tot);
		ket_stats_write_data(l, data, aggs, &tot);
	} else {
		kvfree(data);
		data = NULL;
	}
	kvfree(aggs);
	return data;
}

static void ket_stats_free(struct ket_stats_file *sf)
{
	ket_vm_put(sf->scope.vm);
	kfree(sf);
}

/* Takes over the caller's reference on @vm, also on failure. */
static struct ket_stats_file *ket_stats_create(struct ket_vm *vm,
					       struct ket_vcpu *kv)
{
	struct ket_stats_file *sf;

	sf = ket_kzalloc(sizeof(*sf));
	if (!sf) {
		ket_vm_put(vm);
		return ERR_PTR(-ENOMEM);
	}
	sf->scope.vm = vm;
	sf->scope.vcpu = kv;
	/*
	 * stats_id is KVM's "kvm-<pid>", at most 11 characters, and the
	 * rest fits too (at most 33 of the 47 the name size allows); the
	 * precision tells the compiler so (W=1's -Wformat-truncation).
	 */
	if (kv)
		snprintf(sf->id, sizeof(sf->id), "%.16s/vcpu-%d/exit_timing",
			 vm->stats_id, kv->id);
	else
		snprintf(sf->id, sizeof(sf->id), "%.16s/exit_timing",
			 vm->stats_id);
	return sf;
}

/*
 * Copies to @ubuf, which stands for the file from @pos on, for @len
 * bytes, what of it lies in the piece at @off, @size bytes of @src.
 */
static int ket_stats_copy(char __user *ubuf, loff_t pos, size_t len,
			  u32 off, u32 size, const void *src)
{
	loff_t start = max_t(loff_t, pos, off);
	loff_t end = min_t(loff_t, pos + len, (loff_t)off + size);

	if (start >= end)
		return 0;
	if (copy_to_user(ubuf + (start - pos), src + (start - off),
			 end - start))
		return -EFAULT;
	return 0;
}

static ssize_t ket_stats_read(struct file *file, char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	const struct ket_stats_layout *l = &ket_stats_layout;
	struct ket_stats_file *sf = file->private_data;
	loff_t pos = *ppos;
	u64 *data = NULL;
	int ret;

	if (pos < 0)
		return -EINVAL;
	if (pos >= l->size || !len)
		return 0;
	len = min_t(size_t, len, l->size - pos);
	if (pos + len > l->data_offset) {
		data = ket_stats_data(sf);
		if (!data)
			return -ENOMEM;
	}
	ret = ket_stats_copy(ubuf, pos, len, 0, l->id_offset, ket_stats_meta);
	if (!ret)
		ret = ket_stats_copy(ubuf, pos, len, l->id_offset,
				     sizeof(sf->id), sf->id);
	if (!ret)
		ret = ket_stats_copy(ubuf, pos, len, l->desc_offset,
				     l->data_offset - l->desc_offset,
				     ket_stats_meta + l->desc_offset);
	if (!ret && data)
		ret = ket_stats_copy(ubuf, pos, len, l->data_offset,
				     l->data_size, data);
	kvfree(data);
	if (ret)
		return ret;
	*ppos = pos + len;
	return len;
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

/* The header and descriptors every file shares: at module load. */
int ket_stats_init(void)
{
	struct ket_stats_layout *l = &ket_stats_layout;
	int ret;

	ket_stats_layout_init(l, KVM_EXIT_TIMING_NR_CLASSES + ket_reasons.nr);
	BUILD_BUG_ON(sizeof_field(struct ket_stats_file, id) !=
		     KVM_EXIT_TIMING_STATS_NAME_SIZE);
	ket_stats_meta = kvzalloc(l->data_offset, GFP_KERNEL);
	if (!ket_stats_meta)
		return -ENOMEM;
	ret = ket_stats_write_meta(l, &ket_reasons, "", ket_stats_meta);
	if (ret)
		ket_stats_exit();
	return ret;
}

void ket_stats_exit(void)
{
	kvfree(ket_stats_meta);
	ket_stats_meta = NULL;
}
