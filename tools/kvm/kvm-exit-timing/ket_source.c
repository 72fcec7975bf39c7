// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ket_guest.h"
#include "ket_source.h"

#define KET_DEBUGFS "/sys/kernel/debug"
#define KET_MAX_FILE (64 << 20)

static int fail(char *err, size_t esz, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, esz, fmt, ap);
	va_end(ap);
	return -e;
}

int ket_source_open(struct ket_source *src, char *err, size_t esz)
{
	char path[128];
	int e;

	/* Set, it names a debugfs mount to read instead of the device. */
	src->debugfs = getenv("KVM_EXIT_TIMING_DEBUGFS");
	src->dev_fd = -1;
	if (!src->debugfs) {
		src->debugfs = KET_DEBUGFS;
		src->dev_fd = open(KVM_EXIT_TIMING_DEVICE, O_RDWR | O_CLOEXEC);
		if (src->dev_fd >= 0)
			return 0;
		e = errno;
	} else {
		e = ENOENT;
	}
	snprintf(path, sizeof(path), "%s/kvm_exit_timing", src->debugfs);
	if (!access(path, X_OK))
		return 0;
	if (e == ENOENT && errno == ENOENT)
		return fail(err, esz, ENOENT,
			    "kvm_exit_timing is not loaded (no %s, no %s)",
			    KVM_EXIT_TIMING_DEVICE, path);
	if (e == ENOENT)
		return fail(err, esz, errno, "%s: %s", path, strerror(errno));
	return fail(err, esz, e, "cannot open %s: %s", KVM_EXIT_TIMING_DEVICE,
		    strerror(e));
}

void ket_source_close(struct ket_source *src)
{
	if (src->dev_fd >= 0)
		close(src->dev_fd);
}

static int list_device(struct ket_source *src, struct ket_vm_info **out,
		       unsigned int *nr, char *err, size_t esz)
{
	struct kvm_exit_timing_vm_list l = { 0 };
	struct kvm_exit_timing_vm *vms = NULL;
	struct ket_vm_info *info;
	unsigned int i;

	/* The set may grow between the two calls: retry on E2BIG. */
	for (;;) {
		if (!ioctl(src->dev_fd, KVM_EXIT_TIMING_LIST_VMS, &l))
			break;
		if (errno != E2BIG) {
			free(vms);
			return fail(err, esz, errno, "listing VMs: %s%s",
				    strerror(errno),
				    errno == EPERM ?
				    " (it takes CAP_PERFMON or CAP_SYS_ADMIN)" :
				    "");
		}
		free(vms);
		l.nr += 4;
		vms = calloc(l.nr, sizeof(*vms));
		if (!vms)
			return fail(err, esz, ENOMEM, "out of memory");
		l.vms = (uintptr_t)vms;
	}
	info = calloc(l.nr + 1, sizeof(*info));
	for (i = 0; info && i < l.nr; i++) {
		struct kvm_exit_timing_vcpu_list vl = {
			.vm = { .vm_id = vms[i].id,
				.vm_fd = KVM_EXIT_TIMING_BY_ID,
				.vcpu_id = KVM_EXIT_TIMING_VM_SCOPE },
		};

		info[i].id = vms[i].id;
		info[i].pid = vms[i].pid;
		info[i].exited = !!(vms[i].flags & KVM_EXIT_TIMING_VM_EXITED);
		snprintf(info[i].name, sizeof(info[i].name), "%.*s",
			 KVM_EXIT_TIMING_VM_NAME_SIZE, vms[i].name);
		vl.nr = vms[i].nr_vcpus + 64;
		info[i].vcpu_ids = calloc(vl.nr, sizeof(uint32_t));
		vl.ids = (uintptr_t)info[i].vcpu_ids;
		if (info[i].vcpu_ids &&
		    !ioctl(src->dev_fd, KVM_EXIT_TIMING_LIST_VCPUS, &vl))
			info[i].nr_vcpus = vl.nr;
	}
	free(vms);
	if (!info)
		return fail(err, esz, ENOMEM, "out of memory");
	*out = info;
	*nr = l.nr;
	return 0;
}

static int has_stats(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/exit_timing.stats", dir);
	return !access(path, F_OK);
}

static int vcpu_id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One VM directory of debugfs: its vcpu<N> subdirectories. */
static void scan_vcpus(struct ket_vm_info *vm)
{
	struct dirent *de;
	char path[512];
	DIR *d = opendir(vm->dir);
	unsigned int id;
	char end;

	while (d && (de = readdir(d))) {
		uint32_t *ids;

		if (sscanf(de->d_name, "vcpu%u%c", &id, &end) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", vm->dir, de->d_name);
		if (!has_stats(path))
			continue;
		ids = realloc(vm->vcpu_ids, (vm->nr_vcpus + 1) * sizeof(*ids));
		if (!ids)
			break;
		vm->vcpu_ids = ids;
		ids[vm->nr_vcpus++] = id;
	}
	if (d)
		closedir(d);
	qsort(vm->vcpu_ids, vm->nr_vcpus, sizeof(uint32_t), vcpu_id_cmp);
}

static int scan_dir(const char *top, int exited, struct ket_vm_info **vms,
		    unsigned int *nr)
{
	struct ket_vm_info *vm;
	struct dirent *de;
	DIR *d = opendir(top);
	char path[512];

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", top, de->d_name);
		if (!has_stats(path))
			continue;
		vm = realloc(*vms, (*nr + 1) * sizeof(*vm));
		if (!vm)
			break;
		*vms = vm;
		vm = &vm[(*nr)++];
		memset(vm, 0, sizeof(*vm));
		snprintf(vm->name, sizeof(vm->name), "%s", de->d_name);
		snprintf(vm->dir, sizeof(vm->dir), "%s", path);
		vm->pid = atoi(de->d_name);
		vm->exited = exited;
		scan_vcpus(vm);
	}
	closedir(d);
	return 0;
}

static int list_debugfs(struct ket_source *src, struct ket_vm_info **vms,
			unsigned int *nr, char *err, size_t esz)
{
	char path[256];
	int ret;

	*vms = NULL;
	*nr = 0;
	snprintf(path, sizeof(path), "%s/kvm", src->debugfs);
	ret = scan_dir(path, 0, vms, nr);
	if (ret && ret != -ENOENT)
		return fail(err, esz, -ret, "%s: %s", path, strerror(-ret));
	snprintf(path, sizeof(path), "%s/kvm_exit_timing/exited",
		 src->debugfs);
	ret = scan_dir(path, 1, vms, nr);
	if (ret)
		return fail(err, esz, -ret, "%s: %s", path, strerror(-ret));
	return 0;
}

int ket_source_list(struct ket_source *src, struct ket_vm_info **vms,
		    unsigned int *nr, char *err, size_t esz)
{
	unsigned int i;
	int ret;

	if (src->dev_fd >= 0)
		ret = list_device(src, vms, nr, err, esz);
	else
		ret = list_debugfs(src, vms, nr, err, esz);
	for (i = 0; !ret && i < *nr; i++) {
		(*vms)[i].guest_cache = calloc(1, KET_GUEST_SIZE + 1);
		if (!(*vms)[i].guest_cache)
			ret = fail(err, esz, ENOMEM, "out of memory");
	}
	return ret;
}

const char *ket_vm_guest(const struct ket_vm_info *vm)
{
	char *c = vm->guest_cache;

	if (!c)
		return "";
	/* The byte after the name: read already. */
	if (!c[KET_GUEST_SIZE] && !vm->exited)
		ket_guest_name(vm->pid, c, KET_GUEST_SIZE);
	c[KET_GUEST_SIZE] = 1;
	return c;
}

void ket_source_free_list(struct ket_vm_info *vms, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		free(vms[i].vcpu_ids);
		free(vms[i].guest_cache);
	}
	free(vms);
}

static void scope_path(char *path, size_t size, const struct ket_vm_info *vm,
		       int vcpu, const char *file)
{
	if (vcpu < 0)
		snprintf(path, size, "%s/%s", vm->dir, file);
	else
		snprintf(path, size, "%s/vcpu%d/%s", vm->dir, vcpu, file);
}

int ket_source_stats_fd(struct ket_source *src, const struct ket_vm_info *vm,
			int vcpu, char *err, size_t esz)
{
	struct kvm_exit_timing_scope sc = { .vm_id = vm->id,
					    .vm_fd = KVM_EXIT_TIMING_BY_ID,
					    .vcpu_id = vcpu };
	char path[512];
	int fd;

	if (src->dev_fd >= 0) {
		fd = ioctl(src->dev_fd, KVM_EXIT_TIMING_GET_STATS_FD, &sc);
		if (fd < 0)
			return fail(err, esz, errno, "VM %s: %s", vm->name,
				    strerror(errno));
		return fd;
	}
	scope_path(path, sizeof(path), vm, vcpu, "exit_timing.stats");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, esz, errno, "%s: %s", path, strerror(errno));
	return fd;
}

int ket_source_reset(struct ket_source *src, const struct ket_vm_info *vm,
		     int vcpu, char *err, size_t esz)
{
	struct kvm_exit_timing_scope sc = { .vm_id = vm->id,
					    .vm_fd = KVM_EXIT_TIMING_BY_ID,
					    .vcpu_id = vcpu };
	char path[512];
	int fd, ret;

	if (src->dev_fd >= 0) {
		if (ioctl(src->dev_fd, KVM_EXIT_TIMING_RESET, &sc))
			return fail(err, esz, errno, "reset VM %s: %s",
				    vm->name, strerror(errno));
		return 0;
	}
	scope_path(path, sizeof(path), vm, vcpu, "exit_timing");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, esz, errno, "%s: %s", path, strerror(errno));
	ret = write(fd, "c", 1) == 1 ? 0 : -errno;
	close(fd);
	if (ret)
		return fail(err, esz, -ret, "%s: %s", path, strerror(-ret));
	return 0;
}

int ket_read_stats(int fd, struct ket_scope_stats *s, char *err, size_t esz)
{
	size_t cap = 1 << 17, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;
	int ret;

	while (buf) {
		n = pread(fd, buf + len, cap - len, len);
		if (n < 0) {
			free(buf);
			return fail(err, esz, errno, "reading statistics: %s",
				    strerror(errno));
		}
		if (!n)
			break;
		len += n;
		if (len == cap) {
			if (cap >= KET_MAX_FILE) {
				free(buf);
				return fail(err, esz, EFBIG,
					    "statistics file too large");
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf)
		return fail(err, esz, ENOMEM, "out of memory");
	ret = ket_stats_parse(buf, len, s, err, esz) ? -EINVAL : 0;
	free(buf);
	return ret;
}
