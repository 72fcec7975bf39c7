// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm_exit_timing.h>

#include "ket_util.h"

const char *ket_missing(void)
{
	bool old;
	int dev;

	if (geteuid())
		return "needs root: the tables are in debugfs";
	if (access("/dev/kvm", F_OK))
		return "/dev/kvm not available: no KVM on this host";
#ifdef __x86_64__
	if (access("/sys/module/kvm_amd", F_OK) &&
	    access("/sys/module/kvm_intel", F_OK))
		return "needs kvm_amd or kvm_intel (x86 KVM)";
#endif
	if (access("/sys/module/kvm_exit_timing", F_OK))
		return "module kvm_exit_timing not loaded";
	if (access("/sys/kernel/debug/kvm_exit_timing/status", R_OK))
		return "debugfs not mounted, or refused (lockdown): the tables are there";
	/*
	 * On a read-only device fd, FORGET fails with EBADF before it reads
	 * its argument; a module from before FORGET says ENOTTY.
	 */
	dev = open(KVM_EXIT_TIMING_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return "no " KVM_EXIT_TIMING_DEVICE;
	old = ioctl(dev, KVM_EXIT_TIMING_FORGET, NULL) && errno == ENOTTY;
	close(dev);
	if (old)
		return "the kvm_exit_timing loaded predates this suite (no KVM_EXIT_TIMING_FORGET)";
	return NULL;
}

char *ket_status_str(const char *key)
{
	char *s = ket_slurp("/sys/kernel/debug/kvm_exit_timing/status");
	char *line, *next, *v = NULL;
	size_t len = strlen(key);

	for (line = s; line && !v; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = strdup(line + len + 1);
	}
	free(s);
	return v;
}

/* Key @key of the module's status file, a number; -1 if absent. */
static long long ket_status(const char *key)
{
	char *s = ket_status_str(key);
	long long v = s ? strtoll(s, NULL, 10) : -1;

	free(s);
	return v;
}

bool ket_exited_room(void)
{
	char *p = ket_slurp("/sys/module/kvm_exit_timing/parameters/retain_kb");
	long long kb = p ? strtoll(p, NULL, 10) : -1;
	long long kept = ket_status("vms_exited_bytes");
	long long vm = ket_status("vm_state_bytes");
	long long vcpu = ket_status("vcpu_state_bytes");

	free(p);
	return kb >= 0 && kept >= 0 && vm > 0 && vcpu > 0 &&
	       kb * 1024 - kept >= vm + vcpu;
}

int ket_dev_ioctl_as(int flags, unsigned long cmd, void *arg)
{
	int fd = open(KVM_EXIT_TIMING_DEVICE, flags | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int ket_forget_scope(struct kvm_exit_timing_scope sc)
{
	sc.vcpu_id = KVM_EXIT_TIMING_VM_SCOPE;
	return -ket_dev_ioctl_as(O_RDWR, KVM_EXIT_TIMING_FORGET, &sc);
}

int ket_forget(int vm_fd)
{
	return ket_forget_scope((struct kvm_exit_timing_scope){ .vm_fd = vm_fd });
}

int ket_forget_id(uint64_t id)
{
	return ket_forget_scope((struct kvm_exit_timing_scope){
		.vm_id = id, .vm_fd = KVM_EXIT_TIMING_BY_ID });
}

void ket_vm_dir(char *buf, size_t size, int vm_fd)
{
	snprintf(buf, size, "/sys/kernel/debug/kvm/%d-%d", getpid(), vm_fd);
}

char *ket_slurp(const char *path)
{
	size_t cap = 1 << 16, len = 0;
	char *p = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !p) {
		free(p);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, p + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap)
			p = realloc(p, cap *= 2);
	}
	close(fd);
	p[len] = '\0';
	return p;
}

static int ket_u128_parse(const char *s, unsigned __int128 *v)
{
	*v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		*v = *v * 10 + (*s - '0');
	}
	return 0;
}

static const char *const header[] = {
	"type", "count", "min", "max", "avg", "stddev", "sum", "time%",
};

const char *ket_parse_table(const char *path, struct ket_table *t)
{
	char *text = ket_slurp(path), *line, *save = NULL, *tok, *tsave;
	static char err[256];
	unsigned int i, lineno = 0;
	bool in_rows = true;

	memset(t, 0, sizeof(*t));
	if (!text) {
		snprintf(err, sizeof(err), "%s: %s", path, strerror(errno));
		return err;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lineno++) {
		char *f[8];
		unsigned int n = 0;

		if (lineno == 0) {
			for (tok = strtok_r(line, " ", &tsave); tok && n < 8;
			     tok = strtok_r(NULL, " ", &tsave))
				if (strcmp(tok, header[n++]))
					goto bad;
			if (n != 8 || tok)
				goto bad;
			continue;
		}
		if (!strncmp(line, "vcpu", 4)) {
			struct ket_tvcpu *v;
			int id;

			in_rows = false;
			if (sscanf(line, "vcpu%d:", &id) != 1)
				goto bad;
			if (strstr(line, ": entries ")) {
				if (t->nr_vcpus == KET_MAX_VCPUS)
					goto bad;
				v = &t->vcpus[t->nr_vcpus++];
				v->id = id;
				if (sscanf(line,
					   "vcpu%*d: entries %lu exits %lu untimed %lu clock_anomalies %lu unaccounted %lu",
					   &v->entries, &v->exits, &v->untimed,
					   &v->anomalies, &v->unaccounted) != 5)
					goto bad;
			} else if (t->nr_vcpus) {
				v = &t->vcpus[t->nr_vcpus - 1];
				snprintf(v->now, sizeof(v->now), "%s",
					 strchr(line, ':') + 2);
			}
			continue;
		}
		if (!in_rows || t->nr == KET_MAX_ROWS)
			goto bad;
		for (tok = strtok_r(line, " ", &tsave); tok && n < 8;
		     tok = strtok_r(NULL, " ", &tsave))
			f[n++] = tok;
		if (n != 8 || tok)
			goto bad;
		{
			struct ket_trow *r = &t->rows[t->nr++];
			unsigned __int128 v[6];
			unsigned int ip, fp;

			snprintf(r->name, sizeof(r->name), "%s", f[0]);
			for (i = 0; i < 6; i++)
				if (ket_u128_parse(f[i + 1], &v[i]))
					goto bad;
			r->count = v[0];
			r->min = v[1];
			r->max = v[2];
			r->avg = v[3];
			r->stddev = v[4];
			r->sum = v[5];
			if (sscanf(f[7], "%u.%2u", &ip, &fp) != 2 ||
			    strlen(strchr(f[7], '.')) != 3)
				goto bad;
			r->pct_x100 = ip * 100 + fp;
		}
	}
	if (lineno == 0)
		goto bad;
	free(text);
	return NULL;
bad:
	snprintf(err, sizeof(err), "%s: bad line %u", path, lineno + 1);
	free(text);
	return err;
}

const struct ket_trow *ket_row(const struct ket_table *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

uint64_t ket_count(const struct ket_table *t, const char *name)
{
	const struct ket_trow *r = ket_row(t, name);

	return r ? r->count : 0;
}

int ket_write_file(const char *path, const char *s, size_t len, long off)
{
	int fd = open(path, O_WRONLY), ret = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = pwrite(fd, s, len, off);
	if (n < 0)
		ret = errno;
	else if ((size_t)n != len)
		ret = EIO;
	close(fd);
	return ret;
}

uint64_t ket_hist_total(const char *path, const char *name)
{
	char *text = ket_slurp(path), *line, *save = NULL;
	uint64_t total = 0;
	bool in = false;
	size_t nl = strlen(name);

	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != ' ') {
			in = !strncmp(line, name, nl) && line[nl] == ':';
			continue;
		}
		if (in) {
			char *c = strstr(line, "]: ");

			if (c)
				total += strtoull(c + 3, NULL, 10);
		}
	}
	free(text);
	return total;
}
