// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal is taken (no echo, no line buffering, the alternate
 * screen) only when standard input and output are both the terminal and
 * this process is in its foreground process group, so that a background
 * top never meets SIGTTOU or SIGTTIN; and given back on every way out:
 * q, the end, an error (atexit), SIGINT, SIGTERM, SIGHUP, SIGQUIT, and
 * SIGTSTP, after which SIGCONT takes it again if in the foreground.  A
 * signal ignored at start (nohup, an async job of a shell without job
 * control) stays ignored.  What the handlers call is async-signal-safe.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ket_term.h"

static struct termios term_saved;
static volatile sig_atomic_t term_held, term_retake;

static const char term_enter[] = "\033[?1049h\033[?25l";
static const char term_leave[] = "\033[?25h\033[?1049l";

/* An escape sequence to the terminal; nothing to do if it fails. */
static void term_put(const char *s, size_t n)
{
	ssize_t r = write(STDOUT_FILENO, s, n);

	(void)r;
}

static int foreground(void)
{
	return tcgetpgrp(STDIN_FILENO) == getpgrp();
}

void ket_term_give_back(void)
{
	int e = errno;

	if (!term_held)
		return;
	term_held = 0;
	/* From the background (stopped, then bg), leave the terminal be. */
	if (foreground()) {
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
		term_put(term_leave, sizeof(term_leave) - 1);
	}
	errno = e;
}

static const int term_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP,
				 SIGCONT };

static void term_block(int how)
{
	sigset_t set;
	unsigned int i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(term_sigs) / sizeof(term_sigs[0]); i++)
		sigaddset(&set, term_sigs[i]);
	sigprocmask(how, &set, NULL);
}

void ket_term_take(void)
{
	struct termios raw;

	term_retake = 0;
	if (term_held || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    !foreground())
		return;
	/* No handler between the change and its record. */
	term_block(SIG_BLOCK);
	if (!tcgetattr(STDIN_FILENO, &term_saved)) {
		raw = term_saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSADRAIN, &raw)) {
			term_held = 1;
			term_put(term_enter, sizeof(term_enter) - 1);
		}
	}
	term_block(SIG_UNBLOCK);
}

int ket_term_held(void)
{
	return term_held;
}

int ket_term_size(unsigned int *rows, unsigned int *cols)
{
	struct winsize w;

	if (!term_held || ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) || !w.ws_row ||
	    !w.ws_col)
		return -1;
	*rows = w.ws_row;
	*cols = w.ws_col;
	return 0;
}

static void on_fatal(int sig)
{
	ket_term_give_back();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_tstp(int sig)
{
	int e = errno, held = term_held;
	struct sigaction sa = { .sa_handler = on_tstp };
	sigset_t set;

	ket_term_give_back();
	signal(SIGTSTP, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGTSTP);
	/* Stopped until SIGCONT. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
	if (held)
		term_retake = 1;
	errno = e;
}

static void on_cont(int sig)
{
	/* Continued in the background while holding it: let it go. */
	if (term_held && !foreground())
		term_held = 0;
	term_retake = 1;
}

void ket_term_init(void)
{
	struct sigaction sa = { 0 }, old;
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(term_sigs) / sizeof(term_sigs[0]); i++) {
		if (sigaction(term_sigs[i], NULL, &old) ||
		    old.sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = term_sigs[i] == SIGTSTP ? on_tstp :
				term_sigs[i] == SIGCONT ? on_cont : on_fatal;
		sigaction(term_sigs[i], &sa, NULL);
	}
	atexit(ket_term_give_back);
}

int ket_term_wait(int ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec t0, t1;
	int left = ms, n;
	char c;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		if (term_retake)
			ket_term_take();
		n = poll(&p, term_held ? 1 : 0, left);
		if (n > 0 && term_held) {
			/* A hangup, an error or the end: as q. */
			if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
				return 1;
			n = read(STDIN_FILENO, &c, 1);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				return 1;
			if (n == 1 && (c == 'q' || c == 'Q'))
				return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
				  (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return 0;
}
