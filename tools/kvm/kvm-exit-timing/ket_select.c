// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ket_calc.h"
#include "ket_select.h"

/* @s is digits only, or digits then one of @seps and digits, and so on. */
static int digits(const char *s, const char *seps)
{
	if (!isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) &&
		    !(strchr(seps, *s) && *seps && isdigit((unsigned char)s[1])))
			return 0;
	return 1;
}

enum ket_sel_kind ket_sel_kind(const char *sel)
{
	if (!strncmp(sel, "id:", 3) && digits(sel + 3, ""))
		return KET_SEL_ID;
	if (digits(sel, ""))
		return KET_SEL_PID;
	/* KVM's "P-F", an exited VM's "P-F.N". */
	if (digits(sel, "-.") && strchr(sel, '-'))
		return KET_SEL_NAME;
	return KET_SEL_GUEST;
}

int ket_vm_matches(const struct ket_vm_info *vm, const char *sel)
{
	switch (ket_sel_kind(sel)) {
	case KET_SEL_ID:
		return vm->id && strtoull(sel + 3, NULL, 10) == vm->id;
	case KET_SEL_PID:
		return strtol(sel, NULL, 10) == vm->pid;
	case KET_SEL_NAME:
		return !strcmp(sel, vm->name);
	default:
		return !vm->exited && !strcmp(sel, ket_vm_guest(vm));
	}
}

int ket_selects(const struct ket_selector *how, const struct ket_vm_info *vm)
{
	unsigned int i;

	if (!how->nr_vm)
		return !vm->exited || how->exited;
	for (i = 0; i < how->nr_vm; i++)
		if (ket_vm_matches(vm, how->vm[i]))
			return 1;
	return 0;
}

int ket_select_check(const struct ket_selector *how,
		     const struct ket_vm_info *vms, unsigned int nr,
		     int running, char *err, size_t esz)
{
	unsigned int i, j, n;

	for (i = 0; i < how->nr_vm; i++) {
		for (j = n = 0; j < nr; j++) {
			const struct ket_vm_info *v = &vms[j];

			if ((running && v->exited) ||
			    !ket_vm_matches(v, how->vm[i]))
				continue;
			n++;
			if (how->vcpu >= 0 && !ket_vm_has_vcpu(v, how->vcpu)) {
				snprintf(err, esz, "VM %s has no vCPU %d",
					 v->name, how->vcpu);
				return -ENOENT;
			}
		}
		if (!n) {
			snprintf(err, esz, "no such VM: %s", how->vm[i]);
			return -ENOENT;
		}
		/* Anyone may name a guest: as kvm_stat -g, one VM or none. */
		if (n > 1 && ket_sel_kind(how->vm[i]) == KET_SEL_GUEST) {
			snprintf(err, esz,
				 "%s names %u VMs: give one's PID-FD name, pid or id:N",
				 how->vm[i], n);
			return -EINVAL;
		}
	}
	return 0;
}

int ket_vm_has_vcpu(const struct ket_vm_info *vm, int vcpu)
{
	unsigned int j;

	for (j = 0; j < vm->nr_vcpus; j++)
		if (vm->vcpu_ids[j] == (uint32_t)vcpu)
			return 1;
	return 0;
}

void ket_selection_free(struct ket_selection *sel)
{
	unsigned int i;

	for (i = 0; i < sel->nr; i++)
		ket_stats_free(&sel->scopes[i].s);
	free(sel->scopes);
	sel->scopes = NULL;
	free(sel->names);
	sel->names = NULL;
	sel->nr = 0;
	ket_source_free_list(sel->vms, sel->nr_vms);
	sel->vms = NULL;
	sel->nr_vms = 0;
	ket_source_close(&sel->src);
	sel->src.dev_fd = -1;
}

int ket_select_vms(struct ket_selection *sel, char *err, size_t esz)
{
	int ret;

	memset(sel, 0, sizeof(*sel));
	ret = ket_source_open(&sel->src, err, esz);
	if (!ret)
		ret = ket_source_list(&sel->src, &sel->vms, &sel->nr_vms, err,
				      esz);
	return ret;
}

int ket_select_add(struct ket_selection *sel, const struct ket_vm_info *vm,
		   int vcpu, char *err, size_t esz)
{
	struct ket_scope *sc, *all;
	int fd, ret;

	fd = ket_source_stats_fd(&sel->src, vm, vcpu, err, esz);
	if (fd < 0)
		return fd;
	all = realloc(sel->scopes, (sel->nr + 1) * sizeof(*all));
	if (!all) {
		close(fd);
		snprintf(err, esz, "out of memory");
		return -ENOMEM;
	}
	sel->scopes = all;
	sc = &all[sel->nr];
	memset(sc, 0, sizeof(*sc));
	/* Read whole, then closed: one fd at a time, however many VMs. */
	ret = ket_read_stats(fd, &sc->s, err, esz);
	close(fd);
	if (ret)
		return ret;
	sc->info = vm;
	sc->l.scope = vcpu < 0 ? "vm" : "vcpu";
	/* Not into @sc: the next scope's realloc() may move it. */
	sc->l.vm = vm->name;
	sc->l.pid = vm->pid;
	sc->l.guest = ket_vm_guest(vm);
	sc->l.vcpu = vcpu;
	sel->nr++;
	return 0;
}

/* The scope(s) of @vm that @how and @per_vcpu select. */
static int select_vm(struct ket_selection *sel, const struct ket_vm_info *vm,
		     const struct ket_selector *how, int per_vcpu, char *err,
		     size_t esz)
{
	unsigned int j;
	int ret = 0;

	if (how->vcpu >= 0)
		return ket_select_add(sel, vm, how->vcpu, err, esz);
	if (!per_vcpu)
		return ket_select_add(sel, vm, -1, err, esz);
	for (j = 0; j < vm->nr_vcpus && !ret; j++)
		ret = ket_select_add(sel, vm, vm->vcpu_ids[j], err, esz);
	return ret;
}

int ket_select(struct ket_selection *sel, const struct ket_selector *how,
	       int per_vcpu, char *err, size_t esz)
{
	unsigned int i;
	int ret;

	ret = ket_select_vms(sel, err, esz);
	if (!ret)
		ret = ket_select_check(how, sel->vms, sel->nr_vms, 0, err, esz);
	if (ret)
		return ret;
	for (i = 0; !ret && i < sel->nr_vms; i++)
		if (ket_selects(how, &sel->vms[i]))
			ret = select_vm(sel, &sel->vms[i], how, per_vcpu, err,
					esz);
	return ret;
}

int ket_select_merged(struct ket_selection *sel,
		      const struct ket_selector *how,
		      struct ket_scope_stats *m, struct ket_label *l,
		      char *err, size_t esz)
{
	unsigned int i, n = 0;

	memset(m, 0, sizeof(*m));
	memset(l, 0, sizeof(*l));
	l->scope = "host";
	l->vcpu = -1;
	free(sel->names);
	sel->names = calloc(sel->nr + 1, sizeof(*sel->names));
	for (i = 0; sel->names && i < sel->nr; i++) {
		if (ket_scope_merge(m, &sel->scopes[i].s))
			break;
		/* A VM's scopes are added one after the other. */
		if (!i || sel->scopes[i].info != sel->scopes[i - 1].info)
			sel->names[n++] = sel->scopes[i].info->name;
	}
	if (!sel->names || i < sel->nr) {
		ket_stats_free(m);
		snprintf(err, esz, "out of memory");
		return -ENOMEM;
	}
	if (!how->nr_vm)
		return 0;
	if (n == 1) {
		*l = sel->scopes[0].l;
		if (sel->nr > 1)
			l->vcpu = -1;
		l->scope = l->vcpu < 0 ? "vm" : "vcpu";
		return 0;
	}
	l->scope = "vms";
	l->vms = sel->names;
	l->nr_vms = n;
	l->vcpu = how->vcpu;
	return 0;
}
