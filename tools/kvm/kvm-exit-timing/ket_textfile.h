/* SPDX-License-Identifier: GPL-2.0 */
/* A file for node_exporter's textfile collector (ket_textfile.c). */
#ifndef KET_TEXTFILE_H
#define KET_TEXTFILE_H

#include <stddef.h>

/*
 * Replaces @target (a directory: its kvm_exit_timing.prom; or a file
 * named *.prom) with @len bytes of @buf, atomically, mode 0644 whatever
 * the umask.  0, or -errno with the reason in @err.
 */
int ket_textfile_write(const char *target, const char *buf, size_t len,
		       char *err, size_t esz);

#endif
