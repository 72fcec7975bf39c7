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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ket_calc.h"
#include "ket_output.h"
#include "ket_plot.h"
#include "ket_prom.h"
#include "ket_record.h"
#include "ket_recording.h"
#include "ket_select.h"
#include "ket_textfile.h"
#include "ket_top.h"
#include "ket_wait.h"

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
"  record               each interval's exits as JSON lines\n"
"  plot [FILE]          a recording as an SVG latency heat map\n"
"  reset                zero the statistics of a VM or vCPU (or all VMs)\n"
"\n"
"Run 'kvm-exit-timing COMMAND --help' for a command's options,\n"
"'kvm-exit-timing --version' for the version.\n";

static const char usage_scope[] =
"  --vm VM          a VM: its name as in debugfs (PID-FD), its guest name,\n"
"                   its pid, or id:N (the device's id); up to 16 times,\n"
"                   summed; default: every running VM\n"
"  --vcpu N         one vCPU of that VM\n"
"  --exited         with no --vm, include the exited VMs still kept\n";

static const char usage_list[] =
"Usage: kvm-exit-timing list [--json]\n"
"\n"
"One line per VM: id, name (PID-FD), guest name, pid, state, vCPU ids.\n";

static const char usage_report[] =
"Usage: kvm-exit-timing report [--vm VM [--vcpu N]] [--reasons]\n"
"                              [--sort COL] [--json | --prometheus |\n"
"                              --textfile DIR|FILE.prom [--interval SEC]]\n"
"                              [--per-vcpu]\n"
"\n"
"A table for the host (all VMs), a VM or a vCPU.  Percentiles are placed\n"
"inside their log2 bucket by linear interpolation on rank.\n"
"\n"
"%s"
"  --reasons        hardware exit reasons instead of classes\n"
"  --sort COL       name, count, time (default), min, avg, p50, p90, p99,\n"
"                   p99.9, max, stddev; all but name sort descending\n"
"  --json           one JSON object (schema in kvm-exit-timing.1)\n"
"  --prometheus     Prometheus text format: histograms per VM, labels vm,\n"
"                   pid, name (the guest's), class or reason\n"
"  --per-vcpu       Prometheus series per vCPU (label vcpu), not per VM\n"
"  --textfile DIR|FILE.prom\n"
"                   the --prometheus output, written atomically, mode\n"
"                   0644, as DIR/kvm_exit_timing.prom or FILE.prom, for\n"
"                   node_exporter's textfile collector; if the figures\n"
"                   cannot be read, kvm_exit_timing_up 0 alone\n"
"  --interval SEC   with --textfile: again every SEC seconds, until\n"
"                   SIGTERM or SIGINT, then kvm_exit_timing_up 0 alone\n";

static const char usage_hist[] =
"Usage: kvm-exit-timing hist NAME [--vm VM [--vcpu N]] [--json]\n"
"\n"
"The log2 distribution of class or reason NAME (classes are upper case:\n"
"EMULINST, HALT, ...; reasons as in 'report --reasons'), as bars.\n"
"\n"
"%s"
"  --json           one JSON object with the non-empty buckets\n";

static const char usage_top[] =
"Usage: kvm-exit-timing top [--vm VM [--vcpu N] [--exit-with-vm]] [--reasons]\n"
"                           [--sort COL] [--interval SEC] [--iterations N]\n"
"                           [--json]\n"
"\n"
"Every interval, its exits per class or reason (count, rate, avg, p99,\n"
"and the running total) and per VM (count, rate, and whether the VM is\n"
"new, was reset or exited in it).  Each VM counts its own exits of the\n"
"interval: one that appears, exits or is reset changes nothing else.  On\n"
"a terminal in the foreground, the screen is redrawn, cut to the\n"
"terminal's size, and q quits;\n"
"otherwise one block per interval is printed (one JSON line with --json).\n"
"\n"
"  --vm VM          a VM (name, guest name, pid or id:N), and the VMs it\n"
"                   names later; up to 16 times; default: every VM\n"
"  --vcpu N         one vCPU of that VM\n"
"  --exit-with-vm   stop once the VMs of --vm have exited\n"
"  --reasons        hardware exit reasons instead of classes\n"
"  --sort COL       as report's, of the interval; default count\n"
"  --interval SEC   seconds between refreshes (default 1)\n"
"  --iterations N   stop after N intervals\n"
"  --json           one JSON object per interval\n";

static const char usage_record[] =
"Usage: kvm-exit-timing record [--vm VM [--vcpu N] [--exit-with-vm]]\n"
"                              [--interval SEC] [--iterations N]\n"
"                              [--output FILE]\n"
"\n"
"Every interval, one JSON line with that interval's exits: per class and\n"
"reason its count, handling time and log2 histogram, the time in the\n"
"guest, and the VMs (as top counts them: each VM its own change).  Lines\n"
"are appended whole; SIGHUP opens FILE anew (after logrotate moved it);\n"
"SIGTERM or SIGINT writes the interval so far, then stops.  Format:\n"
"kvm-exit-timing.1, RECORDINGS.\n"
"\n"
"  --vm VM          a VM (name, guest name, pid or id:N), and the VMs it\n"
"                   names later; up to 16 times; default: every VM\n"
"  --vcpu N         one vCPU of that VM\n"
"  --exit-with-vm   stop once the VMs of --vm have exited\n"
"  --interval SEC   seconds per line (default 1)\n"
"  --iterations N   stop after N lines\n"
"  --output FILE    append to FILE (created 0640), not standard output\n"
"                   (- is standard output)\n";

static const char usage_plot[] =
"Usage: kvm-exit-timing plot [--reasons] [FILE [NAME...]]\n"
"\n"
"The recording FILE (or standard input; see record) as an SVG picture on\n"
"standard output: per class (or reason) a heat map of exit latency over\n"
"time (time across, log2 latency bucket up, exits per second as colour),\n"
"then each one's share of the handling time over time.  Without NAME,\n"
"the 12 classes (or reasons) with the most handling time.\n"
"\n"
"  --reasons        hardware exit reasons instead of classes\n"
"  NAME             a class or reason to show; several in their order\n";

static const char usage_reset[] =
"Usage: kvm-exit-timing reset (--vm VM [--vcpu N] | --all) [--json]\n"
"\n"
"Zeroes the statistics of a VM, one of its vCPUs, or with --all every\n"
"VM listed, the exited ones kept too.  Nothing is reset unless every\n"
"--vm names a VM (with that vCPU).\n"
"\n"
"  --vm VM          a VM: its name as in debugfs (PID-FD), its guest name,\n"
"                   its pid, or id:N (the device's id); up to 16 times\n"
"  --vcpu N         one vCPU of each\n"
"  --all            every VM\n"
"  --json           {\"reset_vms\": N}\n";

struct opts {
	struct ket_selector sel;	/* --vm, --vcpu, --exited */
	int exit_with_vm;
	int reasons;
	enum ket_sort sort;
	int json;
	int prometheus;
	int per_vcpu;		/* Prometheus series per vCPU, not per VM */
	const char *textfile;
	int exporter;		/* --textfile with --interval */
	double interval;
	long iterations;
	int all;
	const char *name;	/* hist */
	const char *output;	/* record */
	char *const *args;	/* plot: FILE [NAME...] */
	int nr_args;
};

static char err[ERR_SIZE];

static int die(const char *msg)
{
	fprintf(stderr, "kvm-exit-timing: %s\n", msg);
	return 1;
}

static int cmd_list(const struct opts *o, FILE *out)
{
	struct ket_selection sel;
	unsigned int i, j;
	int ret;

	ret = ket_select_vms(&sel, err, sizeof(err));
	if (ret) {
		ket_selection_free(&sel);
		return ret;
	}
	if (o->json)
		fprintf(out, "{\"version\":%d,\"vms\":[", KET_JSON_VERSION);
	else
		fprintf(out, "%-6s %-24s %-24s %8s %-8s %s\n", "ID", "NAME",
			"GUEST", "PID", "STATE", "VCPUS");
	for (i = 0; i < sel.nr_vms; i++) {
		const struct ket_vm_info *vm = &sel.vms[i];

		if (o->json) {
			fprintf(out, "%s{\"id\":%llu,\"name\":", i ? "," : "",
				(unsigned long long)vm->id);
			ket_json_string(out, vm->name);
			fprintf(out, ",\"guest\":");
			ket_json_string(out, ket_vm_guest(vm));
			fprintf(out, ",\"pid\":%d,\"exited\":%s,\"vcpus\":[",
				vm->pid, vm->exited ? "true" : "false");
			for (j = 0; j < vm->nr_vcpus; j++)
				fprintf(out, "%s%u", j ? "," : "",
					vm->vcpu_ids[j]);
			fprintf(out, "]}");
			continue;
		}
		fprintf(out, "%-6llu %-24s %-24s %8d %-8s ",
			(unsigned long long)vm->id, vm->name,
			ket_vm_guest(vm)[0] ? ket_vm_guest(vm) : "-", vm->pid,
			vm->exited ? "exited" : "running");
		for (j = 0; j < vm->nr_vcpus; j++)
			fprintf(out, "%s%u", j ? "," : "", vm->vcpu_ids[j]);
		fputc('\n', out);
	}
	if (o->json)
		fprintf(out, "]}\n");
	ket_selection_free(&sel);
	return 0;
}

static int cmd_report(const struct opts *o, FILE *out)
{
	struct ket_scope_stats m, **ss;
	struct ket_label l, *ls;
	struct ket_selection sel;
	unsigned int i;
	int ret;

	ret = ket_select(&sel, &o->sel, o->per_vcpu, err, sizeof(err));
	if (ret)
		goto done;
	if (o->prometheus) {
		ss = calloc(sel.nr + 1, sizeof(*ss));
		ls = calloc(sel.nr + 1, sizeof(*ls));
		for (i = 0; ss && ls && i < sel.nr; i++) {
			ss[i] = &sel.scopes[i].s;
			ls[i] = sel.scopes[i].l;
		}
		if (ss && ls) {
			ket_prom(out, ss, ls, sel.nr, time(NULL));
		} else {
			snprintf(err, sizeof(err), "out of memory");
			ret = -ENOMEM;
		}
		free(ss);
		free(ls);
		goto done;
	}
	ret = ket_select_merged(&sel, &o->sel, &m, &l, err, sizeof(err));
	if (ret)
		goto done;
	if (o->json)
		ket_report_json(out, &m, &l, o->reasons, o->sort);
	else
		ket_report_text(out, &m, &l, o->reasons, o->sort);
	ket_stats_free(&m);
done:
	ket_selection_free(&sel);
	return ret;
}

/* kvm_exit_timing_up 0 alone, into a new buffer. */
static void out_status(char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);

	if (!out)
		return;
	ket_prom_status(out, 0, time(NULL));
	fclose(out);
}

/* The text report --textfile writes: the figures, or that they failed. */
static int textfile_text(const struct opts *o, char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);
	int ret;

	if (!out)
		return -ENOMEM;
	ret = cmd_report(o, out);
	fclose(out);
	if (!ret)
		return 0;
	fprintf(stderr, "kvm-exit-timing: %s\n", err);
	free(*buf);
	*buf = NULL;
	out_status(buf, len);
	return *buf ? ret : -ENOMEM;
}

/*
 * report --textfile: written once, or with --interval every SEC seconds
 * until SIGTERM or SIGINT.  A read that fails writes kvm_exit_timing_up
 * 0 alone, so that old figures are never served as fresh.
 */
static int cmd_textfile(const struct opts *o)
{
	int ret, failed = 0, stopping = 0;
	struct timespec next;
	sigset_t stop;
	char *buf;
	size_t len;

	/* Taken only while waiting (sigtimedwait): none is missed. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (o->exporter)
		sigprocmask(SIG_BLOCK, &stop, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	do {
		buf = NULL;
		ret = textfile_text(o, &buf, &len);
		if (ret == -ENOMEM && !buf)
			return die("out of memory");
		failed = ret != 0;
		ret = ket_textfile_write(o->textfile, buf, len, err,
					 sizeof(err));
		free(buf);
		if (ret) {
			fprintf(stderr, "kvm-exit-timing: %s\n", err);
			failed = 1;
		}
		if (!o->exporter)
			break;
		ket_wait_next(&next, o->interval);
		stopping = ket_wait_until(&stop, &next);
	} while (!stopping);
	if (o->exporter) {
		/* Stopped: up 0, not old figures served as fresh. */
		buf = NULL;
		out_status(&buf, &len);
		if (buf && ket_textfile_write(o->textfile, buf, len, err,
					      sizeof(err)))
			fprintf(stderr, "kvm-exit-timing: %s\n", err);
		free(buf);
	}
	return o->exporter ? 0 : failed;
}

static int cmd_hist(const struct opts *o, FILE *out)
{
	struct ket_scope_stats m;
	struct ket_selection sel;
	struct ket_label l;
	unsigned int i;
	int ret;

	ret = ket_select(&sel, &o->sel, 0, err, sizeof(err));
	if (!ret)
		ret = ket_select_merged(&sel, &o->sel, &m, &l, err, sizeof(err));
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
	ket_selection_free(&sel);
	return ret;
}

static int cmd_reset(const struct opts *o, FILE *out)
{
	struct ket_selection sel;
	unsigned int i, n = 0;
	int ret;

	ret = ket_select_vms(&sel, err, sizeof(err));
	/* Every --vm names a VM with the vCPU asked, or nothing is reset. */
	if (!ret)
		ret = ket_select_check(&o->sel, sel.vms, sel.nr_vms, 0, err,
				       sizeof(err));
	for (i = 0; !ret && i < sel.nr_vms; i++) {
		/* --all: every VM listed, the exited ones kept too. */
		if (o->sel.nr_vm && !ket_selects(&o->sel, &sel.vms[i]))
			continue;
		ret = ket_source_reset(&sel.src, &sel.vms[i], o->sel.vcpu, err,
				       sizeof(err));
		/* Gone since the list (--all): nothing to reset. */
		if (ret == -ENOENT && o->all)
			ret = 0;
		else if (!ret)
			n++;
	}
	if (!ret && o->json)
		fprintf(out, "{\"version\":%d,\"reset_vms\":%u}\n",
			KET_JSON_VERSION, n);
	else if (!ret)
		fprintf(out, "reset %u VM%s\n", n, n == 1 ? "" : "s");
	ket_selection_free(&sel);
	return ret;
}

static int cmd_top(const struct opts *o)
{
	struct ket_top_opts t = {
		.sel = o->sel,
		.reasons = o->reasons,
		.sort = o->sort,
		.interval = o->interval,
		.iterations = o->iterations,
		.json = o->json,
		.exit_with_vm = o->exit_with_vm,
	};

	return ket_top(&t, err, sizeof(err)) ? die(err) : 0;
}

static int cmd_record(const struct opts *o)
{
	struct ket_record_opts r = {
		.sel = o->sel,
		.interval = o->interval,
		.iterations = o->iterations,
		.exit_with_vm = o->exit_with_vm,
		.output = o->output && strcmp(o->output, "-") ? o->output : NULL,
	};

	return ket_record(&r, err, sizeof(err)) ? die(err) : 0;
}

static int cmd_plot(const struct opts *o, FILE *out)
{
	const char *path = o->nr_args ? o->args[0] : "-";
	struct ket_plot_opts p = {
		.reasons = o->reasons,
		.names = (const char *const *)o->args + 1,
		.nr_names = o->nr_args > 1 ? o->nr_args - 1 : 0,
	};
	struct ket_recording r;
	FILE *in = stdin;
	int ret;

	if (strcmp(path, "-")) {
		in = fopen(path, "r");
		if (!in) {
			snprintf(err, sizeof(err), "%s: %s", path,
				 strerror(errno));
			return -errno;
		}
	}
	ret = ket_recording_read(in, &r, err, sizeof(err));
	if (in != stdin)
		fclose(in);
	if (ret)
		return -EINVAL;
	if (r.skipped)
		fprintf(stderr, "kvm-exit-timing: %s: %lu line%s not JSON (cut short?), skipped: line %lu%s\n",
			path, r.skipped, r.skipped == 1 ? "" : "s",
			r.first_skipped, r.skipped > 1 ? " and more" : "");
	ret = ket_plot(out, &r, &p, err, sizeof(err));
	ket_recording_free(&r);
	return ret ? -EINVAL : 0;
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

enum { O_VM, O_VCPU, O_EXITED, O_REASONS, O_SORT, O_JSON, O_PROM,
       O_TEXTFILE, O_PER_VCPU, O_INTERVAL, O_ITER, O_ALL, O_EXIT_WITH_VM,
       O_OUTPUT, O_HELP };

#define OPT(o) (1U << (o))
#define OPTS_SCOPE (OPT(O_VM) | OPT(O_VCPU) | OPT(O_EXITED))

/* Each command, its help and the options that apply to it. */
static const struct command {
	const char *name;
	const char *help;
	unsigned int opts;
} commands[] = {
	{ "list", usage_list, OPT(O_JSON) },
	{ "report", usage_report, OPTS_SCOPE | OPT(O_REASONS) | OPT(O_SORT) |
		OPT(O_JSON) | OPT(O_PROM) | OPT(O_TEXTFILE) | OPT(O_PER_VCPU) |
		OPT(O_INTERVAL) },
	{ "hist", usage_hist, OPTS_SCOPE | OPT(O_JSON) },
	{ "top", usage_top, OPT(O_VM) | OPT(O_VCPU) | OPT(O_EXIT_WITH_VM) |
		OPT(O_REASONS) | OPT(O_SORT) | OPT(O_INTERVAL) | OPT(O_ITER) |
		OPT(O_JSON) },
	{ "record", usage_record, OPT(O_VM) | OPT(O_VCPU) |
		OPT(O_EXIT_WITH_VM) | OPT(O_INTERVAL) | OPT(O_ITER) |
		OPT(O_OUTPUT) },
	{ "plot", usage_plot, OPT(O_REASONS) },
	{ "reset", usage_reset, OPT(O_VM) | OPT(O_VCPU) | OPT(O_ALL) |
		OPT(O_JSON) },
};

static const struct option long_opts[] = {
	{ "vm", required_argument, NULL, O_VM },
	{ "vcpu", required_argument, NULL, O_VCPU },
	{ "exited", no_argument, NULL, O_EXITED },
	{ "reasons", no_argument, NULL, O_REASONS },
	{ "sort", required_argument, NULL, O_SORT },
	{ "json", no_argument, NULL, O_JSON },
	{ "prometheus", no_argument, NULL, O_PROM },
	{ "textfile", required_argument, NULL, O_TEXTFILE },
	{ "per-vcpu", no_argument, NULL, O_PER_VCPU },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "iterations", required_argument, NULL, O_ITER },
	{ "all", no_argument, NULL, O_ALL },
	{ "exit-with-vm", no_argument, NULL, O_EXIT_WITH_VM },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Sets option @c of @o from @arg; -1 with a message if @arg is bad. */
static int set_opt(struct opts *o, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case O_VM:
		if (o->sel.nr_vm == KET_SELECT_MAX)
			return die("at most 16 --vm"), -1;
		o->sel.vm[o->sel.nr_vm++] = arg;
		break;
	case O_VCPU:
		if (parse_long(arg, 0, 1 << 30, &v))
			return die("--vcpu needs a vCPU id"), -1;
		o->sel.vcpu = (int)v;
		break;
	case O_EXITED:
		o->sel.exited = 1;
		break;
	case O_REASONS:
		o->reasons = 1;
		break;
	case O_SORT:
		if (parse_sort(arg, &o->sort))
			return die("unknown --sort column"), -1;
		break;
	case O_JSON:
		o->json = 1;
		break;
	case O_PROM:
		o->prometheus = 1;
		break;
	case O_TEXTFILE:
		o->textfile = arg;
		o->prometheus = 1;
		break;
	case O_INTERVAL:
		o->interval = strtod(arg, &end);
		if (*end || end == arg || !(o->interval >= 0.05) ||
		    o->interval > 3600)
			return die("--interval needs 0.05 to 3600 seconds"), -1;
		break;
	case O_ITER:
		if (parse_long(arg, 1, 1L << 40, &o->iterations))
			return die("--iterations needs a count"), -1;
		break;
	case O_ALL:
		o->all = 1;
		break;
	case O_PER_VCPU:
		o->per_vcpu = 1;
		break;
	case O_EXIT_WITH_VM:
		o->exit_with_vm = 1;
		break;
	case O_OUTPUT:
		o->output = arg;
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .sel.vcpu = -1, .sort = KET_SORT_TIME, .interval = 1 };
	const struct command *cmd = NULL;
	unsigned int given = 0, i;
	char *buf = NULL;
	const char *help;
	size_t len = 0;
	FILE *out;
	int c, ret;

	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("kvm-exit-timing %s\n", KET_VERSION);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return fprintf(stderr, "kvm-exit-timing: unknown command %s\n%s",
			       argv[1], usage), 2;
	help = cmd->help;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h' || c == O_HELP) {
			printf(help, usage_scope);
			return 0;
		}
		if (c == '?') {
			fprintf(stderr, help, usage_scope);
			return 2;
		}
		if (!(cmd->opts & OPT(c))) {
			fprintf(stderr, "kvm-exit-timing: %s takes no --%s\n",
				cmd->name, long_opts[c].name);
			return 2;
		}
		if (set_opt(&o, c, optarg))
			return 2;
		given |= OPT(c);
	}
	if (!strcmp(cmd->name, "hist")) {
		if (optind != argc - 1)
			return fprintf(stderr, help, usage_scope), 2;
		o.name = argv[optind];
	} else if (!strcmp(cmd->name, "plot")) {
		o.args = argv + optind;
		o.nr_args = argc - optind;
	} else if (optind != argc) {
		return fprintf(stderr, help, usage_scope), 2;
	}
	if (o.sel.vcpu >= 0 && !o.sel.nr_vm)
		return die("--vcpu needs --vm"), 2;
	if (o.exit_with_vm && !o.sel.nr_vm)
		return die("--exit-with-vm needs --vm"), 2;
	if (!strcmp(cmd->name, "reset") && !o.sel.nr_vm == !o.all)
		return die("reset needs --vm VM or --all"), 2;
	if (o.prometheus && o.json)
		return die("--prometheus and --textfile go without --json"), 2;
	if (o.per_vcpu && !o.prometheus)
		return die("--per-vcpu goes with --prometheus or --textfile"), 2;
	if (!strcmp(cmd->name, "report") && (given & OPT(O_INTERVAL))) {
		if (!o.textfile)
			return die("report --interval goes with --textfile"), 2;
		o.exporter = 1;
	}
	if (o.textfile)
		return cmd_textfile(&o);
	if (!strcmp(cmd->name, "top")) {
		if (!(given & OPT(O_SORT)))
			o.sort = KET_SORT_COUNT;
		return cmd_top(&o);
	}
	if (!strcmp(cmd->name, "record"))
		return cmd_record(&o);

	out = open_memstream(&buf, &len);
	if (!out)
		return die("out of memory");
	if (!strcmp(cmd->name, "list"))
		ret = cmd_list(&o, out);
	else if (!strcmp(cmd->name, "report"))
		ret = cmd_report(&o, out);
	else if (!strcmp(cmd->name, "hist"))
		ret = cmd_hist(&o, out);
	else if (!strcmp(cmd->name, "plot"))
		ret = cmd_plot(&o, out);
	else
		ret = cmd_reset(&o, out);
	fclose(out);
	if (!ret && fwrite(buf, 1, len, stdout) != len)
		ret = -EIO;
	free(buf);
	return ret ? die(err) : 0;
}
