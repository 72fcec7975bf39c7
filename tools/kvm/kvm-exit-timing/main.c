// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exit-timing: where KVM guests' time goes, from kvm_exit_timing's
 * binary statistics.  Commands and output formats: kvm-exit-timing.1.
 *
 * Every command builds its whole output in memory and writes it only on
 * success: an error leaves stdout empty and the exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ket_calc.h"
#include "ket_output.h"
#include "ket_source.h"

#define ERR_SIZE 512

static const char usage[] =
"Usage: kvm-exit-timing COMMAND [OPTIONS]\n"
"\n"
"Where KVM guest time goes: exit latency by class and by hardware exit\n"
"reason, from the kvm_exit_timing module's binary statistics\n"
"(/dev/kvm_exit_timing, or exit_timing.stats files in debugfs).\n"
"\n"
"Commands:\n"
"  list                 the VMs being timed, and the exited ones kept\n"
"  report               a table: count, count%, time%, min, avg, p50, p90,\n"
"                       p99, p99.9, max, stddev per class or reason\n"
"  hist NAME            the log2 latency distribution of one class or reason\n"
"  top                  live view of each interval's exits, q quits\n"
"  reset                zero the statistics of a VM or vCPU (or all VMs)\n"
"\n"
"Run 'kvm-exit-timing COMMAND --help' for a command's options.\n";

static const char usage_scope[] =
"  --vm VM          a VM: its name as in debugfs (PID-FD), its pid, or\n"
"                   id:N (the device's id); default: every running VM\n"
"  --vcpu N         one vCPU of that VM\n"
"  --exited         with no --vm, include the exited VMs still kept\n";

static const char usage_list[] =
"Usage: kvm-exit-timing list [--json]\n"
"\n"
"One line per VM: id, name (PID-FD), pid, state, vCPU ids.\n";

static const char usage_report[] =
"Usage: kvm-exit-timing report [--vm VM [--vcpu N]] [--reasons]\n"
"                              [--sort COL] [--json | --prometheus |\n"
"                              --textfile DIR]\n"
"\n"
"A table for the host (all VMs), a VM or a vCPU.  Percentiles are placed\n"
"inside their log2 bucket by linear interpolation on rank.\n"
"\n"
"%s"
"  --reasons        hardware exit reasons instead of classes\n"
"  --sort COL       name, count, time (default), min, avg, p50, p90, p99,\n"
"                   p99.9, max, stddev; all but name sort descending\n"
"  --json           one JSON object (schema in kvm-exit-timing.1)\n"
"  --prometheus     Prometheus text format: histograms per vCPU, labels\n"
"                   vm, pid, vcpu, class or reason\n"
"  --textfile DIR   the --prometheus output, written atomically as\n"
"                   DIR/kvm_exit_timing.prom (node_exporter textfile)\n";

static const char usage_hist[] =
"Usage: kvm-exit-timing hist NAME [--vm VM [--vcpu N]] [--json]\n"
"\n"
"The log2 distribution of class or reason NAME (classes are upper case:\n"
"EMULINST, HALT, ...; reasons as in 'report --reasons'), as bars.\n"
"\n"
"%s"
"  --json           one JSON object with the non-empty buckets\n";

static const char usage_top[] =
"Usage: kvm-exit-timing top [--vm VM [--vcpu N]] [--reasons]\n"
"                           [--interval SEC] [--iterations N] [--json]\n"
"\n"
"Every interval, the exits of the interval (count, rate, avg, p99) and\n"
"the running totals.  On a terminal the screen is redrawn and q quits;\n"
"piped, one block per interval is printed (one JSON line with --json).\n"
"\n"
"%s"
"  --reasons        hardware exit reasons instead of classes\n"
"  --interval SEC   seconds between refreshes (default 1)\n"
"  --iterations N   stop after N intervals\n"
"  --json           one JSON object per interval\n";

static const char usage_reset[] =
"Usage: kvm-exit-timing reset (--vm VM [--vcpu N] | --all) [--json]\n"
"\n"
"Zeroes the statistics of a VM, one of its vCPUs, or with --all every\n"
"VM listed.\n"
"\n"
"%s"
"  --all            every VM\n"
"  --json           {\"reset_vms\": N}\n";

struct opts {
	const char *vm;
	int vcpu;
	int exited;
	int reasons;
	enum ket_sort sort;
	int json;
	int prometheus;
	const char *textfile;
	double interval;
	long iterations;
	int all;
	const char *name;	/* hist */
};

static char err[ERR_SIZE];

static int die(const char *msg)
{
	fprintf(stderr, "kvm-exit-timing: %s\n", msg);
	return 1;
}

/* Does @vm match the --vm selector @sel? */
static int vm_matches(const struct ket_vm_info *vm, const char *sel)
{
	char *end;
	long v;

	if (!strncmp(sel, "id:", 3))
		return vm->id && strtoull(sel + 3, NULL, 10) == vm->id;
	if (!strcmp(sel, vm->name))
		return 1;
	v = strtol(sel, &end, 10);
	return !*end && v == vm->pid;
}

/* One scope read: its stats fd, its values, its labels. */
struct scope {
	int fd;
	struct ket_scope_stats s;
	struct ket_label l;
	char vm[80];
};

struct selection {
	struct ket_source src;
	struct ket_vm_info *vms;
	unsigned int nr_vms;
	struct scope *scopes;
	unsigned int nr;
};

static void selection_free(struct selection *sel)
{
	unsigned int i;

	for (i = 0; i < sel->nr; i++) {
		close(sel->scopes[i].fd);
		ket_stats_free(&sel->scopes[i].s);
	}
	free(sel->scopes);
	sel->scopes = NULL;
	sel->nr = 0;
	ket_source_free_list(sel->vms, sel->nr_vms);
	sel->vms = NULL;
	sel->nr_vms = 0;
	ket_source_close(&sel->src);
	sel->src.dev_fd = -1;
}

/* Opens the source and lists its VMs into @sel; selection_free() frees. */
static int list_vms(struct selection *sel)
{
	int ret;

	memset(sel, 0, sizeof(*sel));
	ret = ket_source_open(&sel->src, err, sizeof(err));
	if (!ret)
		ret = ket_source_list(&sel->src, &sel->vms, &sel->nr_vms, err,
				      sizeof(err));
	return ret;
}

static int add_scope(struct selection *sel, const struct ket_vm_info *vm,
		     int vcpu)
{
	struct scope *sc, *all;
	int fd, ret;

	fd = ket_source_stats_fd(&sel->src, vm, vcpu, err, sizeof(err));
	if (fd < 0)
		return fd;
	all = realloc(sel->scopes, (sel->nr + 1) * sizeof(*all));
	if (!all) {
		close(fd);
		snprintf(err, sizeof(err), "out of memory");
		return -ENOMEM;
	}
	sel->scopes = all;
	sc = &all[sel->nr];
	memset(sc, 0, sizeof(*sc));
	sc->fd = fd;
	ret = ket_read_stats(fd, &sc->s, err, sizeof(err));
	if (ret) {
		close(fd);
		return ret;
	}
	snprintf(sc->vm, sizeof(sc->vm), "%s", vm->name);
	sc->l.scope = vcpu < 0 ? "vm" : "vcpu";
	sc->l.vm = sc->vm;
	sc->l.pid = vm->pid;
	sc->l.vcpu = vcpu;
	sel->nr++;
	return 0;
}

/*
 * The scopes @o selects: one per VM (or the one vCPU), or with
 * @per_vcpu one per vCPU of each VM.
 */
static int select_scopes(struct selection *sel, const struct opts *o,
			 int per_vcpu)
{
	unsigned int i, j, found = 0;
	int ret;

	ret = list_vms(sel);
	if (ret)
		return ret;
	for (i = 0; i < sel->nr_vms; i++) {
		const struct ket_vm_info *vm = &sel->vms[i];

		if (o->vm ? !vm_matches(vm, o->vm) :
			    vm->exited && !o->exited)
			continue;
		found++;
		if (o->vcpu >= 0) {
			for (j = 0; j < vm->nr_vcpus; j++)
				if (vm->vcpu_ids[j] == (uint32_t)o->vcpu)
					break;
			if (j == vm->nr_vcpus) {
				snprintf(err, sizeof(err),
					 "VM %s has no vCPU %d", vm->name,
					 o->vcpu);
				return -ENOENT;
			}
			ret = add_scope(sel, vm, o->vcpu);
		} else if (per_vcpu) {
			for (j = 0; j < vm->nr_vcpus && !ret; j++)
				ret = add_scope(sel, vm, vm->vcpu_ids[j]);
		} else {
			ret = add_scope(sel, vm, -1);
		}
		if (ret)
			return ret;
	}
	if (o->vm && !found) {
		snprintf(err, sizeof(err), "no such VM: %s", o->vm);
		return -ENOENT;
	}
	return 0;
}

/* The selected scopes summed into one; its label says which. */
static int merged(struct selection *sel, const struct opts *o,
		  struct ket_scope_stats *m, struct ket_label *l)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < sel->nr; i++)
		if (ket_scope_merge(m, &sel->scopes[i].s)) {
			snprintf(err, sizeof(err), "out of memory");
			return -ENOMEM;
		}
	if (sel->nr == 1 && o->vm) {
		*l = sel->scopes[0].l;
	} else {
		memset(l, 0, sizeof(*l));
		l->scope = o->vm ? "vm" : "host";
		l->vm = o->vm ? sel->scopes[0].l.vm : NULL;
		l->pid = o->vm ? sel->scopes[0].l.pid : 0;
		l->vcpu = -1;
	}
	return 0;
}

/* Writes @buf to @dir/kvm_exit_timing.prom through a rename. */
static int write_textfile(const char *dir, const char *buf, size_t len)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kvm_exit_timing.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/.kvm_exit_timing.prom.%d", dir,
		 (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, sizeof(err), "%s: %s", tmp, strerror(errno));
		return -errno;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
		snprintf(err, sizeof(err), "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fclose(f);
	if (rename(tmp, path)) {
		snprintf(err, sizeof(err), "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -errno;
	}
	return 0;
}

static int cmd_list(const struct opts *o, FILE *out)
{
	struct selection sel;
	unsigned int i, j;
	int ret;

	ret = list_vms(&sel);
	if (ret) {
		selection_free(&sel);
		return ret;
	}
	if (o->json)
		fputc('[', out);
	else
		fprintf(out, "%-6s %-24s %8s %-8s %s\n", "ID", "NAME", "PID",
			"STATE", "VCPUS");
	for (i = 0; i < sel.nr_vms; i++) {
		const struct ket_vm_info *vm = &sel.vms[i];

		if (o->json) {
			fprintf(out, "%s{\"id\":%llu,\"name\":", i ? "," : "",
				(unsigned long long)vm->id);
			ket_json_string(out, vm->name);
			fprintf(out, ",\"pid\":%d,\"exited\":%s,\"vcpus\":[",
				vm->pid, vm->exited ? "true" : "false");
			for (j = 0; j < vm->nr_vcpus; j++)
				fprintf(out, "%s%u", j ? "," : "",
					vm->vcpu_ids[j]);
			fprintf(out, "]}");
			continue;
		}
		fprintf(out, "%-6llu %-24s %8d %-8s ",
			(unsigned long long)vm->id, vm->name, vm->pid,
			vm->exited ? "exited" : "running");
		for (j = 0; j < vm->nr_vcpus; j++)
			fprintf(out, "%s%u", j ? "," : "", vm->vcpu_ids[j]);
		fputc('\n', out);
	}
	if (o->json)
		fprintf(out, "]\n");
	selection_free(&sel);
	return 0;
}

static int cmd_report(const struct opts *o, FILE *out)
{
	struct ket_scope_stats m, **ss;
	struct ket_label l, *ls;
	struct selection sel;
	unsigned int i;
	int ret;

	ret = select_scopes(&sel, o, o->prometheus);
	if (ret)
		goto done;
	if (o->prometheus) {
		ss = calloc(sel.nr + 1, sizeof(*ss));
		ls = calloc(sel.nr + 1, sizeof(*ls));
		for (i = 0; ss && ls && i < sel.nr; i++) {
			ss[i] = &sel.scopes[i].s;
			ls[i] = sel.scopes[i].l;
		}
		if (ss && ls)
			ket_prom(out, ss, ls, sel.nr);
		free(ss);
		free(ls);
		goto done;
	}
	ret = merged(&sel, o, &m, &l);
	if (ret)
		goto done;
	if (o->json)
		ket_report_json(out, &m, &l, o->reasons, o->sort);
	else
		ket_report_text(out, &m, &l, o->reasons, o->sort);
	ket_stats_free(&m);
done:
	selection_free(&sel);
	return ret;
}

static int cmd_hist(const struct opts *o, FILE *out)
{
	struct ket_scope_stats m;
	struct selection sel;
	struct ket_label l;
	unsigned int i;
	int ret;

	ret = select_scopes(&sel, o, 0);
	if (!ret)
		ret = merged(&sel, o, &m, &l);
	if (ret)
		goto done;
	for (i = 0; i < m.nr_rows; i++)
		if (!strcmp(m.rows[i].name, o->name))
			break;
	if (i == m.nr_rows) {
		snprintf(err, sizeof(err), "no class or reason %s", o->name);
		ret = -ENOENT;
	} else if (o->json) {
		ket_hist_json(out, &m.rows[i], &l);
	} else {
		ket_hist_text(out, &m.rows[i], &l);
	}
	ket_stats_free(&m);
done:
	selection_free(&sel);
	return ret;
}

static int cmd_reset(const struct opts *o, FILE *out)
{
	struct selection sel;
	unsigned int i, n = 0;
	int ret;

	if (!o->vm && !o->all) {
		snprintf(err, sizeof(err), "reset needs --vm VM or --all");
		return -EINVAL;
	}
	ret = list_vms(&sel);
	for (i = 0; !ret && i < sel.nr_vms; i++) {
		if (o->vm && !vm_matches(&sel.vms[i], o->vm))
			continue;
		ret = ket_source_reset(&sel.src, &sel.vms[i], o->vcpu, err,
				       sizeof(err));
		n++;
	}
	if (!ret && o->vm && !n) {
		snprintf(err, sizeof(err), "no such VM: %s", o->vm);
		ret = -ENOENT;
	}
	if (!ret && o->json)
		fprintf(out, "{\"reset_vms\":%u}\n", n);
	else if (!ret)
		fprintf(out, "reset %u VM%s\n", n, n == 1 ? "" : "s");
	selection_free(&sel);
	return ret;
}

/* top: one snapshot of the selection, summed. */
static int top_snapshot(const struct opts *o, struct ket_scope_stats *m,
			struct ket_label *l)
{
	struct selection sel;
	int ret;

	ret = select_scopes(&sel, o, 0);
	if (!ret)
		ret = merged(&sel, o, m, l);
	selection_free(&sel);
	return ret;
}

static void top_block(FILE *f, const struct opts *o,
		      const struct ket_scope_stats *d,
		      const struct ket_scope_stats *now, double secs, int tty)
{
	char t[32], avg[16], p99[16];
	time_t clock = time(NULL);
	unsigned int i, n = 0;
	uint64_t total = 0;

	strftime(t, sizeof(t), "%F %T", localtime(&clock));
	for (i = 0; i < d->nr_rows; i++)
		if (d->rows[i].is_class != o->reasons &&
		    strcmp(d->rows[i].name, "TIMEINGUEST"))
			total += d->rows[i].count;
	if (o->json) {
		fprintf(f, "{\"time\":%lld,\"interval_s\":%.3f,\"kind\":\"%s\",\"rows\":[",
			(long long)clock, secs, o->reasons ? "reason" : "class");
		for (i = 0; i < d->nr_rows; i++) {
			const struct ket_srow *r = &d->rows[i];

			if (r->is_class == o->reasons || !r->count)
				continue;
			fprintf(f, "%s{\"name\":", n++ ? "," : "");
			ket_json_string(f, r->name);
			fprintf(f, ",\"count\":%llu,\"rate_per_s\":%.1f,\"avg_ns\":%.1f,\"p99_ns\":%.1f,\"total\":%llu}",
				(unsigned long long)r->count, r->count / secs,
				ket_avg(r), ket_percentile(r, 99),
				(unsigned long long)now->rows[i].count);
		}
		fprintf(f, "]}\n");
		return;
	}
	if (tty)
		fprintf(f, "\033[H\033[2J");
	fprintf(f, "--- %s  interval %.2fs  %llu exits (%.0f/s)%s ---\n", t, secs,
		(unsigned long long)total, total / secs,
		tty ? "  q quits" : "");
	fprintf(f, "%-24s %10s %10s %8s %8s %14s\n",
		o->reasons ? "REASON" : "CLASS", "EXITS", "EXITS/s", "AVG",
		"P99", "TOTAL");
	for (i = 0; i < d->nr_rows; i++) {
		const struct ket_srow *r = &d->rows[i];

		if (r->is_class == o->reasons || !r->count)
			continue;
		ket_human_ns(avg, sizeof(avg), ket_avg(r));
		ket_human_ns(p99, sizeof(p99), ket_percentile(r, 99));
		fprintf(f, "%-24s %10llu %10.0f %8s %8s %14llu\n", r->name,
			(unsigned long long)r->count, r->count / secs, avg, p99,
			(unsigned long long)now->rows[i].count);
	}
	fputc('\n', f);
}

static int cmd_top(const struct opts *o)
{
	struct ket_scope_stats prev, now, d;
	int tty_out = isatty(1), tty_in = isatty(0), ret, quit = 0;
	struct termios saved, raw;
	struct timespec t0, t1;
	struct ket_label l;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	long it;
	char c;

	ret = top_snapshot(o, &prev, &l);
	if (ret)
		return ret;
	if (tty_in) {
		tcgetattr(0, &saved);
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(0, TCSANOW, &raw);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; !o->iterations || it < o->iterations; it++) {
		int wait = (int)(o->interval * 1000);

		while (wait > 0 && !quit) {
			if (poll(&p, tty_in ? 1 : 0, wait) > 0 &&
			    read(0, &c, 1) == 1 && (c == 'q' || c == 'Q'))
				quit = 1;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			wait = (int)(o->interval * 1000) -
			       (int)((t1.tv_sec - t0.tv_sec) * 1000 +
				     (t1.tv_nsec - t0.tv_nsec) / 1000000);
		}
		if (quit)
			break;
		ret = top_snapshot(o, &now, &l);
		if (ret)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		memset(&d, 0, sizeof(d));
		ket_scope_merge(&d, &now);
		ket_scope_delta(&d, &now, &prev);
		top_block(stdout, o, &d, &now,
			  (t1.tv_sec - t0.tv_sec) +
				  (t1.tv_nsec - t0.tv_nsec) / 1e9, tty_out);
		fflush(stdout);
		ket_stats_free(&d);
		ket_stats_free(&prev);
		prev = now;
		t0 = t1;
	}
	ket_stats_free(&prev);
	if (tty_in)
		tcsetattr(0, TCSANOW, &saved);
	return ret;
}

static int parse_sort(const char *s, enum ket_sort *by)
{
	unsigned int i;

	for (i = 0; i < KET_NR_SORTS; i++)
		if (!strcmp(s, ket_sort_names[i])) {
			*by = i;
			return 0;
		}
	return -1;
}

static int parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || end == s || *end || *v < min || *v > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	enum { O_VM = 256, O_VCPU, O_EXITED, O_REASONS, O_SORT, O_JSON,
	       O_PROM, O_TEXTFILE, O_INTERVAL, O_ITER, O_ALL, O_HELP };
	static const struct option lo[] = {
		{ "vm", required_argument, NULL, O_VM },
		{ "vcpu", required_argument, NULL, O_VCPU },
		{ "exited", no_argument, NULL, O_EXITED },
		{ "reasons", no_argument, NULL, O_REASONS },
		{ "sort", required_argument, NULL, O_SORT },
		{ "json", no_argument, NULL, O_JSON },
		{ "prometheus", no_argument, NULL, O_PROM },
		{ "textfile", required_argument, NULL, O_TEXTFILE },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "iterations", required_argument, NULL, O_ITER },
		{ "all", no_argument, NULL, O_ALL },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .vcpu = -1, .sort = KET_SORT_TIME, .interval = 1 };
	const char *cmd, *help;
	char *buf = NULL, *end;
	size_t len = 0;
	FILE *out;
	long v;
	int c, ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "list"))
		help = usage_list;
	else if (!strcmp(cmd, "report"))
		help = usage_report;
	else if (!strcmp(cmd, "hist"))
		help = usage_hist;
	else if (!strcmp(cmd, "top"))
		help = usage_top;
	else if (!strcmp(cmd, "reset"))
		help = usage_reset;
	else
		return fprintf(stderr, "kvm-exit-timing: unknown command %s\n%s",
			       cmd, usage), 2;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case O_VM:
			o.vm = optarg;
			break;
		case O_VCPU:
			if (parse_long(optarg, 0, 1 << 30, &v))
				return die("--vcpu needs a vCPU id"), 2;
			o.vcpu = (int)v;
			break;
		case O_EXITED:
			o.exited = 1;
			break;
		case O_REASONS:
			o.reasons = 1;
			break;
		case O_SORT:
			if (parse_sort(optarg, &o.sort))
				return die("unknown --sort column"), 2;
			break;
		case O_JSON:
			o.json = 1;
			break;
		case O_PROM:
			o.prometheus = 1;
			break;
		case O_TEXTFILE:
			o.textfile = optarg;
			o.prometheus = 1;
			break;
		case O_INTERVAL:
			o.interval = strtod(optarg, &end);
			if (*end || end == optarg || !(o.interval >= 0.05) ||
			    o.interval > 3600)
				return die("--interval needs 0.05 to 3600 seconds"), 2;
			break;
		case O_ITER:
			if (parse_long(optarg, 1, 1L << 40, &o.iterations))
				return die("--iterations needs a count"), 2;
			break;
		case O_ALL:
			o.all = 1;
			break;
		case O_HELP:
			printf(help, usage_scope);
			return 0;
		default:
			fprintf(stderr, help, usage_scope);
			return 2;
		}
	}
	if (!strcmp(cmd, "hist")) {
		if (optind != argc - 1)
			return fprintf(stderr, help, usage_scope), 2;
		o.name = argv[optind];
	} else if (optind != argc) {
		return fprintf(stderr, help, usage_scope), 2;
	}
	if (o.vcpu >= 0 && !o.vm)
		return die("--vcpu needs --vm"), 2;
	if ((o.prometheus && strcmp(cmd, "report")) || (o.prometheus && o.json))
		return die("--prometheus and --textfile go with report, without --json"), 2;
	if (!strcmp(cmd, "top"))
		return cmd_top(&o) ? die(err) : 0;

	out = open_memstream(&buf, &len);
	if (!out)
		return die("out of memory");
	if (!strcmp(cmd, "list"))
		ret = cmd_list(&o, out);
	else if (!strcmp(cmd, "report"))
		ret = cmd_report(&o, out);
	else if (!strcmp(cmd, "hist"))
		ret = cmd_hist(&o, out);
	else
		ret = cmd_reset(&o, out);
	fclose(out);
	if (!ret && o.textfile)
		ret = write_textfile(o.textfile, buf, len);
	else if (!ret && fwrite(buf, 1, len, stdout) != len)
		ret = -EIO;
	free(buf);
	return ret ? die(err) : 0;
}
