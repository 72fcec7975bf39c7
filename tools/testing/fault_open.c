// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD for the tool's host tests: the next open() of a path that
 * contains $KET_FAULT_PATH fails with ENOENT, once, when the file
 * $KET_FAULT_TRIGGER exists (which it removes): a VM listed that exits
 * before its statistics are read, a race no test can time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	const char *want = getenv("KET_FAULT_PATH");
	const char *trigger = getenv("KET_FAULT_TRIGGER");
	mode_t mode = 0;
	va_list ap;

	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (want && trigger && strstr(path, want) && !unlink(trigger)) {
		errno = ENOENT;
		return -1;
	}
	return real_open(path, flags, mode);
}
