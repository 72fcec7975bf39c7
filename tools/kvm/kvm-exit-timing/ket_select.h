/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which statistics a command reads: the VMs a --vm selector names, and
 * their scopes (a VM, a vCPU, or each vCPU), each read from its own
 * binary stats fd.
 */
#ifndef KET_SELECT_H
#define KET_SELECT_H

#include "ket_output.h"
#include "ket_source.h"

/* One scope read: its values, its labels. */
struct ket_scope {
	struct ket_scope_stats s;
	struct ket_label l;		/* its strings in @info */
	const struct ket_vm_info *info;	/* in the selection's list */
};

struct ket_selection {
	struct ket_source src;
	struct ket_vm_info *vms;
	unsigned int nr_vms;
	struct ket_scope *scopes;
	unsigned int nr;
	const char **names;	/* of the VMs selected, for a label */
};

#define KET_SELECT_MAX 16

/*
 * What to select: the VMs each --vm names, or with none every running
 * VM, with @exited the exited too.
 */
struct ket_selector {
	const char *vm[KET_SELECT_MAX];
	unsigned int nr_vm;
	int vcpu;		/* -1: the whole VM */
	int exited;
};

/*
 * What a --vm names, by its form: id:N; a pid (digits); KVM's PID-FD
 * name (or an exited VM's PID-FD.N); anything else, a running VM's guest
 * name, so that no guest name can pass for another VM's.
 */
enum ket_sel_kind { KET_SEL_ID, KET_SEL_PID, KET_SEL_NAME, KET_SEL_GUEST };
enum ket_sel_kind ket_sel_kind(const char *sel);
/* Does @vm match the --vm selector @sel? */
int ket_vm_matches(const struct ket_vm_info *vm, const char *sel);
int ket_vm_has_vcpu(const struct ket_vm_info *vm, int vcpu);
/* Does @how select @vm? */
int ket_selects(const struct ket_selector *how, const struct ket_vm_info *vm);
/*
 * Whether each --vm of @how names one of @vms (@running: a running one),
 * a guest name one only, each with the vCPU asked: else -ENOENT or
 * -EINVAL, with the reason in @err.
 */
int ket_select_check(const struct ket_selector *how,
		     const struct ket_vm_info *vms, unsigned int nr,
		     int running, char *err, size_t esz);
/* Opens the source and lists its VMs; ket_selection_free() frees. */
int ket_select_vms(struct ket_selection *sel, char *err, size_t esz);
/* Reads the scope of @vm (@vcpu -1: the VM) into the selection. */
int ket_select_add(struct ket_selection *sel, const struct ket_vm_info *vm,
		   int vcpu, char *err, size_t esz);
/*
 * ket_select_vms(), then the scopes @how selects: one per VM (or the one
 * vCPU), or with @per_vcpu one per vCPU of each VM.  A selector that
 * names no VM, or a vCPU the VM lacks, is -ENOENT.
 */
int ket_select(struct ket_selection *sel, const struct ket_selector *how,
	       int per_vcpu, char *err, size_t esz);
/*
 * The selected scopes summed into @m, labelled @l: the host's without
 * --vm, else the VM's (or vCPU's), or "vms" and their names if several.
 */
int ket_select_merged(struct ket_selection *sel,
		      const struct ket_selector *how,
		      struct ket_scope_stats *m, struct ket_label *l,
		      char *err, size_t esz);
void ket_selection_free(struct ket_selection *sel);

#endif
