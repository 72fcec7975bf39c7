// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input at random, for a bounded time: writes of random bytes, sizes
 * and offsets to every table of a VM and of its vCPU 0 (never exactly the
 * reset, "c" or "c\n" at offset 0), reads at random offsets and sizes,
 * and random ioctls on /dev/kvm_exit_timing with random arguments (never
 * KVM_EXIT_TIMING_RESET nor KVM_EXIT_TIMING_FORGET).  Every write must
 * fail with EINVAL, every failed ioctl with one of the errnos the ABI
 * documents; the caller checks that the tables did not change.
 *
 * usage: ket_fuzz_input -t SECONDS -s SEED DIR
 *   DIR: the VM's directory (an exited one, whose tables are final)
 * prints: ket_fuzz_input: W writes, R reads, I ioctls (S succeeded), B bad
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm_exit_timing.h>

#define KET_DEV "/dev/kvm_exit_timing"
#define KET_BUF (1 << 20)

static const char *const tables[] = {
	"exit_timing", "exit_reasons", "exit_histogram",
	"vcpu0/exit_timing", "vcpu0/exit_reasons", "vcpu0/exit_histogram",
};
static const char *const readable[] = {
	"exit_timing", "exit_reasons", "exit_histogram", "exit_timing.stats",
	"vcpu0/exit_timing", "vcpu0/exit_timing.stats",
};

static char buf[KET_BUF];
static unsigned long writes, reads, ioctls, ioctl_ok, bad;

static uint64_t rnd(void)
{
	return ((uint64_t)random() << 31) ^ random();
}

/* A size or offset: mostly small, sometimes at the edges. */
static size_t pick_size(void)
{
	static const size_t edge[] = { 0, 1, 2, 3, 4095, 4096, 4097, KET_BUF };

	return rnd() % 4 ? rnd() % 64 : edge[rnd() % 8];
}

static void fill(char *p, size_t n)
{
	static const char alphabet[] = "cC\n\r 0x-9\xff";
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd() % 2 ? alphabet[rnd() % (sizeof(alphabet) - 1)] :
				   (char)rnd();
}

/* Opens one of the @n files @names under @dir; its path in @path. */
static int open_any(const char *dir, const char *const *names, size_t n,
		    int flags, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, names[rnd() % n]);
	fd = open(path, flags);
	if (fd < 0) {
		bad++;
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
	}
	return fd;
}

static void fuzz_write(const char *dir)
{
	char path[512];
	size_t len = pick_size();
	off_t off = rnd() % 3 ? 0 : (off_t)pick_size();
	ssize_t r;
	int fd;

	fd = open_any(dir, tables, sizeof(tables) / sizeof(tables[0]),
		      O_WRONLY, path, sizeof(path));
	if (fd < 0)
		return;
	fill(buf, len);
	/* Never the one valid write, the reset. */
	if (!off && len && len <= 2 && buf[0] == 'c' &&
	    (len == 1 || buf[1] == '\n'))
		buf[0] = 'd';
	r = pwrite(fd, buf, len, off);
	writes++;
	if (len && (r != -1 || errno != EINVAL)) {
		bad++;
		fprintf(stderr, "write %zu bytes at %lld to %s: %zd (%s)\n",
			len, (long long)off, path, r, strerror(errno));
	}
	close(fd);
}

static void fuzz_read(const char *dir)
{
	char path[512];
	int fd;

	fd = open_any(dir, readable, sizeof(readable) / sizeof(readable[0]),
		      O_RDONLY, path, sizeof(path));
	if (fd < 0)
		return;
	if (pread(fd, buf, pick_size(), pick_size()) < 0 && errno != EINVAL) {
		bad++;
		fprintf(stderr, "read %s: %s\n", path, strerror(errno));
	}
	reads++;
	close(fd);
}

/* A pointer for an ioctl argument or a field of one: valid or not. */
static uint64_t pick_ptr(void)
{
	switch (rnd() % 5) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 0xffff888000000000ULL;	/* the kernel's direct map */
	default:
		return (uintptr_t)(buf + rnd() % 4096);
	}
}

static void fuzz_ioctl(int dev)
{
	static const unsigned long cmds[] = {
		KVM_EXIT_TIMING_LIST_VMS, KVM_EXIT_TIMING_LIST_VCPUS,
		KVM_EXIT_TIMING_GET_STATS_FD,
	};
	unsigned long cmd;
	uint64_t *w = (uint64_t *)buf;
	unsigned int i;
	long r;

	if (rnd() % 4)
		cmd = cmds[rnd() % 3];
	else
		cmd = _IOC(rnd() % 4, KVM_EXIT_TIMING_IO, rnd() % 8,
			   rnd() % 64);
	/* Not the reset nor the forget: they change what is checked. */
	if (_IOC_TYPE(cmd) == KVM_EXIT_TIMING_IO &&
	    (_IOC_NR(cmd) == _IOC_NR(KVM_EXIT_TIMING_RESET) ||
	     _IOC_NR(cmd) == _IOC_NR(KVM_EXIT_TIMING_FORGET)))
		cmd = KVM_EXIT_TIMING_LIST_VMS;
	for (i = 0; i < 8; i++)
		w[i] = rnd() % 2 ? rnd() % 4 : rnd() % 3 ? pick_ptr() : rnd();
	if (rnd() % 2)
		w[1] = pick_ptr();	/* where the list pointers are */
	r = ioctl(dev, cmd, rnd() % 4 ? (void *)buf : (void *)(uintptr_t)pick_ptr());
	ioctls++;
	if (r >= 0) {
		ioctl_ok++;
		if (cmd == KVM_EXIT_TIMING_GET_STATS_FD)
			close((int)r);
		return;
	}
	switch (errno) {
	case EFAULT: case EINVAL: case ENOENT: case EBADF: case EPERM:
	case E2BIG: case ENOTTY:
		return;
	}
	bad++;
	fprintf(stderr, "ioctl %#lx: %s\n", cmd, strerror(errno));
}

int main(int argc, char **argv)
{
	unsigned int seconds = 10, seed = 1;
	time_t end;
	int opt, dev;

	while ((opt = getopt(argc, argv, "t:s:")) != -1) {
		if (opt == 't')
			seconds = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s -t SECONDS -s SEED DIR\n", argv[0]);
		return 2;
	}
	srandom(seed);
	dev = open(KET_DEV, O_RDWR);
	if (dev < 0) {
		perror(KET_DEV);
		return 1;
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		switch (rnd() % 3) {
		case 0:
			fuzz_write(argv[optind]);
			break;
		case 1:
			fuzz_read(argv[optind]);
			break;
		default:
			fuzz_ioctl(dev);
		}
	}
	close(dev);
	printf("ket_fuzz_input: %lu writes, %lu reads, %lu ioctls (%lu succeeded), %lu bad\n",
	       writes, reads, ioctls, ioctl_ok, bad);
	return bad != 0;
}
