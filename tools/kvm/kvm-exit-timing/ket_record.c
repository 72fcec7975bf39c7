// SPDX-License-Identifier: GPL-2.0
/*
 * record appends one line per interval, each by one write() to a file
 * opened O_APPEND, which a regular file takes whole: a reader (tail -f,
 * a log shipper) never sees half a line.  Only a full disk can cut one
 * short: the error stops record, and the next open ends the line, which
 * plot then skips.  logrotate may move the file at any time; SIGHUP then
 * opens the path anew.  The lines hold deltas, the exits of
 * their interval only (ket_interval.c), so that a reader needs no state
 * and a reset or a VM's exit shows as what it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ket_calc.h"
#include "ket_interval.h"
#include "ket_record.h"
#include "ket_wait.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void rec_hist(FILE *f, const struct ket_srow *r)
{
	unsigned int b, n = 0;

	fprintf(f, ",\"hist\":[");
	for (b = 0; b < KET_BUCKETS; b++)
		if (r->hist[b])
			fprintf(f, "%s[%u,%llu]", n++ ? "," : "", b,
				(unsigned long long)r->hist[b]);
	fputc(']', f);
}

/* The interval of @s, @secs long, ended at @now, as one line. */
static void rec_line(FILE *f, const struct ket_iv_sum *s, double secs,
		     const struct timespec *now)
{
	const struct ket_scope_stats *d = &s->delta;
	const struct ket_srow *guest = NULL;
	unsigned int i, n = 0;

	fprintf(f, "{\"version\":%d,\"time\":%lld.%03ld,\"interval_s\":%.3f,",
		KET_RECORD_VERSION, (long long)now->tv_sec,
		now->tv_nsec / 1000000, secs);
	ket_json_scope(f, &s->label);
	fprintf(f, ",\"exits\":%llu,\"rows\":[",
		(unsigned long long)ket_kind_exits(d, 0));
	for (i = 0; i < d->nr_rows; i++) {
		const struct ket_srow *r = &d->rows[i];

		if (ket_row_is_guest(r)) {
			guest = r;
			continue;
		}
		if (!r->count)
			continue;
		fprintf(f, "%s{\"name\":", n++ ? "," : "");
		ket_json_string(f, r->name);
		fprintf(f, ",\"kind\":\"%s\",\"count\":%llu,\"time_ns\":%llu",
			r->is_class ? "class" : "reason",
			(unsigned long long)r->count,
			(unsigned long long)r->time);
		rec_hist(f, r);
		fputc('}', f);
	}
	fprintf(f, "],\"guest\":{\"count\":%llu,\"time_ns\":%llu",
		(unsigned long long)(guest ? guest->count : 0),
		(unsigned long long)(guest ? guest->time : 0));
	if (guest)
		rec_hist(f, guest);
	else
		fprintf(f, ",\"hist\":[]");
	fprintf(f, "},\"vms\":[");
	for (i = 0; i < s->nr_vms; i++) {
		const struct ket_iv_vm *v = s->vms[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		ket_json_string(f, v->name);
		fprintf(f, ",\"guest\":");
		ket_json_string(f, v->guest);
		fprintf(f, ",\"id\":%llu,\"pid\":%d,\"state\":\"%s\",\"exits\":%llu}",
			(unsigned long long)v->id, v->pid,
			ket_iv_state_names[v->state],
			(unsigned long long)v->exits);
	}
	fprintf(f, "]}\n");
}

/*
 * @o->output, to append to: created 0640 (a recording names every VM and
 * guest: not for every user), and if a line was left cut short (a full
 * disk), ended, so that the next line is whole.
 */
static int rec_open(const struct ket_record_opts *o, char *err, size_t esz)
{
	struct stat st;
	char last;
	int fd, e;

	fd = open(o->output, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		goto fail;
	if (!fstat(fd, &st) && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
	    write(fd, "\n", 1) != 1) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	e = errno;
	snprintf(err, esz, "%s: %s", o->output, strerror(e));
	return -e;
}

/* All of @buf, or -errno: a line is written whole or reported. */
static int rec_write(int fd, const char *buf, size_t len, const char *path,
		     char *err, size_t esz)
{
	ssize_t n;
	int e;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			e = errno;
			snprintf(err, esz, "%s: %s", path ? path : "stdout",
				 strerror(e));
			return -e;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* The interval just read, as a line to @fd. */
static int rec_interval(int fd, const struct ket_record_opts *o,
			const struct ket_intervals *t, double secs,
			char *err, size_t esz)
{
	struct ket_iv_sum s;
	struct timespec now;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (ket_iv_sum(t, &s))
		goto nomem;
	clock_gettime(CLOCK_REALTIME, &now);
	f = open_memstream(&buf, &len);
	if (!f) {
		ket_iv_sum_free(&s);
		goto nomem;
	}
	rec_line(f, &s, secs, &now);
	ket_iv_sum_free(&s);
	if (fclose(f)) {
		free(buf);
		goto nomem;
	}
	ret = rec_write(fd, buf, len, o->output, err, esz);
	free(buf);
	return ret;
nomem:
	snprintf(err, esz, "out of memory");
	return -ENOMEM;
}

static double secs_since(const struct timespec *t0, const struct timespec *t1)
{
	return (t1->tv_sec - t0->tv_sec) + (t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * SIGHUP: the path anew.  If it cannot be opened (its directory gone
 * too), the old file is kept and the open tried again at each line, so
 * that no interval is lost meanwhile.
 */
static void rec_reopen(const struct ket_record_opts *o, int *fd,
		       int *pending)
{
	char err[512];
	int nfd;

	nfd = rec_open(o, err, sizeof(err));
	if (nfd < 0) {
		if (!*pending)
			fprintf(stderr, "kvm-exit-timing: %s; still writing to the file open\n",
				err);
		*pending = 1;
		return;
	}
	close(*fd);
	*fd = nfd;
	*pending = 0;
}

/*
 * The signals taken: SIGTERM and SIGINT stop, SIGHUP reopens the file
 * (and does nothing without one), but not those ignored at start (nohup,
 * a shell's background job); with a file SIGHUP always: under nohup
 * too, logrotate's signal must not be lost.
 */
static void rec_signals(const struct ket_record_opts *o, sigset_t *sigs)
{
	static const int taken[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction old;
	unsigned int i;

	sigemptyset(sigs);
	for (i = 0; i < ARRAY_SIZE(taken); i++)
		if (sigaction(taken[i], NULL, &old) ||
		    old.sa_handler != SIG_IGN)
			sigaddset(sigs, taken[i]);
	if (o->output)
		sigaddset(sigs, SIGHUP);
}

/*
 * Standard input, output and error open, on /dev/null if closed, so that
 * the recording never takes one of their numbers (and a warning to
 * stderr never lands in it); without --output, stdout must be open.
 */
static int rec_std_fds(const struct ket_record_opts *o, char *err,
		       size_t esz)
{
	int fd;

	if (!o->output && fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		snprintf(err, esz, "standard output is closed");
		return -EBADF;
	}
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			snprintf(err, esz, "/dev/null: %s", strerror(errno));
			return -EBADF;
		}
	return 0;
}

int ket_record(const struct ket_record_opts *o, char *err, size_t esz)
{
	int fd = o->output ? -1 : STDOUT_FILENO, sig = 0, ret, pending = 0;
	struct timespec next, t0, t1;
	struct ket_intervals t;
	sigset_t sigs;
	long it;

	ret = rec_std_fds(o, err, esz);
	if (ret)
		return ret;
	/* Taken only while waiting (sigtimedwait): none is missed. */
	rec_signals(o, &sigs);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	ret = ket_iv_start(&t, &o->sel, 0, err, esz);
	if (!ret && o->output) {
		fd = rec_open(o, err, esz);
		ret = fd < 0 ? fd : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (it = 0; !ret && (!o->iterations || it < o->iterations); it++) {
		ket_wait_next(&next, o->interval);
		while ((sig = ket_wait_until(&sigs, &next)) == SIGHUP)
			if (o->output)
				rec_reopen(o, &fd, &pending);
		if (pending)
			rec_reopen(o, &fd, &pending);
		/*
		 * Stopped: the interval so far is written too, unless too
		 * short to be one (interval_s is to the ms).
		 */
		ret = ket_iv_round(&t, err, esz);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!ret && (!sig || secs_since(&t0, &t1) >= 0.001))
			ret = rec_interval(fd, o, &t, secs_since(&t0, &t1), err,
					   esz);
		if (sig || (o->exit_with_vm && ket_iv_over(&t)))
			break;
		t0 = t1;
	}
	if (o->output && fd >= 0)
		close(fd);
	ket_iv_free(&t);
	return ret;
}
