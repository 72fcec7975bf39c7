// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files: exit_timing, exit_reasons and exit_histogram, for a
 * VM and for each of its vCPUs (formats in Documentation/kvm_exit_timing.rst).
 *
 * A file's text is built when it is opened, from a consistent snapshot of
 * each row, and served from that buffer: reads at any offset see one
 * instant.  These operations never take ket_lock: debugfs_remove(), which
 * the lifecycle code calls under it, waits for them to finish, and that
 * wait is also what keeps their ket_scope alive.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "ket.h"

/* Serialises resets and retirement, the writers of a vCPU's seq but its own. */
DEFINE_SPINLOCK(ket_reset_lock);

#define KET_BUF_MIN (64 * 1024)
#define KET_BUF_MAX (64 * 1024 * 1024)

/* The class of an exit in progress of @kind, in @phase. */
static const char *ket_exit_class_name(struct ket_exit_kind kind,
				       unsigned int phase)
{
	if (kind.cls == KET_RESOLVE_NESTED)
		return ket_class_names[KVM_EXIT_TIMING_NESTED];
	/* Decided at the next entry, by what KVM does with it, or a mark. */
	if (phase == KET_PHASE_IN_EXIT_RESOLVE ||
	    kind.cls >= KVM_EXIT_TIMING_NR_CLASSES)
		return "?";
	return ket_class_names[kind.cls];
}

/*
 * Adds @kv's rows into @aggs (classes, then reasons: see ket_acct_view()),
 * each row copied consistently, and fills @now.  A reset that the vCPU
 * thread has not applied yet reads as done.
 */
static void ket_vcpu_read(struct ket_vcpu *kv, struct ket_agg *aggs,
			  struct ket_vcpu_now *now)
{
	struct ket_acct *a = &kv->acct;
	struct ket_exit_kind kind = { 0 };
	unsigned int seq, i, to, also;
	bool pending;
	struct ket_row row;
	u64 t = 0, stamp;

	for (i = 0; i < ket_acct_rows(ket_reasons.nr); i++) {
		do {
			seq = read_seqcount_begin(&kv->seq);
			pending = ket_reset_pending(kv);
			row = a->rows[i];
		} while (read_seqcount_retry(&kv->seq, seq));
		if (pending)	/* ket_agg_add_row() skips empty rows */
			continue;
		ket_acct_view(i, ket_reasons.nr, ket_reasons.cls, &to, &also);
		ket_agg_add_row(&aggs[to], &row);
		if (also != ~0U)
			ket_agg_add_row(&aggs[also], &row);
	}
	memset(now, 0, sizeof(*now));
	now->id = kv->id;
	do {
		seq = read_seqcount_begin(&kv->seq);
		pending = ket_reset_pending(kv);
		/* The exit publishes with its stamp: ket_acct_store_exit(). */
		stamp = smp_load_acquire(&a->stamp);
		now->phase = ket_acct_stamp_phase(stamp);
		kind = ket_acct_stamp_kind(stamp);
		t = now->phase == KET_PHASE_IN_GUEST ? a->t_entry :
						       READ_ONCE(a->t_exit);
		now->entries = ket_acct_entries(a);
		now->exits = now->entries - a->unended;
		now->untimed = a->untimed;
		now->anomalies = a->anomalies;
	} while (read_seqcount_retry(&kv->seq, seq));
	if (now->phase == KET_PHASE_IN_EXIT_RESOLVE ||
	    now->phase == KET_PHASE_IN_EXIT) {
		now->reason = ket_reasons.name[kind.reason];
		now->class_name = ket_exit_class_name(kind, now->phase);
		now->phase = KET_PHASE_IN_EXIT;
	}
	now->unaccounted = atomic64_read(&kv->unaccounted);
	if (pending) {
		now->entries = now->phase == KET_PHASE_NEW ? 0 : 1;
		now->exits = 0;
		now->untimed = 0;
		now->anomalies = 0;
		now->unaccounted = 0;
	}
	if (now->phase == KET_PHASE_IN_GUEST || now->phase == KET_PHASE_IN_EXIT) {
		u64 d = ket_now_reader() - t;

		now->for_ns = (s64)d > 0 ? ket_to_ns(d, ket_tb.mult) : 0;
	}
}

/*
 * Sums the rows of @sc (one vCPU, or every vCPU of a VM) into @aggs, the
 * classes then the reasons, which it initialises first, and hands each
 * vCPU's current state to @fn.  The tables and the binary stats read
 * through here, in process context; the caller holds @sc's VM.
 */
void ket_scope_read(const struct ket_scope *sc, struct ket_agg *aggs,
		    void (*fn)(void *arg, const struct ket_vcpu_now *now),
		    void *arg)
{
	unsigned int i, nr = KVM_EXIT_TIMING_NR_CLASSES + ket_reasons.nr;
	struct ket_vcpu_now now;
	struct ket_vcpu *kv;

	for (i = 0; i < nr; i++)
		ket_agg_init(&aggs[i]);
	if (sc->vcpu) {
		ket_vcpu_read(sc->vcpu, aggs, &now);
		fn(arg, &now);
		return;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(kv, &sc->vm->vcpus, node) {
		ket_vcpu_read(kv, aggs, &now);
		fn(arg, &now);
		/*
		 * A state leaves the list only when its VM is freed, which
		 * the caller's reference prevents: the cursor outlives the
		 * read section.  End it between vCPUs, so that a VM of
		 * thousands does not hold up a grace period, or the CPU.
		 */
		rcu_read_unlock();
		cond_resched();
		rcu_read_lock();
	}
	rcu_read_unlock();
}

/*
 * Reader-side reset: the vCPU thread applies it at its next probe, which
 * misses its cache entry, emptied here, and so looks the vCPU up
 * (ket_vcpu_lookup()); or we do, once the vCPU is gone.
 */
void ket_vcpu_reset(struct ket_vcpu *kv)
{
	unsigned long flags;

	spin_lock_irqsave(&ket_reset_lock, flags);
	atomic_inc(&kv->reset_req);
	if (!READ_ONCE(kv->vm->kvm)) {
		write_seqcount_begin(&kv->seq);
		ket_apply_reset(kv);
		write_seqcount_end(&kv->seq);
	} else {
		/* Pairs with ket_vcpu_lookup()'s, after its fill. */
		smp_mb__after_atomic();
		ket_vcpu_uncache(kv);
	}
	spin_unlock_irqrestore(&ket_reset_lock, flags);
}

/* Retirement: apply what is pending and mark the vCPU gone. */
void ket_vcpu_finish(struct ket_vcpu *kv)
{
	unsigned long flags;

	spin_lock_irqsave(&ket_reset_lock, flags);
	write_seqcount_begin(&kv->seq);
	ket_apply_reset(kv);
	kv->acct.phase = KET_PHASE_GONE;
	kv->vcpu = NULL;
	write_seqcount_end(&kv->seq);
	spin_unlock_irqrestore(&ket_reset_lock, flags);
}

void ket_scope_reset(struct ket_scope *sc)
{
	struct ket_vcpu *kv;

	if (sc->vcpu) {
		ket_vcpu_reset(sc->vcpu);
		return;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(kv, &sc->vm->vcpus, node)
		ket_vcpu_reset(kv);
	rcu_read_unlock();
}

static void ket_render_rows(struct ket_buf *b, enum ket_file_kind kind,
			    struct ket_agg *aggs, struct ket_table_row *rows)
{
	unsigned int i, n = 0;

	if (kind == KET_FILE_REASONS) {
		for (i = 0; i < ket_reasons.nr; i++) {
			if (!aggs[KET_REASON_ROW(i)].count)
				continue;
			rows[n].name = ket_reasons.name[i];
			rows[n++].agg = &aggs[KET_REASON_ROW(i)];
		}
		i = KET_GUEST_ROW;
		if (aggs[i].count) {
			rows[n].name = ket_class_names[i];
			rows[n++].agg = &aggs[i];
		}
		ket_format_table(b, rows, n);
		return;
	}
	/* Classes in enum order: TIMEINGUEST is last. */
	for (i = 0; i < KVM_EXIT_TIMING_NR_CLASSES; i++) {
		if (!aggs[i].count)
			continue;
		rows[n].name = ket_class_names[i];
		rows[n++].agg = &aggs[i];
	}
	if (kind == KET_FILE_HISTOGRAM)
		ket_format_hist(b, rows, n);
	else
		ket_format_table(b, rows, n);
}

static void ket_render_now(void *tail, const struct ket_vcpu_now *now)
{
	ket_format_vcpu_now(tail, now);
}

/* Builds the file's text in @b and @tail (the vCPU lines). */
static int ket_render(struct ket_scope *sc, enum ket_file_kind kind,
		      struct ket_buf *b, struct ket_buf *tail)
{
	unsigned int nr_rows = KVM_EXIT_TIMING_NR_CLASSES + ket_reasons.nr;
	struct ket_table_row *rows;
	struct ket_agg *aggs;

	aggs = ket_kvmalloc_array(nr_rows, sizeof(*aggs));
	rows = ket_kvmalloc_array(nr_rows, sizeof(*rows));
	if (!aggs || !rows) {
		kvfree(aggs);
		kvfree(rows);
		return -ENOMEM;
	}
	ket_scope_read(sc, aggs, ket_render_now, tail);
	ket_render_rows(b, kind, aggs, rows);
	if (kind == KET_FILE_TIMING && tail->len)
		ket_buf_printf(b, "\n%s", tail->p);
	kvfree(rows);
	kvfree(aggs);
	return 0;
}

static int ket_open(struct inode *inode, struct file *file,
		    enum ket_file_kind kind)
{
	struct ket_scope *sc = inode->i_private;
	struct ket_buf *b, tail = {};
	size_t cap;
	int ret;

	b = ket_kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (cap = KET_BUF_MIN; cap <= KET_BUF_MAX; cap *= 2) {
		b->p = ket_kvmalloc(cap);
		tail.p = ket_kvmalloc(cap);
		ret = -ENOMEM;
		if (!b->p || !tail.p)
			break;
		b->cap = cap;
		tail.cap = cap;
		b->len = 0;
		tail.len = 0;
		b->overflow = false;
		tail.overflow = false;
		tail.p[0] = '\0';
		ret = ket_render(sc, kind, b, &tail);
		if (ret || (!b->overflow && !tail.overflow))
			break;
		kvfree(b->p);
		kvfree(tail.p);
		b->p = NULL;
		tail.p = NULL;
		ret = -E2BIG;
	}
	kvfree(tail.p);
	if (ret) {
		kvfree(b->p);
		kfree(b);
		return ret;
	}
	file->private_data = b;
	return 0;
}

static int ket_open_timing(struct inode *inode, struct file *file)
{
	return ket_open(inode, file, KET_FILE_TIMING);
}

static int ket_open_reasons(struct inode *inode, struct file *file)
{
	return ket_open(inode, file, KET_FILE_REASONS);
}

static int ket_open_histogram(struct inode *inode, struct file *file)
{
	return ket_open(inode, file, KET_FILE_HISTOGRAM);
}

static ssize_t ket_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	struct ket_buf *b = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, b->p, b->len);
}

/*
 * Exactly "c" or "c\n", written at offset 0 in one write, resets the
 * file's scope (a VM: all its vCPUs; a vCPU: that vCPU).  Anything else
 * is -EINVAL and changes nothing.
 */
static ssize_t ket_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	struct ket_scope *sc = file_inode(file)->i_private;
	char cmd[2];

	if (*ppos != 0 || len < 1 || len > sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	if (cmd[0] != 'c' || (len == 2 && cmd[1] != '\n'))
		return -EINVAL;
	ket_scope_reset(sc);
	return len;
}

static int ket_release(struct inode *inode, struct file *file)
{
	struct ket_buf *b = file->private_data;

	kvfree(b->p);
	kfree(b);
	return 0;
}

#define KET_TEXT_FOPS(name, fn)						\
	static const struct file_operations name = {			\
		.owner = THIS_MODULE,					\
		.open = fn,						\
		.read = ket_read,					\
		.write = ket_write,					\
		.llseek = default_llseek,				\
		.release = ket_release,					\
	}

KET_TEXT_FOPS(ket_timing_fops, ket_open_timing);
KET_TEXT_FOPS(ket_reasons_fops, ket_open_reasons);
KET_TEXT_FOPS(ket_histogram_fops, ket_open_histogram);
static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} ket_files[KET_NR_FILES] = {
	[KET_FILE_TIMING] = { "exit_timing", 0600, &ket_timing_fops },
	[KET_FILE_REASONS] = { "exit_reasons", 0600, &ket_reasons_fops },
	[KET_FILE_HISTOGRAM] = { "exit_histogram", 0600,
				 &ket_histogram_fops },
	[KET_FILE_STATS] = { "exit_timing.stats", 0400,
			     &ket_stats_debugfs_fops },
};

/*
 * Our files, in @dir (none if @dir is NULL), each referenced: when @dir
 * is one of KVM's, KVM removes it, our files with it, when it destroys
 * the VM, and the references keep the dentries valid until
 * ket_debugfs_remove() puts them, before or after that.  The reference
 * is taken by a lookup, not on the dentry debugfs returned: once debugfs
 * unlocked @dir, KVM's removal may already have freed that one.  If KVM
 * removed @dir first, debugfs creates nothing (-ENOENT), or the lookup
 * finds nothing: not an error.
 */
void ket_debugfs_create(struct dentry *dir, struct dentry **files,
			struct ket_scope *scope)
{
	struct dentry *d, *held;
	unsigned int i;

	for (i = 0; i < KET_NR_FILES; i++) {
		files[i] = NULL;
		if (!dir)
			continue;
		d = debugfs_create_file(ket_files[i].name, ket_files[i].mode,
					dir, scope, ket_files[i].fops);
		if (IS_ERR(d))
			continue;
		held = debugfs_lookup(ket_files[i].name, dir);
		if (held == d)
			files[i] = held;
		else
			dput(held);
	}
}

/*
 * Removes our files, if KVM has not, and waits for their readers: after
 * it, no file operation of theirs but release can run.
 */
void ket_debugfs_remove(struct dentry **files)
{
	unsigned int i;

	for (i = 0; i < KET_NR_FILES; i++) {
		debugfs_remove(files[i]);
		dput(files[i]);
		files[i] = NULL;
	}
}
