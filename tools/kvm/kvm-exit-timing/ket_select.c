// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ket_calc.h"
#include "ket_select.h"

int ket_vm_matches(const struct ket_vm_info *vm, const char *sel)
{
	char *end;
	long v;

	if (!strncmp(sel, "id:", 3))
		return vm->id && strtoull(sel + 3, NULL, 10) == vm->id;
	if (!strcmp(sel, vm->name) || (vm->guest[0] && !strcmp(sel, vm->guest)))
		return 1;
	v = strtol(sel, &end, 10);
	return !*end && v == vm->pid;
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

const char *ket_select_unmatched(const struct ket_selector *how,
				 const struct ket_vm_info *vms,
				 unsigned int nr)
{
	unsigned int i, j;

	for (i = 0; i < how->nr_vm; i++) {
		for (j = 0; j < nr && !ket_vm_matches(&vms[j], how->vm[i]); j++)
			;
		if (j == nr)
			return how->vm[i];
	}
	return NULL;
}

void ket_selection_free(struct ket_selection *sel)
{
	unsigned int i;

	for (i = 0; i < sel->nr; i++) {
		close(sel->scopes[i].fd);
		ket_stats_free(&sel->scopes[i].s);
	}
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
	sc->fd = fd;
	ret = ket_read_stats(fd, &sc->s, err, esz);
	if (ret) {
		close(fd);
		return ret;
	}
	snprintf(sc->vm, sizeof(sc->vm), "%s", vm->name);
	sc->info = vm;
	sc->l.scope = vcpu < 0 ? "vm" : "vcpu";
	sc->l.vm = sc->vm;
	sc->l.pid = vm->pid;
	sc->l.guest = vm->guest;
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

	if (how->vcpu >= 0) {
		for (j = 0; j < vm->nr_vcpus; j++)
			if (vm->vcpu_ids[j] == (uint32_t)how->vcpu)
				return ket_select_add(sel, vm, how->vcpu, err,
						      esz);
		snprintf(err, esz, "VM %s has no vCPU %d", vm->name,
			 how->vcpu);
		return -ENOENT;
	}
	if (!per_vcpu)
		return ket_select_add(sel, vm, -1, err, esz);
	for (j = 0; j < vm->nr_vcpus && !ret; j++)
		ret = ket_select_add(sel, vm, vm->vcpu_ids[j], err, esz);
	return ret;
}

int ket_select(struct ket_selection *sel, const struct ket_selector *how,
	       int per_vcpu, char *err, size_t esz)
{
	const char *none;
	unsigned int i;
	int ret;

	ret = ket_select_vms(sel, err, esz);
	if (ret)
		return ret;
	none = ket_select_unmatched(how, sel->vms, sel->nr_vms);
	if (none) {
		snprintf(err, esz, "no such VM: %s", none);
		return -ENOENT;
	}
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
	struct ket_selection *s = sel;
	unsigned int i, n = 0;

	memset(m, 0, sizeof(*m));
	memset(l, 0, sizeof(*l));
	l->scope = "host";
	l->vcpu = -1;
	free(s->names);
	s->names = calloc(sel->nr + 1, sizeof(*s->names));
	for (i = 0; s->names && i < sel->nr; i++) {
		if (ket_scope_merge(m, &sel->scopes[i].s))
			break;
		/* A VM's scopes are added one after the other. */
		if (!i || sel->scopes[i].info != sel->scopes[i - 1].info)
			s->names[n++] = sel->scopes[i].vm;
	}
	if (!s->names || i < sel->nr) {
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
	l->vms = s->names;
	l->nr_vms = n;
	return 0;
}
