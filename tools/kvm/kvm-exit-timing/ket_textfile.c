// SPDX-License-Identifier: GPL-2.0
/*
 * node_exporter reads every *.prom file of its textfile directory at each
 * scrape, perhaps as another user: the file is replaced by a rename, so
 * that a scrape never sees half of it, and readable by all (0644), as a
 * umask of 077 would otherwise leave it to root.  The temporary file is
 * created anew (O_EXCL, O_NOFOLLOW): in a directory another user may
 * write, a link planted at its name is never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ket_textfile.h"

#define KET_TEXTFILE_NAME "kvm_exit_timing.prom"

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

int ket_textfile_write(const char *target, const char *buf, size_t len,
		       char *err, size_t esz)
{
	char tmp[4096], path[4096];
	const char *slash;
	int fd, n, e = 0;

	if (ends_with(target, ".prom")) {
		n = snprintf(path, sizeof(path), "%s", target);
		slash = strrchr(path, '/');
		/* Hidden, not *.prom: node_exporter skips it meanwhile. */
		if (n < (int)sizeof(path))
			n = snprintf(tmp, sizeof(tmp), "%.*s.%s.%d.tmp",
				     slash ? (int)(slash - path + 1) : 0, path,
				     slash ? slash + 1 : path, (int)getpid());
	} else {
		n = snprintf(path, sizeof(path), "%s/%s", target,
			     KET_TEXTFILE_NAME);
		if (n < (int)sizeof(path))
			n = snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", target,
				     KET_TEXTFILE_NAME, (int)getpid());
	}
	if (n >= (int)sizeof(tmp)) {
		snprintf(err, esz, "%.64s...: %s", target,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* One of ours left by a kill: ours to remove. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		e = errno;
		snprintf(err, esz, "%s: %s", tmp, strerror(e));
		return -e;
	}
	if (fchmod(fd, 0644))
		e = errno;
	while (!e && len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno != EINTR)
			e = errno;
		if (n > 0) {
			buf += n;
			len -= n;
		}
	}
	if (!e && fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		snprintf(err, esz, "%s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}
