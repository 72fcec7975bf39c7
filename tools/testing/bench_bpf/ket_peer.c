// SPDX-License-Identifier: GPL-2.0
/*
 * ket_peer: loader of ket_peer.bpf.c, the "strongest peer" `make bench`
 * compares kvm_exit_timing against (a libbpf CO-RE program on KVM's
 * kvm_exit/kvm_entry BTF tracepoints that keeps, per vCPU and per exit
 * reason, what the module keeps: see ket_peer.bpf.c).
 *
 * Built statically (libbpf.a, libelf.a, libz.a) with a bpftool skeleton,
 * so that it runs alone in the rig's busybox initramfs.  It checks that
 * KVM's tracepoints are there, loads and attaches the program, prints
 * "ket_bpf: attached" on stdout, waits for SIGINT or SIGTERM, detaches,
 * then prints one line per exit reason, all vCPUs summed, sorted by code:
 *
 *   reason <code> count <n> sum_ns <s> min_ns <m> max_ns <M>
 *
 * <code> in hex: the SVM exit code (0xffffffff is SVM_EXIT_ERR), or the
 * VMX basic exit reason (a failed VM entry: the full reason, bit 31 set);
 * 0xfffffffe: the code could not be read (no vendor BTF).  Diagnostics go
 * to stderr.  -v adds per-vCPU lines, -H the histograms.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "ket_peer.h"
#include "ket_peer.skel.h"

#define MAX_VCPUS_LIMIT 4096

static volatile sig_atomic_t stop;
static int verbose;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: ket_peer [-n N] [-v] [-H] [-d] [--btf FILE]\n"
"Times every KVM exit (kvm_exit -> next kvm_entry of the vCPU) in BPF,\n"
"keeping per vCPU and exit reason count, sum, min, max, sum of squares and\n"
"a log2 histogram; prints \"ket_bpf: attached\", runs until SIGINT/SIGTERM,\n"
"then prints per reason:\n"
"  reason <code> count <n> sum_ns <s> min_ns <m> max_ns <M>\n"
"  -n, --max-vcpus N  vCPUs kept (default %d, at most %d)\n"
"  -v, --per-vcpu     also print one line per vCPU and reason\n"
"  -H, --hist         also print each reason's histogram (bucket = fls64(ns))\n"
"  -d, --debug        libbpf's debug output (the verifier log on failure)\n"
"      --btf FILE     relocate CO-RE against FILE instead of the kernel's BTF\n"
"  -h, --help         this text\n"
"KVM (kvm.ko and kvm_amd or kvm_intel) must be loaded first.\n",
		KET_DEFAULT_VCPUS, MAX_VCPUS_LIMIT);
}

/* Does @name exist in the kernel's BTF, vmlinux's or module @mod's? */
static int kernel_btf_has(const char *mod, const char *name, int kind)
{
	struct btf *vmlinux, *btf;
	int found = 0;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return 0;
	if (btf__find_by_name_kind(vmlinux, name, kind) > 0)
		found = 1;
	if (!found && mod) {
		btf = btf__load_module_btf(mod, vmlinux);
		if (btf) {
			found = btf__find_by_name_kind(btf, name, kind) > 0;
			btf__free(btf);
		}
	}
	btf__free(vmlinux);
	return found;
}

static int file_btf_has(const char *path, const char *name, int kind)
{
	struct btf *btf = btf__parse(path, NULL);
	int found;

	if (!btf)
		return 0;
	found = btf__find_by_name_kind(btf, name, kind) > 0;
	btf__free(btf);
	return found;
}

struct agg {
	__u32 code;
	__u32 slot;
	struct ket_row r;
};

static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static void merge(struct ket_row *to, const struct ket_row *r)
{
	int i;

	if (!to->count || r->min < to->min)
		to->min = r->min;
	if (r->max > to->max)
		to->max = r->max;
	to->count += r->count;
	to->sum += r->sum;
	to->sumsq_lo += r->sumsq_lo;
	to->sumsq_hi += r->sumsq_hi + (to->sumsq_lo < r->sumsq_lo);
	for (i = 0; i < KET_HIST_BUCKETS; i++)
		to->hist[i] += r->hist[i];
}

static const char *u128_str(__u64 hi, __u64 lo, char *buf, size_t len)
{
	unsigned __int128 v = ((unsigned __int128)hi << 64) | lo;
	char *p = buf + len - 1;

	*p = 0;
	do {
		*--p = '0' + (int)(v % 10);
		v /= 10;
	} while (v && p > buf);
	return p;
}

static void print_row(const char *prefix, __u32 code, const struct ket_row *r)
{
	char buf[48];

	printf("%sreason 0x%x count %llu sum_ns %llu min_ns %llu max_ns %llu",
	       prefix, code, (unsigned long long)r->count,
	       (unsigned long long)r->sum, (unsigned long long)r->min,
	       (unsigned long long)r->max);
	if (*prefix)
		printf(" sumsq_ns2 %s",
		       u128_str(r->sumsq_hi, r->sumsq_lo, buf, sizeof(buf)));
	printf("\n");
}

static void print_hist(__u32 code, const struct ket_row *r)
{
	int i;

	printf("hist 0x%x", code);
	for (i = 0; i < KET_HIST_BUCKETS; i++)
		if (r->hist[i])
			printf(" %d:%llu", i, (unsigned long long)r->hist[i]);
	printf("\n");
}

static int report(struct ket_peer_bpf *skel, __u32 nvcpus, int per_vcpu,
		  int hist)
{
	int rows_fd = bpf_map__fd(skel->maps.rows);
	int vcpus_fd = bpf_map__fd(skel->maps.vcpus);
	__u32 nslots = skel->bss->nr_slots, slot, row, key;
	struct agg *a;
	size_t n = 0, i, j;

	if (nslots > nvcpus)
		nslots = nvcpus;
	a = calloc((size_t)nslots * KET_ROWS + 1, sizeof(*a));
	if (!a) {
		perror("ket_bpf: calloc");
		return -1;
	}
	for (slot = 0; slot < nslots; slot++) {
		for (row = 0; row < KET_ROWS; row++) {
			key = slot * KET_ROWS + row;
			if (bpf_map_lookup_elem(rows_fd, &key, &a[n].r)) {
				fprintf(stderr, "ket_bpf: reading row %u: %s\n",
					key, strerror(errno));
				free(a);
				return -1;
			}
			if (!a[n].r.count)
				continue;
			a[n].code = a[n].r.code;
			a[n].slot = slot;
			n++;
		}
	}
	qsort(a, n, sizeof(*a), cmp_agg);

	for (i = 0; i < n; i = j) {
		struct ket_row sum;

		memset(&sum, 0, sizeof(sum));
		for (j = i; j < n && a[j].code == a[i].code; j++)
			merge(&sum, &a[j].r);
		print_row("", a[i].code, &sum);
		if (hist)
			print_hist(a[i].code, &sum);
	}

	if (per_vcpu) {
		for (i = 0; i < n; i++) {
			struct ket_vcpu_info info;
			char prefix[96];

			key = a[i].slot;
			memset(&info, 0, sizeof(info));
			bpf_map_lookup_elem(vcpus_fd, &key, &info);
			snprintf(prefix, sizeof(prefix),
				 "vcpu %u pid %u idx %d id %d ", a[i].slot,
				 info.tgid, info.vcpu_idx, info.vcpu_id);
			print_row(prefix, a[i].code, &a[i].r);
		}
	}
	fflush(stdout);

	fprintf(stderr, "ket_bpf: %u vCPUs kept, %llu beyond -n %u, isa %u\n",
		nslots, (unsigned long long)skel->bss->dropped_vcpus, nvcpus,
		skel->bss->isa_seen);
	free(a);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-vcpus", required_argument, NULL, 'n' },
		{ "per-vcpu", no_argument, NULL, 'v' },
		{ "hist", no_argument, NULL, 'H' },
		{ "debug", no_argument, NULL, 'd' },
		{ "btf", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	struct ket_peer_bpf *skel;
	unsigned long nvcpus = KET_DEFAULT_VCPUS;
	const char *btf_path = NULL;
	int per_vcpu = 0, hist = 0, c, err, svm, vmx;
	struct sigaction sa;
	sigset_t mask, old;
	char *end;

	while ((c = getopt_long(argc, argv, "n:vHdh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			nvcpus = strtoul(optarg, &end, 0);
			if (errno || *end || !nvcpus || nvcpus > MAX_VCPUS_LIMIT) {
				fprintf(stderr, "ket_bpf: bad -n %s (1-%d)\n",
					optarg, MAX_VCPUS_LIMIT);
				return 2;
			}
			break;
		case 'v':
			per_vcpu = 1;
			break;
		case 'H':
			hist = 1;
			break;
		case 'd':
			verbose = 1;
			break;
		case 'B':
			btf_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	libbpf_set_print(print_libbpf);

	/* Say what is missing rather than libbpf's "-ESRCH". */
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "ket_bpf: /sys/kernel/btf/vmlinux: %s (is sysfs "
			"mounted? the kernel needs CONFIG_DEBUG_INFO_BTF)\n",
			strerror(errno));
		return 1;
	}
	if (!kernel_btf_has("kvm", "btf_trace_kvm_exit", BTF_KIND_TYPEDEF) ||
	    !kernel_btf_has("kvm", "btf_trace_kvm_entry", BTF_KIND_TYPEDEF)) {
		fprintf(stderr,
			"ket_bpf: KVM's kvm_exit/kvm_entry tracepoints are not "
			"in the kernel's BTF (/sys/kernel/btf/vmlinux or "
			"/sys/kernel/btf/kvm): load kvm and kvm_amd or "
			"kvm_intel first\n");
		return 1;
	}
	if (btf_path) {
		svm = file_btf_has(btf_path, "vcpu_svm", BTF_KIND_STRUCT);
		vmx = file_btf_has(btf_path, "vcpu_vmx", BTF_KIND_STRUCT);
	} else {
		svm = kernel_btf_has("kvm_amd", "vcpu_svm", BTF_KIND_STRUCT);
		vmx = kernel_btf_has("kvm_intel", "vcpu_vmx", BTF_KIND_STRUCT);
	}
	if (!svm && !vmx)
		fprintf(stderr,
			"ket_bpf: warning: no struct vcpu_svm or vcpu_vmx in the "
			"kernel's BTF (kvm_amd / kvm_intel not loaded, or built "
			"without BTF): exit codes cannot be read, every exit "
			"goes to code 0x%x\n", KET_CODE_UNREAD);

	oopts.btf_custom_path = btf_path;
	skel = ket_peer_bpf__open_opts(&oopts);
	if (!skel) {
		fprintf(stderr, "ket_bpf: opening the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	skel->rodata->max_vcpus = nvcpus;
	err = bpf_map__set_max_entries(skel->maps.rows, nvcpus * KET_ROWS);
	err = err ?: bpf_map__set_max_entries(skel->maps.vcpu_slot, nvcpus);
	err = err ?: bpf_map__set_max_entries(skel->maps.vcpus, nvcpus);
	if (err) {
		fprintf(stderr, "ket_bpf: sizing maps: %s\n", strerror(-err));
		goto out;
	}
	err = ket_peer_bpf__load(skel);
	if (err) {
		fprintf(stderr, "ket_bpf: loading the BPF program failed: %s%s\n",
			strerror(-err), verbose ? "" : " (-d shows the verifier log)");
		goto out;
	}
	err = ket_peer_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "ket_bpf: attaching to kvm_exit/kvm_entry "
			"failed: %s\n", strerror(-err));
		goto out;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	printf("ket_bpf: attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);

	/* Detach first: the rows stop moving while they are read. */
	ket_peer_bpf__detach(skel);
	err = report(skel, nvcpus, per_vcpu, hist) ? -EIO : 0;
out:
	ket_peer_bpf__destroy(skel);
	return err ? 1 : 0;
}
