// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's guest name, as its operators know it: QEMU's -name (libvirt
 * passes "guest=NAME,debug-threads=on"; "-name NAME" is the old form),
 * read from the VMM's command line as kvm_stat -g does, or for another
 * VMM its process name.  Read from /proc, or $KVM_EXIT_TIMING_PROC
 * (tests).  The name is the VMM user's to choose: bytes that a terminal
 * would act on are shown as '?'.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ket_guest.h"

#define KET_CMDLINE_MAX 65536

/* The file @name of process @pid into @buf, NUL-terminated; its length or -1. */
static ssize_t proc_read(int pid, const char *name, char *buf, size_t size)
{
	const char *proc = getenv("KVM_EXIT_TIMING_PROC");
	char path[256];
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/%s", proc ? proc : "/proc", pid,
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * QEMU's option value @v: "guest=NAME,..." or "NAME,...", ",," for a
 * comma in a value.  The guest's name into @out, or nothing.
 */
static void qemu_name(const char *v, char *out, size_t size)
{
	int first = 1;

	while (*v) {
		char item[256];
		size_t n = 0;

		for (; *v && !(*v == ',' && v[1] != ','); v++) {
			if (*v == ',')
				v++;	/* ",," */
			if (n < sizeof(item) - 1)
				item[n++] = *v;
		}
		item[n] = '\0';
		if (*v)
			v++;
		if (!strncmp(item, "guest=", 6)) {
			snprintf(out, size, "%s", item + 6);
			return;
		}
		if (first && !strchr(item, '='))
			snprintf(out, size, "%s", item);
		first = 0;
	}
}

void ket_guest_name(int pid, char *out, size_t size)
{
	char *buf, *arg, *end;
	ssize_t len;

	out[0] = '\0';
	if (pid <= 0)
		return;
	buf = malloc(KET_CMDLINE_MAX);
	if (!buf)
		return;
	len = proc_read(pid, "cmdline", buf, KET_CMDLINE_MAX);
	for (arg = buf, end = buf + (len > 0 ? len : 0); arg < end;
	     arg += strlen(arg) + 1) {
		if ((!strcmp(arg, "-name") || !strcmp(arg, "--name")) &&
		    arg + strlen(arg) + 1 < end) {
			qemu_name(arg + strlen(arg) + 1, out, size);
			break;
		}
	}
	if (!out[0] && len > 0 && proc_read(pid, "comm", buf, 64) > 0)
		snprintf(out, size, "%.*s", (int)strcspn(buf, "\n"), buf);
	free(buf);
	for (arg = out; *arg; arg++)
		if ((unsigned char)*arg < 0x20 || *arg == 0x7f)
			*arg = '?';
}
