/* SPDX-License-Identifier: GPL-2.0 */
/* The guest name of a VM, from its VMM's command line (ket_guest.c). */
#ifndef KET_GUEST_H
#define KET_GUEST_H

#include <stddef.h>

/* Room for a guest name: QEMU's are up to 255 bytes, most far shorter. */
#define KET_GUEST_SIZE 256

/*
 * Process @pid's guest name (QEMU's -name, else the process name) into
 * @out of @size bytes, valid UTF-8 without control characters, cut at a
 * character; "" if the process is gone or @pid is 0.
 */
void ket_guest_name(int pid, char *out, size_t size);

#endif
