/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal, for top (ket_term.c): taken only in the foreground,
 * given back on every way out.
 */
#ifndef KET_TERM_H
#define KET_TERM_H

/* Handlers for the signals not ignored at start, and atexit. */
void ket_term_init(void);
/* Raw input, the alternate screen: if stdin and stdout are the
 * terminal and this process is in its foreground process group. */
void ket_term_take(void);
void ket_term_give_back(void);
int ket_term_held(void);
/* The terminal's size now, if held (a resize shows at the next redraw). */
int ket_term_size(unsigned int *rows, unsigned int *cols);
/* Waits @ms, less if q is typed or the terminal hangs up: whether to quit. */
int ket_term_wait(int ms);

#endif
