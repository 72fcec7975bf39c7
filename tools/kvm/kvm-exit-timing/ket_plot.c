// SPDX-License-Identifier: GPL-2.0
/*
 * The picture, SVG 1.1, drawn to be read without the tool:
 *
 * - time runs across, in seconds from the recording's start; each
 *   interval is a column as wide as it lasted, so that a gap (two runs
 *   appended to one file) shows as one.  A recording of more intervals
 *   than KET_PLOT_MAX_COLS has them summed, k consecutive ones to a
 *   column, into at most that many columns.
 * - each heat map has the log2 latency buckets up, from the lowest to
 *   the highest any map uses (one scale for all), labelled at the
 *   bucket bounds in the units of the tables; a cell's colour is its
 *   rate (exits per second of its column, so that columns of different
 *   lengths compare), on a log scale from the lowest to the highest
 *   cell of any map.
 * - the time-share chart stacks, per column, each map's share of the
 *   handling time of all of them.
 *
 * Every cell carries its figures (data-count, data-interval,
 * data-intervals, data-bucket) and a tooltip, so that a test, or a
 * reader with a browser, can check it against the recording.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ket_calc.h"
#include "ket_plot.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KET_PLOT_MAX_COLS 360
#define KET_PLOT_MIN_BUCKETS 6

/* Geometry, in px. */
#define P_WIDTH 960
#define P_LEFT 80	/* the latency labels */
#define P_PLOT 720	/* the maps' width */
#define P_TOP 56	/* the title */
#define P_HEAD 18	/* a map's heading */
#define P_AXIS 30	/* the time labels under a map */
#define P_SHARE 150	/* the time-share chart */

struct series {
	const char *name;
	int is_class;
	uint64_t count, time;
	uint64_t col_time;		/* in the column being drawn */
};

struct column {
	unsigned int first, nr;		/* its intervals */
	double x0, x1;
	double secs;			/* their length */
};

struct plot {
	FILE *f;
	const struct ket_recording *r;
	struct series *s;
	unsigned int nr_s, more;	/* shown; not shown */
	struct column *c;
	unsigned int nr_c;
	unsigned int bmin, bmax;	/* buckets shown */
	double rmin, rmax;		/* the lowest and highest cell rates */
	double t0, span;		/* the start; seconds covered */
	double cell_h;
};

/* viridis, perceptually uniform and legible in grey. */
static const unsigned char viridis[][3] = {
	{ 0x44, 0x01, 0x54 }, { 0x48, 0x28, 0x78 }, { 0x3e, 0x49, 0x89 },
	{ 0x31, 0x68, 0x8e }, { 0x26, 0x82, 0x8e }, { 0x1f, 0x9e, 0x89 },
	{ 0x35, 0xb7, 0x79 }, { 0x6e, 0xce, 0x58 }, { 0xb5, 0xde, 0x2b },
	{ 0xfd, 0xe7, 0x25 },
};

/* Tableau 10, for the shares. */
static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
};

/*
 * The length of the UTF-8 character at @s, valid as XML 1.0 text, or 0:
 * no overlong form, surrogate, U+FFFE, U+FFFF or code point past
 * U+10FFFF, and no control character but tab, newline and return.
 */
static unsigned int utf8_char(const unsigned char *s)
{
	unsigned int n, i, c;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
		       s[0] == '\r';
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	return n;
}

/* @s as XML text; what is not valid there becomes U+FFFD. */
static void xml_text(FILE *f, const char *s)
{
	unsigned int n;

	for (; *s; s += n ? n : 1) {
		n = utf8_char((const unsigned char *)s);
		if (!n) {
			fputs("\xef\xbf\xbd", f);
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, n, f);
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* The colour of @v in [0, 1]. */
static void colour(char *out, double v)
{
	double p = v * (ARRAY_SIZE(viridis) - 1);
	unsigned int i = (unsigned int)p, k;
	unsigned char c[3];

	if (i >= ARRAY_SIZE(viridis) - 1) {
		i = ARRAY_SIZE(viridis) - 2;
		p = i + 1;
	}
	for (k = 0; k < 3; k++)
		c[k] = (unsigned char)lround(viridis[i][k] +
					     (p - i) * (viridis[i + 1][k] -
							viridis[i][k]));
	sprintf(out, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static double rate_level(const struct plot *p, double rate)
{
	double v;

	if (p->rmax <= p->rmin)
		return 1;
	v = log(rate / p->rmin) / log(p->rmax / p->rmin);
	return isfinite(v) ? fmin(fmax(v, 0), 1) : 1;
}

static const struct ket_rec_row *find(const struct ket_rec_interval *iv,
				      const struct series *s)
{
	unsigned int i;

	for (i = 0; i < iv->nr_rows; i++)
		if (iv->rows[i].is_class == s->is_class &&
		    !strcmp(iv->rows[i].name, s->name))
			return &iv->rows[i];
	return NULL;
}

/*
 * Series @s summed over column @c's intervals into @sum: its histogram
 * and time, saturating (a hand-made recording cannot wrap one).
 */
static void column_sum(const struct plot *p, const struct column *c,
		       const struct series *s, struct ket_rec_row *sum)
{
	const struct ket_rec_row *row;
	unsigned int i, b;

	memset(sum, 0, sizeof(*sum));
	for (i = c->first; i < c->first + c->nr; i++) {
		row = find(&p->r->iv[i], s);
		if (!row)
			continue;
		sum->time = ket_sat_add(sum->time, row->time);
		for (b = 0; b < KET_BUCKETS; b++)
			sum->hist[b] = ket_sat_add(sum->hist[b], row->hist[b]);
	}
}

static double xpos(const struct plot *p, double t)
{
	return P_LEFT + (t - p->t0) / p->span * P_PLOT;
}

static int by_time(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Every row of the kind asked, or the names asked, summed over time. */
static int pick_series(struct plot *p, const struct ket_plot_opts *o,
		       char *err, size_t esz)
{
	const struct ket_recording *r = p->r;
	unsigned int i, j, k, n = 0;
	struct series *s;

	for (i = 0; i < r->nr; i++)
		n += r->iv[i].nr_rows;
	p->s = s = calloc(n + o->nr_names + 1, sizeof(*s));
	if (!s)
		return snprintf(err, esz, "out of memory"), -1;
	for (i = 0; i < r->nr; i++) {
		for (j = 0; j < r->iv[i].nr_rows; j++) {
			const struct ket_rec_row *row = &r->iv[i].rows[j];

			for (k = 0; k < p->nr_s; k++)
				if (s[k].is_class == row->is_class &&
				    !strcmp(s[k].name, row->name))
					break;
			if (k == p->nr_s) {
				s[k].name = row->name;
				s[k].is_class = row->is_class;
				p->nr_s++;
			}
			s[k].count = ket_sat_add(s[k].count, row->count);
			s[k].time = ket_sat_add(s[k].time, row->time);
		}
	}
	if (o->nr_names) {
		/*
		 * The names asked, in their order; of the kind asked
		 * (classes, or with --reasons reasons) before the other.
		 */
		struct series *all = s;

		s = calloc(o->nr_names + 1, sizeof(*s));
		if (!s)
			return snprintf(err, esz, "out of memory"), -1;
		for (i = 0; i < o->nr_names; i++) {
			for (k = 0; k < p->nr_s; k++)
				if (!strcmp(all[k].name, o->names[i]) &&
				    (all[k].is_class == !o->reasons ||
				     !s[i].name))
					s[i] = all[k];
			if (!s[i].name) {
				free(s);
				snprintf(err, esz,
					 "no class or reason %s in the recording",
					 o->names[i]);
				return -1;
			}
		}
		free(all);
		p->s = s;
		p->nr_s = o->nr_names;
		return 0;
	}
	for (i = k = 0; i < p->nr_s; i++)
		if (s[i].is_class == !o->reasons && s[i].count)
			s[k++] = s[i];
	p->nr_s = k;
	if (!k)
		return snprintf(err, esz, "no exits in the recording"), -1;
	qsort(s, k, sizeof(*s), by_time);
	if (k > KET_PLOT_MAX_MAPS) {
		p->more = k - KET_PLOT_MAX_MAPS;
		p->nr_s = KET_PLOT_MAX_MAPS;
	}
	return 0;
}

/* One column per interval, or per k intervals if too many. */
static int make_columns(struct plot *p)
{
	const struct ket_recording *r = p->r;
	unsigned int i, per = (r->nr + KET_PLOT_MAX_COLS - 1) /
			      KET_PLOT_MAX_COLS;
	double end = r->iv[0].end;
	struct column *c = NULL;

	p->t0 = r->iv[0].end - r->iv[0].secs;
	for (i = 0; i < r->nr; i++) {
		if (r->iv[i].end - r->iv[i].secs < p->t0)
			p->t0 = r->iv[i].end - r->iv[i].secs;
		if (r->iv[i].end > end)
			end = r->iv[i].end;
	}
	p->span = end - p->t0 > 0 ? end - p->t0 : 1;
	p->c = calloc(r->nr, sizeof(*p->c));
	if (!p->c)
		return -1;
	for (i = 0; i < r->nr; i++) {
		const struct ket_rec_interval *iv = &r->iv[i];

		if (i % per == 0) {
			c = &p->c[p->nr_c++];
			c->first = i;
			c->x0 = xpos(p, iv->end - iv->secs);
			/*
			 * Times are to the ms: an interval that starts
			 * within a tenth of its length of the last one's end
			 * follows it, with no gap.
			 */
			if (p->nr_c > 1 && fabs(iv->end - iv->secs -
						r->iv[i - 1].end) < iv->secs / 10)
				c->x0 = c[-1].x1;
		}
		c->nr++;
		c->secs += iv->secs;
		c->x1 = xpos(p, iv->end);
		if (c->x1 < c->x0)
			c->x1 = c->x0;
	}
	return 0;
}

static void scan_cells(struct plot *p)
{
	struct ket_rec_row sum;
	unsigned int i, j, b;
	double rate;
	uint64_t n;

	p->bmin = KET_BUCKETS;
	p->bmax = 0;
	for (i = 0; i < p->nr_s; i++) {
		for (j = 0; j < p->nr_c; j++) {
			column_sum(p, &p->c[j], &p->s[i], &sum);
			for (b = 0; b < KET_BUCKETS; b++) {
				n = sum.hist[b];
				if (!n)
					continue;
				if (b < p->bmin)
					p->bmin = b;
				if (b > p->bmax)
					p->bmax = b;
				rate = n / p->c[j].secs;
				if (!p->rmax || rate > p->rmax)
					p->rmax = rate;
				if (!p->rmin || rate < p->rmin)
					p->rmin = rate;
			}
		}
	}
	if (p->bmin > p->bmax)
		p->bmin = p->bmax = 0;
	/* Some room around a narrow distribution, to see it is one. */
	while (p->bmax - p->bmin + 1 < KET_PLOT_MIN_BUCKETS) {
		if (p->bmin > 0)
			p->bmin--;
		if (p->bmax - p->bmin + 1 < KET_PLOT_MIN_BUCKETS &&
		    p->bmax < KET_BUCKETS - 1)
			p->bmax++;
	}
	p->cell_h = 200.0 / (p->bmax - p->bmin + 1);
	if (p->cell_h > 14)
		p->cell_h = 14;
	if (p->cell_h < 6)
		p->cell_h = 6;
}

/* "0s", "45s", "2m", "1m30s", "2h", "1h15m". */
static void human_secs(char *out, size_t size, double secs)
{
	long s = lround(secs);

	if (s < 60 || (s < 600 && s % 60 && secs != (double)s))
		snprintf(out, size, "%gs", secs);
	else if (s < 3600)
		snprintf(out, size, s % 60 ? "%ldm%lds" : "%ldm", s / 60,
			 s % 60);
	else
		snprintf(out, size, s % 3600 ? "%ldh%ldm" : "%ldh", s / 3600,
			 s % 3600 / 60);
}

/* The time ticks and their labels, under a chart whose bottom is @y. */
static void time_axis(const struct plot *p, double y)
{
	static const double steps[] = {
		0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
		1800, 3600, 7200, 10800, 21600, 43200, 86400,
	};
	unsigned int i;
	double step = steps[ARRAY_SIZE(steps) - 1], t;
	char label[32];

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (p->span / steps[i] <= 8) {
			step = steps[i];
			break;
		}
	/* Longer than 8 days: whole days, still at most 8 ticks. */
	if (p->span / step > 8)
		step = 86400 * ceil(p->span / 8 / 86400);
	fprintf(p->f, "<g class=\"time-axis\" font-size=\"10\" text-anchor=\"middle\">\n");
	for (t = 0; t <= p->span + 1e-9; t += step) {
		double x = xpos(p, p->t0 + t);

		human_secs(label, sizeof(label), round(t * 10) / 10);
		fprintf(p->f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#555\"/>",
			x, y, x, y + 4);
		fprintf(p->f, "<text x=\"%.2f\" y=\"%.2f\">%s</text>\n", x,
			y + 15, label);
	}
	fprintf(p->f, "</g>\n");
}

/* The bucket bounds up the left of a map whose top is @y. */
static void latency_axis(const struct plot *p, double y)
{
	unsigned int b, every = p->cell_h >= 11 ? 1 : p->cell_h >= 7 ? 2 : 3;
	double bottom = y + (p->bmax - p->bmin + 1) * p->cell_h;
	char label[32];

	fprintf(p->f, "<g class=\"latency-axis\" font-size=\"10\" text-anchor=\"end\">\n");
	/* Bucket b holds [2^(b-1), 2^b) ns: its lower edge is 2^(b-1). */
	for (b = p->bmin; b <= p->bmax + 1; b++) {
		double yb = bottom - (b - p->bmin) * p->cell_h;

		/* The last bucket is open: no upper bound to label. */
		if ((b - p->bmin) % every || b == KET_BUCKETS)
			continue;
		if (b == 0)
			snprintf(label, sizeof(label), "0ns");
		else
			ket_human_bound(label, sizeof(label), 1ULL << (b - 1));
		fprintf(p->f, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#555\"/>",
			P_LEFT - 4, yb, P_LEFT, yb);
		fprintf(p->f, "<text x=\"%d\" y=\"%.2f\">%s</text>\n",
			P_LEFT - 6, yb + 3.5, label);
	}
	fprintf(p->f, "</g>\n");
}

/* Heat map of series @s, its top at @y; returns the next free y. */
static double heat_map(const struct plot *p, const struct series *s, double y)
{
	unsigned int nb = p->bmax - p->bmin + 1, j, b;
	double h = nb * p->cell_h, avg;
	struct ket_rec_row sum;
	char fill[8], a[16];
	uint64_t n;

	avg = s->count ? (double)s->time / s->count : 0;
	ket_human_ns(a, sizeof(a), avg);
	fprintf(p->f, "<g class=\"heatmap\" data-name=\"");
	xml_text(p->f, s->name);
	fprintf(p->f, "\" data-kind=\"%s\">\n<text x=\"%d\" y=\"%.2f\" font-weight=\"bold\">",
		s->is_class ? "class" : "reason", P_LEFT, y + 12);
	xml_text(p->f, s->name);
	fprintf(p->f, "<tspan dx=\"10\" font-weight=\"normal\">%llu exits, average %s</tspan></text>\n",
		(unsigned long long)s->count, a);
	y += P_HEAD;
	fprintf(p->f, "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"#f2f2f2\"/>\n",
		P_LEFT, y, P_PLOT, h);
	/* Whole pixels: no seam of background between two columns. */
	fprintf(p->f, "<g shape-rendering=\"crispEdges\">\n");
	for (j = 0; j < p->nr_c; j++) {
		const struct column *c = &p->c[j];

		column_sum(p, c, s, &sum);
		for (b = p->bmin; b <= p->bmax; b++) {
			n = sum.hist[b];
			if (!n)
				continue;
			colour(fill, rate_level(p, n / c->secs));
			fprintf(p->f, "<rect class=\"cell\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" data-interval=\"%u\" data-intervals=\"%u\" data-bucket=\"%u\" data-count=\"%llu\"><title>%llu exits, %.4g/s</title></rect>\n",
				c->x0, y + (p->bmax - b) * p->cell_h,
				c->x1 - c->x0, p->cell_h, fill, c->first, c->nr,
				b, (unsigned long long)n,
				(unsigned long long)n, n / c->secs);
		}
	}
	fprintf(p->f, "</g>\n");
	latency_axis(p, y);
	time_axis(p, y + h);
	fprintf(p->f, "</g>\n");
	return y + h + P_AXIS;
}

/* "0.5", "12.3", "456", "7.89k", "1.23M": three significant digits. */
static void human_rate(char *out, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(out, size, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, size, "%.3gk", v / 1e3);
	else
		snprintf(out, size, "%.3g", v);
}

/* The colour scale, right of the first map. */
static void colour_scale(const struct plot *p, double y)
{
	double h = 160, x = P_LEFT + P_PLOT + 24, v;
	unsigned int i, steps = 32;
	char fill[8], label[16];

	fprintf(p->f, "<g class=\"colour-scale\" font-size=\"10\">\n");
	fprintf(p->f, "<text x=\"%.2f\" y=\"%.2f\">exits/s</text>\n", x, y - 6);
	for (i = 0; i < steps; i++) {
		colour(fill, (double)i / (steps - 1));
		fprintf(p->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"14\" height=\"%.2f\" fill=\"%s\"/>\n",
			x, y + h - (i + 1) * h / steps, h / steps + 0.5, fill);
	}
	/* The lowest, the highest, and the geometric middle. */
	for (i = 0; i < 3; i++) {
		v = i == 0 ? p->rmin : i == 2 ? p->rmax :
			     sqrt(p->rmin * p->rmax);
		human_rate(label, sizeof(label), v);
		fprintf(p->f, "<text x=\"%.2f\" y=\"%.2f\">%s</text>\n",
			x + 18, y + h - i * h / 2 + 3.5, label);
	}
	fprintf(p->f, "</g>\n");
}

/* Each series' share of the maps' handling time, per column. */
static double time_share(const struct plot *p, double y)
{
	unsigned int i, j;
	struct ket_rec_row sum;
	double all, top;
	uint64_t t;

	fprintf(p->f, "<g class=\"timeshare\">\n<text x=\"%d\" y=\"%.2f\" font-weight=\"bold\">Share of handling time<tspan dx=\"10\" font-weight=\"normal\">per %s</tspan></text>\n",
		P_LEFT, y + 12, p->s[0].is_class ? "class" : "reason");
	y += P_HEAD;
	fprintf(p->f, "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%d\" fill=\"#f2f2f2\"/>\n",
		P_LEFT, y, P_PLOT, P_SHARE);
	fprintf(p->f, "<g shape-rendering=\"crispEdges\">\n");
	for (j = 0; j < p->nr_c; j++) {
		const struct column *c = &p->c[j];

		/* In double: a sum of a dozen huge times cannot wrap. */
		for (i = 0, all = 0; i < p->nr_s; i++) {
			column_sum(p, c, &p->s[i], &sum);
			p->s[i].col_time = sum.time;
			all += (double)sum.time;
		}
		top = y + P_SHARE;
		for (i = 0; all && i < p->nr_s; i++) {
			t = p->s[i].col_time;
			if (!t)
				continue;
			top -= (double)t / all * P_SHARE;
			fprintf(p->f, "<rect class=\"share\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" data-name=\"",
				c->x0, top, c->x1 - c->x0,
				(double)t / all * P_SHARE,
				palette[i % ARRAY_SIZE(palette)]);
			xml_text(p->f, p->s[i].name);
			fprintf(p->f, "\" data-interval=\"%u\" data-time-ns=\"%llu\"><title>",
				c->first, (unsigned long long)t);
			xml_text(p->f, p->s[i].name);
			fprintf(p->f, " %.1f%%</title></rect>\n",
				100.0 * t / all);
		}
	}
	fprintf(p->f, "</g>\n<g font-size=\"10\" text-anchor=\"end\">\n");
	for (i = 0; i <= 4; i++)
		fprintf(p->f, "<text x=\"%d\" y=\"%.2f\">%u%%</text>\n",
			P_LEFT - 6, y + P_SHARE - i * P_SHARE / 4.0 + 3.5,
			i * 25);
	fprintf(p->f, "</g>\n");
	time_axis(p, y + P_SHARE);
	y += P_SHARE + P_AXIS;
	/* The legend, six to a line. */
	fprintf(p->f, "<g class=\"legend\" font-size=\"11\">\n");
	for (i = 0; i < p->nr_s; i++) {
		double lx = P_LEFT + (i % 6) * 120, ly = y + (i / 6) * 16;

		fprintf(p->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%.2f\" y=\"%.2f\">",
			lx, ly, palette[i % ARRAY_SIZE(palette)],
			lx + 14, ly + 9);
		xml_text(p->f, p->s[i].name);
		fprintf(p->f, "</text>\n");
	}
	fprintf(p->f, "</g>\n</g>\n");
	return y + ((p->nr_s + 5) / 6) * 16 + 8;
}

static void header(const struct plot *p, double height)
{
	const struct ket_recording *r = p->r;
	uint64_t exits = 0, guest = 0, handling = 0;
	char from[64], len[32];
	unsigned int i, j;
	struct tm *tm;
	time_t t0 = (time_t)p->t0;

	for (i = 0; i < r->nr; i++) {
		guest = ket_sat_add(guest, r->iv[i].guest_time);
		for (j = 0; j < r->iv[i].nr_rows; j++) {
			if (!r->iv[i].rows[j].is_class)
				continue;
			exits = ket_sat_add(exits, r->iv[i].rows[j].count);
			handling = ket_sat_add(handling, r->iv[i].rows[j].time);
		}
	}
	tm = localtime(&t0);
	if (!tm || !strftime(from, sizeof(from), "%F %T %Z", tm))
		snprintf(from, sizeof(from), "%.3f", p->t0);
	human_secs(len, sizeof(len), round(p->span * 10) / 10);
	fprintf(p->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(p->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
		P_WIDTH, height, P_WIDTH, height);
	fprintf(p->f, "<title>kvm-exit-timing: exit latency of ");
	xml_text(p->f, r->scope);
	fprintf(p->f, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(p->f, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Exit latency of ",
		P_LEFT);
	xml_text(p->f, r->scope);
	fprintf(p->f, "</text>\n<text x=\"%d\" y=\"40\" fill=\"#444\">from %s, %s in %u intervals: %llu exits, %.1f%% of vCPU time in the guest",
		P_LEFT, from, len, r->nr, (unsigned long long)exits,
		guest || handling ?
			100.0 * guest / ((double)guest + handling) : 0.0);
	if (p->nr_c < r->nr)
		fprintf(p->f, "; intervals summed into %u columns", p->nr_c);
	if (p->more)
		fprintf(p->f, "; %u more not shown", p->more);
	fprintf(p->f, "</text>\n");
}

int ket_plot(FILE *f, const struct ket_recording *r,
	     const struct ket_plot_opts *o, char *err, size_t esz)
{
	struct plot p = { .f = f, .r = r };
	double y, height;
	unsigned int i;
	int ret = -1;

	if (pick_series(&p, o, err, esz))
		goto out;
	if (make_columns(&p)) {
		snprintf(err, esz, "out of memory");
		goto out;
	}
	scan_cells(&p);
	height = P_TOP + p.nr_s * (P_HEAD + (p.bmax - p.bmin + 1) * p.cell_h +
				   P_AXIS) +
		 P_HEAD + P_SHARE + P_AXIS + ((p.nr_s + 5) / 6) * 16 + 8;
	header(&p, height);
	y = P_TOP;
	colour_scale(&p, y + P_HEAD);
	for (i = 0; i < p.nr_s; i++)
		y = heat_map(&p, &p.s[i], y);
	time_share(&p, y);
	fprintf(f, "</svg>\n");
	ret = 0;
out:
	free(p.s);
	free(p.c);
	return ret;
}
