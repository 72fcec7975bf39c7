// SPDX-License-Identifier: GPL-2.0
/*
 * The binary statistics (exit_timing.stats and /dev/kvm_exit_timing),
 * read with the KVM selftests library's own stats readers: layout, exact
 * agreement with the text tables, pread at any offset, the device's
 * ioctls, bad arguments and permissions.
 */
#define _GNU_SOURCE	/* unshare() */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/kvm_exit_timing.h>

#include "kvm_util.h"

/* The 6.1 KVM library has its own ASSERT_EQ; the harness's wins here. */
#undef ASSERT_EQ
#include "kselftest_harness.h"

#include "ket_guest.h"
#include "ket_util.h"

#define KET_DEV KVM_EXIT_TIMING_DEVICE
#define KET_EXITED "/sys/kernel/debug/kvm_exit_timing/exited"
#define KET_NR_CLASSES KVM_EXIT_TIMING_NR_CLASSES
#define KET_BUCKETS KVM_EXIT_TIMING_HIST_BUCKETS
/* count, time, min, max, sumsq[2], hist */
#define KET_ROW_WORDS (6 + KET_BUCKETS)
#define KET_SCOPE_STATS 6

static const char *const class_names[KET_NR_CLASSES] = {
	"EMULINST", "ITLBVIRT", "DTLBVIRT", "ITLBREAL", "DTLBREAL", "MMIO",
	"PIO", "DEC", "EXTINT", "HALT", "HCALL", "SIGNAL", "APIC", "SPIN",
	"DEBUG", "FP_UNAVAIL", "EXCEPTION", "NESTED", "OTHER", "TIMEINGUEST",
};

static const char *const scope_names[KET_SCOPE_STATS] = {
	"vcpus", "entries", "exits", "exits_untimed", "exits_unaccounted",
	"anomalies",
};

static const struct {
	const char *suffix;
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
} row_stats[] = {
	{ "count", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE, 0, 1 },
	{ "time_ns", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS, -9, 1 },
	{ "min_ns", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_SECONDS, -9, 1 },
	{ "max_ns", KVM_STATS_TYPE_PEAK | KVM_STATS_UNIT_SECONDS, -9, 1 },
	{ "sumsq_ns2", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE, 0, 2 },
	{ "hist_ns", KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS, -9,
	  KET_BUCKETS },
};

/* A stats file as the KVM library reads it. */
struct ket_stats {
	int fd;
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	char id[KVM_EXIT_TIMING_STATS_NAME_SIZE];
};

static void ket_stats_open(struct __test_metadata *_metadata,
			   struct ket_stats *s, int fd)
{
	ASSERT_LE(0, fd) TH_LOG("stats fd: %s", strerror(errno));
	s->fd = fd;
	read_stats_header(fd, &s->h);
	ASSERT_EQ(KVM_EXIT_TIMING_STATS_NAME_SIZE, s->h.name_size);
	ASSERT_EQ(sizeof(s->id), pread(fd, s->id, sizeof(s->id),
				       s->h.id_offset));
	s->d = read_stats_descriptors(fd, &s->h);
}

static void ket_stats_close(struct ket_stats *s)
{
	free(s->d);
	close(s->fd);
}

static struct kvm_stats_desc *ket_desc(struct ket_stats *s, unsigned int i)
{
	return get_stats_descriptor(s->d, i, &s->h);
}

static struct kvm_stats_desc *ket_find(struct ket_stats *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->h.num_desc; i++)
		if (!strcmp(ket_desc(s, i)->name, name))
			return ket_desc(s, i);
	return NULL;
}

/* Words of stat @name (@n of them), through the library's reader. */
static void ket_stat(struct __test_metadata *_metadata, struct ket_stats *s,
		     const char *name, uint64_t *v, size_t n)
{
	struct kvm_stats_desc *d = ket_find(s, name);

	ASSERT_NE(NULL, d) TH_LOG("no stat %s", name);
	ASSERT_EQ(n, d->size);
	read_stat_data(s->fd, &s->h, d, v, n);
}

static uint64_t ket_stat1(struct __test_metadata *_metadata,
			  struct ket_stats *s, const char *name)
{
	uint64_t v = ~0ULL;

	ket_stat(_metadata, s, name, &v, 1);
	return v;
}

static size_t ket_stats_size(struct ket_stats *s)
{
	size_t rows = (s->h.num_desc - KET_SCOPE_STATS) / 6;

	return s->h.data_offset +
	       (KET_SCOPE_STATS + rows * KET_ROW_WORDS) * sizeof(uint64_t);
}

static int ket_debugfs_stats(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/exit_timing.stats", dir);
	return open(path, O_RDONLY);
}

/*
 * Finds, in the device's listing, the attached VM whose debugfs name is
 * @name (an exited VM kept under exited/ may have had the same name: a
 * pid is reused), or with @name NULL the VM of id @id, attached or
 * exited.  Fills @out if found and not NULL.
 */
static bool ket_vm_find(const char *name, uint64_t id,
			struct kvm_exit_timing_vm *out)
{
	struct kvm_exit_timing_vm_list l = {};
	struct kvm_exit_timing_vm *vms;
	bool found = false;
	unsigned int i;
	int fd = open(KET_DEV, O_RDWR);

	if (fd < 0)
		return false;
	ioctl(fd, KVM_EXIT_TIMING_LIST_VMS, &l);
	vms = calloc(l.nr + 1, sizeof(*vms));
	l.vms = (uintptr_t)vms;
	if (!ioctl(fd, KVM_EXIT_TIMING_LIST_VMS, &l))
		for (i = 0; i < l.nr && !found; i++)
			found = name ? !strcmp(vms[i].name, name) &&
				       !(vms[i].flags & KVM_EXIT_TIMING_VM_EXITED) :
				       vms[i].id == id;
	if (found && out)
		*out = vms[i - 1];
	free(vms);
	close(fd);
	return found;
}

/* The device's id of the attached VM @name (in @out); 0 if none. */
static uint64_t ket_vm_id(const char *name, struct kvm_exit_timing_vm *out)
{
	struct kvm_exit_timing_vm vm = {};

	ket_vm_find(name, 0, &vm);
	if (out)
		*out = vm;
	return vm.id;
}

/* ket_vm_id() once VM @name is attached: the attach is asynchronous. */
static uint64_t ket_vm_id_wait(const char *name)
{
	uint64_t id;
	int i;

	for (i = 0; i < 300 && !(id = ket_vm_id(name, NULL)); i++)
		usleep(10000);
	return id;
}

static int ket_dev_ioctl(unsigned long cmd, void *arg)
{
	return ket_dev_ioctl_as(O_RDWR, cmd, arg);
}

/* VM @vm_id by id, as an admin names it. */
static struct kvm_exit_timing_scope ket_by_id(uint64_t vm_id, int vcpu_id)
{
	return (struct kvm_exit_timing_scope){ .vm_id = vm_id,
					       .vm_fd = KVM_EXIT_TIMING_BY_ID,
					       .vcpu_id = vcpu_id };
}

/* The VM whose fd is @vm_fd, as its VMM names it. */
static struct kvm_exit_timing_scope ket_by_fd(int vm_fd, int vcpu_id)
{
	return (struct kvm_exit_timing_scope){ .vm_fd = vm_fd,
					       .vcpu_id = vcpu_id };
}

static int ket_dev_stats_fd(uint64_t vm_id, int vcpu_id)
{
	struct kvm_exit_timing_scope sc = ket_by_id(vm_id, vcpu_id);

	return ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc);
}

static const char *ket_base(const char *dir)
{
	return strrchr(dir, '/') + 1;
}

/* Header, id and descriptors: exactly the documented layout. */
static void ket_check_layout(struct __test_metadata *_metadata,
			     struct ket_stats *s, const char *id)
{
	unsigned int i, j, row, rows;
	uint32_t offset = 0;
	struct kvm_stats_desc *d;
	char name[64], last;

	ASSERT_EQ(0, s->h.flags);
	ASSERT_EQ(0, strcmp(s->id, id)) TH_LOG("id %s", s->id);
	ASSERT_EQ(sizeof(struct kvm_stats_header), s->h.id_offset);
	ASSERT_EQ(s->h.id_offset + s->h.name_size, s->h.desc_offset);
	ASSERT_EQ(s->h.desc_offset + s->h.num_desc *
		  (sizeof(*d) + s->h.name_size), s->h.data_offset);
	ASSERT_EQ(0, s->h.data_offset % 8);
	ASSERT_EQ(0, (s->h.num_desc - KET_SCOPE_STATS) % 6);
	rows = (s->h.num_desc - KET_SCOPE_STATS) / 6;
	ASSERT_GT(rows, KET_NR_CLASSES + 1);	/* some reasons, "unknown" */
	for (i = 0; i < s->h.num_desc; i++) {
		d = ket_desc(s, i);
		/* Blocks follow each other: aligned, no gap, no overlap. */
		ASSERT_EQ(offset, d->offset) TH_LOG("%s", d->name);
		offset += d->size * 8;
		ASSERT_EQ(0, d->bucket_size);
		ASSERT_EQ(KVM_STATS_BASE_POW10, d->flags & KVM_STATS_BASE_MASK);
		ASSERT_LT(strlen(d->name), s->h.name_size);
		for (j = 0; j < i; j++)
			ASSERT_NE(0, strcmp(d->name, ket_desc(s, j)->name));
		if (i < KET_SCOPE_STATS) {
			ASSERT_EQ(0, strcmp(d->name, scope_names[i]));
			ASSERT_EQ(i ? KVM_STATS_TYPE_CUMULATIVE :
				  KVM_STATS_TYPE_INSTANT, d->flags);
			ASSERT_EQ(1, d->size);
			continue;
		}
		row = (i - KET_SCOPE_STATS) / 6;
		j = (i - KET_SCOPE_STATS) % 6;
		ASSERT_EQ(row_stats[j].flags, d->flags) TH_LOG("%s", d->name);
		ASSERT_EQ(row_stats[j].exponent, d->exponent);
		ASSERT_EQ(row_stats[j].size, d->size);
		if (row < KET_NR_CLASSES)
			snprintf(name, sizeof(name), "class_%s_%s",
				 class_names[row], row_stats[j].suffix);
		else if (row == rows - 1)
			snprintf(name, sizeof(name), "reason_unknown_%s",
				 row_stats[j].suffix);
		else
			snprintf(name, sizeof(name), "reason_");
		ASSERT_EQ(0, strncmp(d->name, name, strlen(name)))
			TH_LOG("%s is not %s", d->name, name);
		ASSERT_EQ(0, strcmp(d->name + strlen(d->name) -
				    strlen(row_stats[j].suffix),
				    row_stats[j].suffix));
	}
	/* The data end the file. */
	ASSERT_EQ(ket_stats_size(s), s->h.data_offset + offset);
	ASSERT_EQ(0, pread(s->fd, &last, 1, ket_stats_size(s)));
	ASSERT_EQ(1, pread(s->fd, &last, 1, ket_stats_size(s) - 1));
}

/* The integer stddev of the tables, from count, sum and sum of squares. */
static uint64_t ket_stddev(uint64_t n, uint64_t sum, unsigned __int128 sumsq)
{
	unsigned __int128 q = sum / n, r = sum % n, var;
	uint64_t x;

	var = (sumsq - q * q * n - 2 * q * r) / n;
	x = (uint64_t)sqrtl((long double)var);
	while ((unsigned __int128)x * x > var)
		x--;
	while ((unsigned __int128)(x + 1) * (x + 1) <= var)
		x++;
	return x;
}

/* Every row of @t, and no other, has the same figures in @s. */
static void ket_check_agree(struct __test_metadata *_metadata,
			    struct ket_stats *s, const struct ket_table *t,
			    const char *kind)
{
	uint64_t w[KET_ROW_WORDS], total;
	unsigned int i, b, present = 0;
	struct kvm_stats_desc *d;
	char name[96];

	for (i = 0; i < t->nr; i++) {
		const struct ket_trow *r = &t->rows[i];
		const char *k = strcmp(r->name, "TIMEINGUEST") ? kind : "class";

		snprintf(name, sizeof(name), "%s_%s_count", k, r->name);
		d = ket_find(s, name);
		ASSERT_NE(NULL, d) TH_LOG("no %s", name);
		ASSERT_EQ(KET_ROW_WORDS * 8,
			  pread(s->fd, w, sizeof(w), s->h.data_offset +
				d->offset));
		ASSERT_EQ(r->count, w[0]) TH_LOG("%s", name);
		ASSERT_TRUE(r->sum == w[1]) TH_LOG("%s sum", name);
		ASSERT_EQ(r->min, w[2]);
		ASSERT_EQ(r->max, w[3]);
		ASSERT_EQ(r->stddev,
			  ket_stddev(w[0], w[1],
				     ((unsigned __int128)w[5] << 64) | w[4]));
		for (b = 0, total = 0; b < KET_BUCKETS; b++)
			total += w[6 + b];
		ASSERT_EQ(r->count, total);
	}
	/* Rows the table leaves out have a zero count. */
	for (i = KET_SCOPE_STATS; i < s->h.num_desc; i += 6) {
		d = ket_desc(s, i);
		if (strncmp(d->name, kind, strlen(kind)) &&
		    strncmp(d->name, "class_TIMEINGUEST", 17))
			continue;
		read_stat_data(s->fd, &s->h, d, w, 1);
		present += w[0] != 0;
	}
	ASSERT_EQ(t->nr, present);
}

TEST(stats_layout)
{
	char id[64], vcpu_id[64];
	struct ket_stats vm, vcpu;
	struct ket_run r;

	ket_run_work(&r, W_EMUL, 10);
	snprintf(id, sizeof(id), "kvm-%d/exit_timing", getpid());
	snprintf(vcpu_id, sizeof(vcpu_id), "kvm-%d/vcpu-0/exit_timing",
		 getpid());
	ket_stats_open(_metadata, &vm, ket_debugfs_stats(r.dir));
	ket_check_layout(_metadata, &vm, id);
	ket_stats_open(_metadata, &vcpu, ket_debugfs_stats(r.vcpu_dir));
	ket_check_layout(_metadata, &vcpu, vcpu_id);
	/* One descriptor set for every scope. */
	ASSERT_EQ(vm.h.num_desc, vcpu.h.num_desc);
	ASSERT_EQ(0, memcmp(vm.d, vcpu.d, vm.h.num_desc *
			    (sizeof(*vm.d) + vm.h.name_size)));
	ket_stats_close(&vm);
	ket_stats_close(&vcpu);
	kvm_vm_free(r.vm);
}

/*
 * The library's readers see exactly the guest's exits, the same figures
 * as the text tables, from debugfs and from the device alike.
 */
TEST(stats_agree_with_tables)
{
	struct ket_stats vm, vcpu, dev_vm, dev_vcpu;
	char *a, *b, name[64];
	size_t size;
	uint64_t id;
	struct ket_run r;

	ket_run_work(&r, W_EMUL, KET_N);
	ket_stats_open(_metadata, &vm, ket_debugfs_stats(r.dir));
	ASSERT_EQ(KET_N, ket_stat1(_metadata, &vm, "class_EMULINST_count"));
	snprintf(name, sizeof(name), "reason_%s_count", ket_names()->emul);
	ASSERT_EQ(KET_N, ket_stat1(_metadata, &vm, name));
	snprintf(name, sizeof(name), "reason_%s_count", ket_names()->sync);
	ASSERT_EQ(1, ket_stat1(_metadata, &vm, name));
	ASSERT_EQ(1, ket_stat1(_metadata, &vm, "vcpus"));
	ASSERT_EQ(r.classes.vcpus[0].exits,
		  ket_stat1(_metadata, &vm, "exits"));
	ASSERT_EQ(r.classes.vcpus[0].entries,
		  ket_stat1(_metadata, &vm, "entries"));
	ASSERT_EQ(0, ket_stat1(_metadata, &vm, "anomalies"));
	ket_check_agree(_metadata, &vm, &r.classes, "class");
	ket_check_agree(_metadata, &vm, &r.reasons, "reason");
	ket_stats_open(_metadata, &vcpu, ket_debugfs_stats(r.vcpu_dir));
	ket_check_agree(_metadata, &vcpu, &r.vcpu_classes, "class");

	/* The device's fds: the same bytes, ids included. */
	id = ket_vm_id(ket_base(r.dir), NULL);
	ASSERT_NE(0, id);
	ket_stats_open(_metadata, &dev_vm, ket_dev_stats_fd(id, -1));
	ket_stats_open(_metadata, &dev_vcpu, ket_dev_stats_fd(id, 0));
	ASSERT_EQ(FD_CLOEXEC, fcntl(dev_vm.fd, F_GETFD) & FD_CLOEXEC);
	size = ket_stats_size(&vm);
	a = malloc(size);
	b = malloc(size);
	ASSERT_EQ(size, pread(vm.fd, a, size, 0));
	ASSERT_EQ(size, pread(dev_vm.fd, b, size, 0));
	ASSERT_EQ(0, memcmp(a, b, size));
	ASSERT_EQ(size, pread(vcpu.fd, a, size, 0));
	ASSERT_EQ(size, pread(dev_vcpu.fd, b, size, 0));
	ASSERT_EQ(0, memcmp(a, b, size));
	free(a);
	free(b);
	ket_stats_close(&vm);
	ket_stats_close(&vcpu);
	ket_stats_close(&dev_vm);
	ket_stats_close(&dev_vcpu);
	kvm_vm_free(r.vm);
}

/* Any offset, any length: the same bytes as one read of the whole file. */
TEST(stats_pread_any_offset)
{
	static const size_t lens[] = { 1, 3, 7, 8, 13, 64, 333, 4093 };
	struct ket_stats s;
	struct ket_run r;
	size_t size, off, n, i = 0;
	char *whole, *parts, c;

	ket_run_work(&r, W_USER, 100);
	ket_stats_open(_metadata, &s, ket_debugfs_stats(r.dir));
	size = ket_stats_size(&s);
	whole = malloc(size + 16);
	parts = calloc(1, size);
	ASSERT_EQ(size, pread(s.fd, whole, size + 16, 0));
	for (off = 0; off < size; off += n) {
		n = lens[i++ % ARRAY_SIZE(lens)];
		if (n > size - off)
			n = size - off;
		ASSERT_EQ(n, pread(s.fd, parts + off, n, off));
	}
	ASSERT_EQ(0, memcmp(whole, parts, size));
	/* Sequential read(2) from the start, then the end of the file. */
	ASSERT_EQ(0, lseek(s.fd, 0, SEEK_SET));
	ASSERT_EQ(size, read(s.fd, parts, size));
	ASSERT_EQ(0, read(s.fd, &c, 1));
	ASSERT_EQ(0, pread(s.fd, &c, 1, 1LL << 40));
	ASSERT_EQ(-1, pread(s.fd, &c, 1, -1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, write(s.fd, "c", 1));
	ASSERT_EQ(EBADF, errno);
	free(whole);
	free(parts);
	ket_stats_close(&s);
	kvm_vm_free(r.vm);
}

/* Data are live: a reset through the device shows at the next pread. */
TEST(stats_live_and_reset)
{
	struct kvm_exit_timing_scope sc;
	struct ket_stats s;
	struct ket_run r;

	ket_run_work(&r, W_HCALL, 77);
	sc = ket_by_id(ket_vm_id(ket_base(r.dir), NULL), -1);
	ket_stats_open(_metadata, &s, ket_dev_stats_fd(sc.vm_id, -1));
	ASSERT_EQ(77, ket_stat1(_metadata, &s, "class_HCALL_count"));
	ASSERT_EQ(0, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(0, ket_stat1(_metadata, &s, "class_HCALL_count"));
	ASSERT_EQ(0, ket_stat1(_metadata, &s, "exits"));
	ASSERT_EQ(1, ket_stat1(_metadata, &s, "entries"));
	ASSERT_EQ(0, ket_stat1(_metadata, &s, "class_HCALL_min_ns"));
	ket_stats_close(&s);
	kvm_vm_free(r.vm);
}

/*
 * A device fd outlives its VM, forgotten as every VM of the suite is
 * (ket_run_work()): once KVM destroyed the VM, it leaves the listing
 * without a directory under exited/, and the fd reads its final figures.
 */
TEST(stats_fd_outlives_vm)
{
	struct ket_stats s;
	struct ket_run r;
	char name[64], path[160];
	uint64_t id;
	int i;

	ket_run_work(&r, W_EMUL, 33);
	snprintf(name, sizeof(name), "%s", ket_base(r.dir));
	id = ket_vm_id(name, NULL);
	ASSERT_NE(0, id);
	ket_stats_open(_metadata, &s, ket_dev_stats_fd(id, 0));
	kvm_vm_free(r.vm);
	for (i = 0; i < 300 && ket_vm_find(NULL, id, NULL); i++)
		usleep(10000);
	ASSERT_LT(i, 300);
	snprintf(path, sizeof(path), KET_EXITED "/%s.%llu", name,
		 (unsigned long long)id);
	ASSERT_NE(0, access(path, F_OK));
	ASSERT_EQ(33, ket_stat1(_metadata, &s, "class_EMULINST_count"));
	ket_stats_close(&s);
}

/*
 * A VM kept under exited/ is forgotten by id, through a writable device
 * fd only: its directory goes at once, and the VM leaves the listing;
 * forgotten again, it is unknown.
 */
TEST(dev_forget_exited_vm)
{
	struct kvm_exit_timing_scope sc;
	struct ket_run r;
	char name[64], path[192];
	int i;

	if (!ket_exited_room())
		SKIP(return, "exited/ is full (retain_kb): keeping a VM would drop another's");
	ket_run_work_kept(&r, W_EMUL, 3);
	snprintf(name, sizeof(name), "%s", ket_base(r.dir));
	sc = ket_by_id(ket_vm_id(name, NULL), -1);
	ASSERT_NE(0, sc.vm_id);
	snprintf(path, sizeof(path), KET_EXITED "/%s.%llu/exit_timing", name,
		 (unsigned long long)sc.vm_id);
	kvm_vm_free(r.vm);
	for (i = 0; i < 300 && access(path, F_OK); i++)
		usleep(10000);
	ASSERT_LT(i, 300);
	ASSERT_EQ(-EBADF, ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_FORGET,
					   &sc));
	ASSERT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	ASSERT_NE(0, access(path, F_OK));
	ASSERT_FALSE(ket_vm_find(NULL, sc.vm_id, NULL));
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
}

/* The device's ABI, byte for byte: structures and ioctl numbers. */
TEST(dev_abi_layout)
{
	ASSERT_EQ(72, sizeof(struct kvm_exit_timing_vm));
	ASSERT_EQ(16, sizeof(struct kvm_exit_timing_vm_list));
	ASSERT_EQ(24, sizeof(struct kvm_exit_timing_scope));
	ASSERT_EQ(8, offsetof(struct kvm_exit_timing_scope, vm_fd));
	ASSERT_EQ(12, offsetof(struct kvm_exit_timing_scope, vcpu_id));
	ASSERT_EQ(16, offsetof(struct kvm_exit_timing_scope, flags));
	ASSERT_EQ(40, sizeof(struct kvm_exit_timing_vcpu_list));
	ASSERT_EQ(24, offsetof(struct kvm_exit_timing_vcpu_list, nr));
	ASSERT_EQ(32, offsetof(struct kvm_exit_timing_vcpu_list, ids));
	ASSERT_EQ(-1, KVM_EXIT_TIMING_BY_ID);
	ASSERT_EQ(-1, KVM_EXIT_TIMING_VM_SCOPE);
	ASSERT_EQ(0xc010c400UL, KVM_EXIT_TIMING_LIST_VMS);
	ASSERT_EQ(0xc028c401UL, KVM_EXIT_TIMING_LIST_VCPUS);
	ASSERT_EQ(0x4018c402UL, KVM_EXIT_TIMING_GET_STATS_FD);
	ASSERT_EQ(0x4018c403UL, KVM_EXIT_TIMING_RESET);
	ASSERT_EQ(0x4018c404UL, KVM_EXIT_TIMING_FORGET);
}

TEST(dev_lists_vms_and_vcpus)
{
	struct kvm_exit_timing_vcpu_list vl = {};
	struct kvm_exit_timing_vm_list l = {};
	struct kvm_exit_timing_vm info;
	struct ket_run r;
	uint32_t ids[4] = { 7, 7, 7, 7 };
	struct stat st;

	ASSERT_EQ(0, stat(KET_DEV, &st));
	ASSERT_EQ(0666, st.st_mode & 0777);
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ket_run_work(&r, W_EMUL, 1);
	/* nr 0: the count comes back with E2BIG, nothing else is written. */
	ASSERT_EQ(-E2BIG, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, &l));
	ASSERT_LE(1, l.nr);
	vl.vm = ket_by_id(ket_vm_id(ket_base(r.dir), &info), -1);
	ASSERT_NE(0, vl.vm.vm_id);
	ASSERT_EQ(getpid(), info.pid);
	ASSERT_EQ(0, info.flags);
	ASSERT_EQ(1, info.nr_vcpus);
	ASSERT_EQ(0, info.pad);
	ASSERT_EQ(-E2BIG, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	ASSERT_EQ(1, vl.nr);
	vl.nr = 4;
	vl.ids = (uintptr_t)ids;
	ASSERT_EQ(0, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	ASSERT_EQ(1, vl.nr);
	ASSERT_EQ(0, ids[0]);
	ASSERT_EQ(7, ids[1]);
	/* The same by the VM's fd. */
	vl.vm = ket_by_fd(r.vm->fd, -1);
	ids[0] = 7;
	ASSERT_EQ(0, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	ASSERT_EQ(1, vl.nr);
	ASSERT_EQ(0, ids[0]);
	ASSERT_EQ(7, ids[1]);
	kvm_vm_free(r.vm);
}

#define KET_CG "/sys/fs/cgroup"
#define KET_NR_FDS 2000

/* The kernel memory charged to cgroup @dir, in bytes; -1 if unknown. */
static long long ket_cg_kernel(const char *dir)
{
	char path[128], key[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, "kernel"))
			found = v;
	fclose(f);
	return found;
}

/*
 * Stats fds are charged to their opener, and cost it little: a process
 * in a cgroup of its own holds 2,000 of one VM, one of them read; its
 * cgroup's kernel memory grows by at least our 64-byte state per fd,
 * and by less than a page per fd (struct file and dentry included),
 * where an image per fd cost 180 KB.  memory.stat is exact once the
 * kernel flushes it, every 2 s.  The cgroup is the test's own, named
 * after it and its pid, and removed; the memory controller is enabled in
 * the root's children only if it was not (as systemd does), and for the
 * test's length.
 */
TEST(stats_fds_charged_to_opener)
{
	struct rlimit rl = { KET_NR_FDS + 64, KET_NR_FDS + 64 };
	long long res[2] = { -1, -1 };
	char buf[4096], pid[16], cg[64], procs[80], *controllers;
	int out[2], i, fd, enabled_memory = 0, err, err2 = 0;
	struct ket_run r;
	ssize_t got;
	uint64_t id;

	controllers = ket_slurp(KET_CG "/cgroup.controllers");
	if (!controllers || !strstr(controllers, "memory"))
		SKIP(free(controllers);
		     return, "needs cgroup v2 at " KET_CG ", with memory");
	free(controllers);
	ket_run_work(&r, W_EMUL, 5);
	id = ket_vm_id(ket_base(r.dir), NULL);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, pipe(out));
	snprintf(cg, sizeof(cg), KET_CG "/ket_stats_fds.%d", getpid());
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	ASSERT_EQ(0, mkdir(cg, 0755));
	controllers = ket_slurp(KET_CG "/cgroup.subtree_control");
	if (controllers && !strstr(controllers, "memory"))
		enabled_memory = !ket_write_file(KET_CG "/cgroup.subtree_control",
						 "+memory", 7, 0);
	free(controllers);
	if (!fork()) {
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (ket_write_file(procs, pid, strlen(pid), 0) ||
		    setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		sleep(3);
		res[0] = ket_cg_kernel(cg);
		for (i = 0; i < KET_NR_FDS; i++) {
			fd = ket_dev_stats_fd(id, -1);
			if (fd < 0)
				_exit(1);
			if (!i && read(fd, buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		}
		sleep(3);
		res[1] = ket_cg_kernel(cg);
		if (write(out[1], res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(out[1]);
	got = read(out[0], res, sizeof(res));
	wait(NULL);
	/* What the test changed, undone before anything can fail. */
	err = rmdir(cg) ? errno : 0;
	if (enabled_memory)
		err2 = ket_write_file(KET_CG "/cgroup.subtree_control",
				      "-memory", 7, 0);
	ASSERT_EQ(0, err) TH_LOG("rmdir %s: %s", cg, strerror(err));
	ASSERT_EQ(0, err2) TH_LOG("-memory in the root: %s", strerror(err2));
	ASSERT_EQ(sizeof(res), got);
	ASSERT_LE(0, res[0]);
	TH_LOG("%d stats fds: the opener's cgroup's kernel memory grew by %lld bytes",
	       KET_NR_FDS, res[1] - res[0]);
	ASSERT_LE(KET_NR_FDS * 64LL, res[1] - res[0]);
	ASSERT_GT(KET_NR_FDS * 4096LL, res[1] - res[0]);
	kvm_vm_free(r.vm);
}

/* Each bad argument: its errno, and the VM's figures unchanged. */
TEST(dev_bad_arguments)
{
	struct kvm_exit_timing_vm_list l = {};
	struct kvm_exit_timing_vcpu_list vl = {};
	struct kvm_exit_timing_scope sc;
	int kvm_stats_fd, vm_fd;
	struct ket_stats s;
	struct ket_run r;
	uint64_t id;
	size_t size, i;
	char *before, *after;

	ket_run_work(&r, W_EMUL, 5);
	vm_fd = r.vm->fd;
	id = ket_vm_id(ket_base(r.dir), NULL);
	ket_stats_open(_metadata, &s, ket_dev_stats_fd(id, -1));
	size = ket_stats_size(&s);
	before = malloc(size);
	after = malloc(size);
	ASSERT_EQ(size, pread(s.fd, before, size, 0));

	ASSERT_EQ(-ENOTTY, ket_dev_ioctl(_IO(KVM_EXIT_TIMING_IO, 0x7f), &l));
	ASSERT_EQ(-EFAULT, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, NULL));
	l.flags = 1;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, &l));
	l.flags = 0;
	l.nr = 1U << 20;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, &l));
	/* Room for every VM, exited ones kept included, at an unmapped address. */
	l.nr = 0;
	ASSERT_EQ(-E2BIG, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, &l));
	l.nr += 16;
	l.vms = 8;
	ASSERT_EQ(-EFAULT, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VMS, &l));
	vl.vm = ket_by_id(~0ULL, -1);
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	vl.vm = ket_by_id(id, -1);
	vl.vm.flags = 2;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	vl.vm.flags = 0;
	vl.pad = 1;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));
	vl.pad = 0;
	vl.vm.vcpu_id = 0;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_LIST_VCPUS, &vl));

	sc = ket_by_id(~0ULL, -1);
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	sc = ket_by_id(id, 1);
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-ENOENT, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	/* A VM is forgotten whole, or not at all. */
	sc.vcpu_id = 0;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	sc.vcpu_id = -2;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	sc = ket_by_id(id, -1);
	sc.flags = 1;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	sc = ket_by_id(id, -1);
	sc.pad = 1;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	ASSERT_EQ(-EFAULT, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, NULL));
	ASSERT_EQ(-EFAULT, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, NULL));
	/* By fd: an id too is ambiguous. */
	sc = ket_by_fd(vm_fd, -1);
	sc.vm_id = id;
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_RESET, &sc));
	ASSERT_EQ(-EINVAL, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET, &sc));
	/*
	 * Not a VM's fd: none, another KVM file, and the VM's own KVM stats
	 * fd, whose private data is the VM too.
	 */
	kvm_stats_fd = vm_get_stats_fd(r.vm);
	{
		int bad[] = { 1000, -2, r.vm->kvm_fd, r.vcpu->fd,
			      kvm_stats_fd, s.fd };

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			sc = ket_by_fd(bad[i], -1);
			ASSERT_EQ(-EBADF, ket_dev_ioctl(KVM_EXIT_TIMING_GET_STATS_FD,
							&sc)) TH_LOG("fd %d", bad[i]);
			ASSERT_EQ(-EBADF, ket_dev_ioctl(KVM_EXIT_TIMING_RESET,
							&sc)) TH_LOG("fd %d", bad[i]);
			ASSERT_EQ(-EBADF, ket_dev_ioctl(KVM_EXIT_TIMING_FORGET,
							&sc)) TH_LOG("fd %d", bad[i]);
		}
	}
	close(kvm_stats_fd);
	/*
	 * A reset or a forget needs a device fd open for writing, even the
	 * admin's.
	 */
	sc = ket_by_id(id, -1);
	ASSERT_EQ(-EBADF, ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_RESET,
					   &sc));
	ASSERT_EQ(-EBADF, ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_FORGET,
					   &sc));
	sc = ket_by_fd(vm_fd, -1);
	ASSERT_EQ(-EBADF, ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_RESET,
					   &sc));
	ASSERT_EQ(-EBADF, ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_FORGET,
					   &sc));

	ASSERT_EQ(size, pread(s.fd, after, size, 0));
	for (i = 0; i < size && before[i] == after[i]; i++)
		;
	ASSERT_EQ(size, i) TH_LOG("differs at %zu of %zu (data at %u)", i,
				  size, s.h.data_offset);
	free(before);
	free(after);
	ket_stats_close(&s);
	kvm_vm_free(r.vm);
}

/* What a caller gets, each an ioctl's result or -errno. */
enum { P_LIST, P_ID, P_NO_ID, P_FD, P_VCPUS, P_RESET_RO, P_RESET,
       P_FORGET_RO, P_FORGET, P_ADMIN_FD_LIST, P_NR };

struct ket_probe {
	uint64_t id;		/* the VM's */
	int vm_fd;		/* the VM's fd in the caller, or -1 */
	int results[P_NR];
};

/* Drops the effective capabilities but @keep (a CAP_ bit, or 0). */
static int ket_caps_only(uint64_t keep)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective = (uint32_t)keep;
	d[1].effective = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &h, d);
}

/*
 * Each call a caller may try on VM @p->id: list the VMs, name it by id,
 * name an id no VM has (EPERM, as an existing one: no oracle), name it
 * by its fd (if the caller has one), reset and forget it through a
 * read-only and a read-write device fd (forgetting a running VM changes
 * nothing the next calls see).  P_ADMIN_FD_LIST: a listing through a device fd
 * opened before the caller dropped its capabilities, or -1.
 */
static void ket_probe_calls(struct ket_probe *p, int admin_fd)
{
	struct kvm_exit_timing_vm_list l = {};
	struct kvm_exit_timing_vcpu_list vl = {};
	struct kvm_exit_timing_scope sc;
	int fd;

	p->results[P_LIST] = ket_dev_ioctl_as(O_RDONLY,
					      KVM_EXIT_TIMING_LIST_VMS, &l);
	sc = ket_by_id(p->id, -1);
	fd = ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_GET_STATS_FD, &sc);
	p->results[P_ID] = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	sc = ket_by_id(~0ULL, -1);
	p->results[P_NO_ID] = ket_dev_ioctl_as(O_RDONLY,
					       KVM_EXIT_TIMING_GET_STATS_FD,
					       &sc);
	sc = p->vm_fd >= 0 ? ket_by_fd(p->vm_fd, -1) : ket_by_id(p->id, -1);
	fd = ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_GET_STATS_FD, &sc);
	p->results[P_FD] = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	vl.vm = sc;	/* no room: E2BIG and the number of vCPUs */
	fd = ket_dev_ioctl_as(O_RDONLY, KVM_EXIT_TIMING_LIST_VCPUS, &vl);
	p->results[P_VCPUS] = fd == -E2BIG ? (int)vl.nr : fd;
	p->results[P_RESET_RO] = ket_dev_ioctl_as(O_RDONLY,
						  KVM_EXIT_TIMING_RESET, &sc);
	p->results[P_RESET] = ket_dev_ioctl_as(O_RDWR, KVM_EXIT_TIMING_RESET,
					       &sc);
	p->results[P_FORGET_RO] = ket_dev_ioctl_as(O_RDONLY,
						   KVM_EXIT_TIMING_FORGET, &sc);
	p->results[P_FORGET] = ket_dev_ioctl_as(O_RDWR, KVM_EXIT_TIMING_FORGET,
						&sc);
	p->results[P_ADMIN_FD_LIST] = -1;
	if (admin_fd >= 0) {
		memset(&l, 0, sizeof(l));
		p->results[P_ADMIN_FD_LIST] =
			ioctl(admin_fd, KVM_EXIT_TIMING_LIST_VMS, &l) ?
				-errno : 0;
	}
}

/*
 * In a child: as user @uid (if not 0), keeping effective capabilities
 * @caps only (~0: all), ket_probe_calls() on @p.
 */
static void ket_probe_as(struct ket_probe *p, uid_t uid, uint64_t caps)
{
	int out[2], admin_fd;
	pid_t pid;

	memset(p->results, 0x7f, sizeof(p->results));
	if (pipe(out))
		return;
	pid = fork();
	if (!pid) {
		close(out[0]);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		admin_fd = open(KET_DEV, O_RDONLY);
		if (caps != ~0ULL && ket_caps_only(caps))
			_exit(1);
		ket_probe_calls(p, caps != ~0ULL ? admin_fd : -1);
		if (write(out[1], p->results, sizeof(p->results)) !=
		    sizeof(p->results))
			_exit(1);
		_exit(0);
	}
	close(out[1]);
	if (read(out[0], p->results, sizeof(p->results)) != sizeof(p->results))
		memset(p->results, 0x7f, sizeof(p->results));
	close(out[0]);
	waitpid(pid, NULL, 0);
}

#define KET_EXPECT_PROBE(p, list, id, no_id, fd, vcpus, reset_ro, reset, \
			 forget_ro, forget, admin_list)			\
	do {								\
		const int want[P_NR] = { list, id, no_id, fd, vcpus,	\
					 reset_ro, reset, forget_ro,	\
					 forget, admin_list };		\
		for (int _i = 0; _i < P_NR; _i++) {			\
			EXPECT_EQ(want[_i], (p)->results[_i])		\
				TH_LOG("call %d", _i);			\
		}							\
	} while (0)

/*
 * /dev/kvm open to all, in this process's own mount namespace only: a
 * node of its own on a private tmpfs, bound over /dev/kvm, so that the
 * host's /dev/kvm (its mode, its group) is never changed, not even for
 * the test's length, and no other user gets KVM meanwhile.  The tmpfs
 * is let go once the node is bound: /tmp is the host's again (the test
 * binary, which the KVM library reads back, may be there).  Returns 0,
 * or the errno of the step that failed.
 */
static int ket_private_kvm_for_all(void)
{
	struct stat st;

	if (stat("/dev/kvm", &st))
		return errno;
	if (!S_ISCHR(st.st_mode))
		return ENODEV;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("ket", "/tmp", "tmpfs", 0, "mode=0755") ||
	    mknod("/tmp/kvm", S_IFCHR | 0666, st.st_rdev) ||
	    chmod("/tmp/kvm", 0666) ||
	    mount("/tmp/kvm", "/dev/kvm", NULL, MS_BIND, NULL) ||
	    umount2("/tmp", MNT_DETACH))
		return errno;
	return 0;
}

/*
 * Access by proof: user 1000 runs a VM.  With the VM's fd it reads its
 * statistics and vCPUs, and resets and forgets the VM through a writable
 * device fd only; without an admin's device fd it lists nothing and
 * names no VM by id, existing or not (EPERM both).  User 1001, who has
 * no fd of it, names it by no means.  Root reads, resets and forgets
 * all; a root process whose only capability is CAP_PERFMON reads all and
 * resets and forgets none; one with none reads none, though a device fd
 * it opened before dropping them still lists every VM.
 */
TEST(dev_access_by_proof)
{
	int to_owner[2], from_owner[2], err;
	struct ket_probe p = { .vm_fd = -1 };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	char name[64];

	ASSERT_EQ(0, pipe(to_owner));
	ASSERT_EQ(0, pipe(from_owner));
	if (!fork()) {
		struct ket_probe op;

		/* Our end only: if the test dies, the read below sees EOF. */
		close(to_owner[1]);
		close(from_owner[0]);
		/* Why not, to the parent: "!" and the errno. */
		err = ket_private_kvm_for_all();
		if (err) {
			snprintf(name, sizeof(name), "!%d", err);
			if (write(from_owner[1], name, sizeof(name)) < 0)
				_exit(1);
			_exit(0);
		}
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(1);
		vm = ket_vm_create_work(&vcpu, W_EMUL, 3);
		run_to_ucall(vcpu);
		run_to_ucall(vcpu);
		snprintf(name, sizeof(name), "%d-%d", getpid(), vm->fd);
		if (write(from_owner[1], name, sizeof(name)) != sizeof(name) ||
		    read(to_owner[0], &op, sizeof(op)) != sizeof(op))
			_exit(1);
		op.vm_fd = vm->fd;
		ket_probe_calls(&op, -1);
		if (write(from_owner[1], &op, sizeof(op)) != sizeof(op) ||
		    read(to_owner[0], &op, 1) != 1)
			_exit(1);
		kvm_vm_free(vm);
		_exit(0);
	}
	close(from_owner[1]);
	close(to_owner[0]);
	ASSERT_EQ(sizeof(name), read(from_owner[0], name, sizeof(name)));
	if (name[0] == '!') {
		err = atoi(name + 1);
		wait(NULL);
		/* A container or seccomp may refuse namespaces: not ours. */
		if (err == EPERM || err == ENOSYS)
			SKIP(return, "a private /dev/kvm: %s", strerror(err));
		ASSERT_EQ(0, err) TH_LOG("a private /dev/kvm: %s", strerror(err));
	}
	p.id = ket_vm_id_wait(name);
	ASSERT_NE(0, p.id);

	/* The owner, with its VM's fd. */
	ASSERT_EQ(sizeof(p), write(to_owner[1], &p, sizeof(p)));
	ASSERT_EQ(sizeof(p), read(from_owner[0], &p, sizeof(p)));
	KET_EXPECT_PROBE(&p, -EPERM, -EPERM, -EPERM, 0, 1, -EBADF, 0, -EBADF, 0,
			 -1);
	/*
	 * Another user: no fd of it; the owner's fd number names nothing in
	 * its table, the VM's id nothing it may read.
	 */
	p.vm_fd = atoi(strchr(name, '-') + 1);
	ket_probe_as(&p, 1001, ~0ULL);
	KET_EXPECT_PROBE(&p, -EPERM, -EPERM, -EPERM, -EBADF, -EBADF, -EBADF,
			 -EBADF, -EBADF, -EBADF, -1);
	/* Root: everything, by id. */
	p.vm_fd = -1;
	ket_probe_as(&p, 0, ~0ULL);
	KET_EXPECT_PROBE(&p, -E2BIG, 0, -ENOENT, 0, 1, -EBADF, 0, -EBADF, 0, -1);
	/*
	 * CAP_PERFMON alone reads every VM, but resets and forgets none by
	 * id: it is for monitoring.  No capability reads none.
	 */
	ket_probe_as(&p, 0, 1ULL << CAP_PERFMON);
	KET_EXPECT_PROBE(&p, -E2BIG, 0, -ENOENT, 0, 1, -EBADF, -EPERM, -EBADF,
			 -EPERM, -E2BIG);
	ket_probe_as(&p, 0, 0);
	KET_EXPECT_PROBE(&p, -EPERM, -EPERM, -EPERM, -EPERM, -EPERM, -EBADF,
			 -EPERM, -EBADF, -EPERM, -E2BIG);

	ASSERT_EQ(1, write(to_owner[1], "x", 1));
	wait(NULL);
}

KET_HARNESS_MAIN
