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
		char item[KET_GUEST_SIZE * 4];
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

/*
 * The length of the UTF-8 character at @s (at most @n bytes), or 0 if it
 * is not one: malformed, overlong, a surrogate, above U+10FFFF.
 */
static size_t utf8_char(const unsigned char *s, size_t n, unsigned int *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (!len || s[0] > 0xf4 || len > n)
		return 0;
	*cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < (len == 2 ? 0x80U : len == 3 ? 0x800U : 0x10000U) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * @in as valid UTF-8 into @out of @size bytes: a byte that is not part
 * of a character, or a control character (C0, DEL, C1: a terminal acts
 * on them), becomes '?'; cut before the character that does not fit.
 */
static void utf8_clean(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), o = 0, len;
	unsigned int cp;

	while (n) {
		len = utf8_char(s, n, &cp);
		if (!len || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			if (o + 1 >= size)
				break;
			out[o++] = '?';
			len = len ? len : 1;
		} else {
			if (o + len >= size)
				break;
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
		n -= len;
	}
	out[o] = '\0';
}

void ket_guest_name(int pid, char *out, size_t size)
{
	char *buf, *arg, *end, raw[KET_GUEST_SIZE * 4];
	ssize_t len;

	out[0] = raw[0] = '\0';
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
			qemu_name(arg + strlen(arg) + 1, raw, sizeof(raw));
			break;
		}
	}
	if (!raw[0] && len > 0 && proc_read(pid, "comm", buf, 64) > 0)
		snprintf(raw, sizeof(raw), "%.*s", (int)strcspn(buf, "\n"), buf);
	free(buf);
	utf8_clean(raw, out, size);
}
