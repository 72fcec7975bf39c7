// SPDX-License-Identifier: GPL-2.0
/*
 * Recordings are parsed with json-c, strictly (no comments, no trailing
 * commas; json-c still takes NaN and Infinity, which the range checks
 * refuse); what a line must hold is checked here, field by field and
 * range by range, against the format 'record' writes (kvm-exit-timing.1,
 * "RECORDINGS").  Blank lines are skipped, so that a file cut and joined
 * by hand still reads; so are lines that are not JSON, which only a
 * write cut short (a full disk) leaves, with a warning.  The intervals
 * are put in time order, as a recording appended to by runs in turn is.
 */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ket_record.h"
#include "ket_recording.h"

/* Member @key of @o if of @type, else NULL. */
static struct json_object *member(struct json_object *o, const char *key,
				  enum json_type type)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, type))
		return NULL;
	return m;
}

/* An integer in [0, KET_REC_MAX_COUNT]: whether @m is one. */
static int count_of(struct json_object *m, uint64_t *v)
{
	if (!json_object_is_type(m, json_type_int) ||
	    json_object_get_int64(m) < 0 ||
	    json_object_get_uint64(m) > KET_REC_MAX_COUNT)
		return 0;
	*v = json_object_get_uint64(m);
	return 1;
}

static int member_count(struct json_object *o, const char *key, uint64_t *v)
{
	struct json_object *m;

	return json_object_object_get_ex(o, key, &m) && count_of(m, v);
}

/* A finite number in [@min, @max] into @v: whether @key is one. */
static int member_num(struct json_object *o, const char *key, double min,
		      double max, double *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    (!json_object_is_type(m, json_type_double) &&
	     !json_object_is_type(m, json_type_int)))
		return 0;
	*v = json_object_get_double(m);
	return isfinite(*v) && *v >= min && *v <= max;
}

/* "hist": [[bucket, count], ...], buckets ascending; whether so. */
static int read_hist(struct json_object *o, uint64_t *hist)
{
	struct json_object *h = member(o, "hist", json_type_array), *p, *b;
	int64_t last = -1;
	uint64_t n;
	size_t i;

	if (!h)
		return 0;
	for (i = 0; i < json_object_array_length(h); i++) {
		p = json_object_array_get_idx(h, i);
		if (!json_object_is_type(p, json_type_array) ||
		    json_object_array_length(p) != 2)
			return 0;
		b = json_object_array_get_idx(p, 0);
		if (!json_object_is_type(b, json_type_int) ||
		    json_object_get_int64(b) <= last ||
		    json_object_get_int64(b) >= KET_BUCKETS ||
		    !count_of(json_object_array_get_idx(p, 1), &n))
			return 0;
		last = json_object_get_int64(b);
		hist[last] = n;
	}
	return 1;
}

static const char *read_row(struct json_object *o, struct ket_rec_row *r)
{
	struct json_object *name = member(o, "name", json_type_string);
	struct json_object *kind = member(o, "kind", json_type_string);

	memset(r, 0, sizeof(*r));
	if (!name || !json_object_get_string_len(name))
		return "a row without a name";
	if (json_object_get_string_len(name) >= KET_NAME_SIZE)
		return "a row name too long";
	strcpy(r->name, json_object_get_string(name));
	if (!kind || (strcmp(json_object_get_string(kind), "class") &&
		      strcmp(json_object_get_string(kind), "reason")))
		return "a row of no kind";
	r->is_class = !strcmp(json_object_get_string(kind), "class");
	if (!member_count(o, "count", &r->count) || !r->count ||
	    !member_count(o, "time_ns", &r->time))
		return "a row without its count or time_ns";
	if (!read_hist(o, r->hist))
		return "a row with a bad hist";
	return NULL;
}

/* Line @o into @iv; NULL, or what is wrong with it. */
static const char *read_interval(struct json_object *o,
				 struct ket_rec_interval *iv)
{
	struct json_object *rows, *guest;
	uint64_t version;
	const char *why;
	size_t i;

	if (!json_object_is_type(o, json_type_object))
		return "not a JSON object";
	if (!member_count(o, "version", &version))
		return "no version";
	if (version != KET_RECORD_VERSION)
		return "a version this tool does not read";
	if (!member_num(o, "time", 0, KET_REC_MAX_TIME, &iv->end))
		return "no time, or one out of range";
	if (!member_num(o, "interval_s", KET_REC_MIN_INTERVAL,
			KET_REC_MAX_INTERVAL, &iv->secs))
		return "no interval_s, or one out of range";
	guest = member(o, "guest", json_type_object);
	if (!guest || !member_count(guest, "time_ns", &iv->guest_time))
		return "no guest time";
	rows = member(o, "rows", json_type_array);
	if (!rows)
		return "no rows";
	iv->rows = calloc(json_object_array_length(rows) + 1,
			  sizeof(*iv->rows));
	if (!iv->rows)
		return "out of memory";
	for (i = 0; i < json_object_array_length(rows); i++) {
		why = read_row(json_object_array_get_idx(rows, i),
			       &iv->rows[iv->nr_rows]);
		if (why)
			return why;
		iv->nr_rows++;
	}
	return NULL;
}

/* Appends @s to @out (of @size), whole UTF-8 characters only. */
static void title_add(char *out, size_t size, const char *s)
{
	size_t n = strlen(out), m = strlen(s);

	if (n + m >= size) {
		m = size - n - 1;
		/* Not inside a character: back to a lead byte. */
		while (m && ((unsigned char)s[m] & 0xc0) == 0x80)
			m--;
	}
	memcpy(out + n, s, m);
	out[n + m] = 0;
}

static void scope_title(struct json_object *o, char *out, size_t size)
{
	struct json_object *s = member(o, "scope", json_type_object), *m;
	char vcpu[32];

	snprintf(out, size, "host");
	if (!s)
		return;
	m = member(s, "vm", json_type_string);
	if (!m) {
		m = member(s, "kind", json_type_string);
		if (m) {
			out[0] = 0;
			title_add(out, size, json_object_get_string(m));
		}
		return;
	}
	snprintf(out, size, "VM ");
	title_add(out, size, json_object_get_string(m));
	m = member(s, "guest", json_type_string);
	if (m) {
		title_add(out, size, " (");
		title_add(out, size, json_object_get_string(m));
		title_add(out, size, ")");
	}
	m = member(s, "vcpu", json_type_int);
	if (m) {
		snprintf(vcpu, sizeof(vcpu), " vCPU %lld",
			 (long long)json_object_get_int64(m));
		title_add(out, size, vcpu);
	}
}

static int add_interval(struct ket_recording *r)
{
	struct ket_rec_interval *iv;
	unsigned int cap;

	if (r->nr < r->cap)
		return 0;
	cap = r->cap ? 2 * r->cap : 64;
	iv = realloc(r->iv, cap * sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	r->iv = iv;
	r->cap = cap;
	return 0;
}

/* By end time, then by line: the file's order where times agree. */
static int by_end(const void *a, const void *b)
{
	const struct ket_rec_interval *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Line @buf (@len bytes): parsed into @r, or why not. */
static const char *read_line(struct json_tokener *tok, const char *buf,
			     size_t len, unsigned long line,
			     struct ket_recording *r)
{
	struct json_object *o;
	const char *why;
	size_t end;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!o || end + strspn(buf + end, " \t\r\n") != len) {
		/* Not JSON: a torn line. */
		json_object_put(o);
		if (!r->skipped++)
			r->first_skipped = line;
		return NULL;
	}
	if (add_interval(r)) {
		json_object_put(o);
		return "out of memory";
	}
	if (!r->nr)
		scope_title(o, r->scope, sizeof(r->scope));
	memset(&r->iv[r->nr], 0, sizeof(r->iv[r->nr]));
	r->iv[r->nr].line = line;
	/* Counted even if bad: ket_recording_free() frees its rows. */
	why = read_interval(o, &r->iv[r->nr++]);
	json_object_put(o);
	return why;
}

int ket_recording_read(FILE *f, struct ket_recording *r, char *err,
		       size_t esz)
{
	struct json_tokener *tok = json_tokener_new();
	unsigned long line = 0;
	const char *why = NULL;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t len;

	memset(r, 0, sizeof(*r));
	if (!tok) {
		snprintf(err, esz, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	while (!why && (len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (strspn(buf, " \t\r\n") != (size_t)len)
			why = read_line(tok, buf, len, line, r);
	}
	free(buf);
	json_tokener_free(tok);
	if (!why && !ferror(f) && r->nr) {
		qsort(r->iv, r->nr, sizeof(*r->iv), by_end);
		return 0;
	}
	if (why)
		snprintf(err, esz, "recording line %lu: %s", line, why);
	else if (ferror(f))
		snprintf(err, esz, "read error: %s", strerror(errno));
	else
		snprintf(err, esz, "no interval in the recording");
	ket_recording_free(r);
	return -1;
}

void ket_recording_free(struct ket_recording *r)
{
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		free(r->iv[i].rows);
	free(r->iv);
	memset(r, 0, sizeof(*r));
}
