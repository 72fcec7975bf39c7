// SPDX-License-Identifier: GPL-2.0
/*
 * The reason table's common code: the class names, the rows as the
 * architectures' ket_reason_table_init() add them, and the lookup of
 * codes beyond the fast tables.
 */
#include "ket_exits.h"
#include "ket_acct.h"	/* ket_acct_fast_stamp(): the kvm_exit probe's words */

#define C(x) KVM_EXIT_TIMING_##x

const char *const ket_class_names[KVM_EXIT_TIMING_NR_CLASSES] = {
	[C(EMULINST)] = "EMULINST",	[C(ITLBVIRT)] = "ITLBVIRT",
	[C(DTLBVIRT)] = "DTLBVIRT",	[C(ITLBREAL)] = "ITLBREAL",
	[C(DTLBREAL)] = "DTLBREAL",	[C(MMIO)] = "MMIO",
	[C(PIO)] = "PIO",		[C(DEC)] = "DEC",
	[C(EXTINT)] = "EXTINT",		[C(HALT)] = "HALT",
	[C(HCALL)] = "HCALL",		[C(SIGNAL)] = "SIGNAL",
	[C(APIC)] = "APIC",		[C(SPIN)] = "SPIN",
	[C(DEBUG)] = "DEBUG",		[C(FP_UNAVAIL)] = "FP_UNAVAIL",
	[C(EXCEPTION)] = "EXCEPTION",	[C(NESTED)] = "NESTED",
	[C(OTHER)] = "OTHER",		[C(TIMEINGUEST)] = "TIMEINGUEST",
};

void ket_reason_table_start(struct ket_reason_table *t, enum ket_vendor v)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	memset(t->lo, KET_NO_REASON, sizeof(t->lo));
	memset(t->hi, KET_NO_REASON, sizeof(t->hi));
	for (i = 0; i < ARRAY_SIZE(t->stamp); i++)
		t->stamp[i] = KET_STAMP_SLOW;
	t->vendor = v;
}

static bool ket_has_code(const struct ket_reason_table *t, u64 code)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->code[i] == code)
			return true;
	return false;
}

/* Newer tables may list a code twice: the first name is kept. */
void ket_add_reason(struct ket_reason_table *t, u64 code, const char *name,
		    unsigned int cls)
{
	unsigned int i;
	char *p;

	if (ket_has_code(t, code))
		return;
	i = t->nr++;
	t->code[i] = code;
	t->cls[i] = cls;
	/* Table columns are split on white space: "UD excp" -> "UD_excp". */
	strscpy(t->name[i], name, sizeof(t->name[i]));
	for (p = t->name[i]; *p; p++)
		if (*p == ' ')
			*p = '_';
	if (code < 0x100) {
		t->lo[code] = (u8)i;
		t->stamp[code] = ket_acct_fast_stamp(ket_acct_kind(i, t->cls[i]));
	} else if ((code >> 8) == 0x4) {
		t->hi[code & 0xff] = (u8)i;
	}
}

void ket_reason_table_finish(struct ket_reason_table *t)
{
	t->unknown = t->nr;
	t->code[t->unknown] = U64_MAX - 1;
	t->cls[t->unknown] = C(OTHER);
	t->cls[KET_NO_REASON] = KET_RESOLVE_LOOKUP;
	strscpy(t->name[t->unknown], "unknown", sizeof(t->name[0]));
	t->nr++;
}

unsigned int ket_reason_index_slow(const struct ket_reason_table *t, u64 code)
{
	unsigned int i;

	for (i = 0; i < t->unknown; i++)
		if (t->code[i] == code)
			return i;
	return t->unknown;
}
