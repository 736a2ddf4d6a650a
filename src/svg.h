/*
 * svg.h - the arithmetic of kmin's small SVG charts (used by report.c).
 *
 * A chart maps data values onto pixels along an axis whose ends and tick
 * marks are "nice" numbers (1, 2 or 5 times a power of ten), the way a
 * person would draw the axis by hand.  Nothing here writes SVG: it is the
 * part of a chart that can be wrong in subtle ways (no points, one point,
 * all points equal, huge ranges), kept apart so it can be tested alone.
 */
#ifndef KMIN_SVG_H
#define KMIN_SVG_H

#include <stddef.h>
#include <stdint.h>

/* An axis from lo to hi (lo < hi always) with a tick every step. */
struct kmin_svg_axis {
	double lo, hi;
	double step;		/* > 0; lo and hi are multiples of it */
};

/*
 * The axis for values in [min, max] with about `ticks` (>= 1) intervals.
 * min > max (no data) gives 0..1; min == max gives an interval around the
 * value.  integer: steps of at least 1 (build numbers).
 */
void kmin_svg_axis_fit(struct kmin_svg_axis *a, double min, double max, int ticks, int integer);

/* v on the axis mapped linearly to [p0, p1] (p1 < p0 for a y axis going up). */
double kmin_svg_map(const struct kmin_svg_axis *a, double v, double p0, double p1);

/* Number of ticks from lo to hi inclusive. */
int kmin_svg_axis_nticks(const struct kmin_svg_axis *a);

/*
 * A byte count for people: "283,948" (grouped), or with short = 1 the
 * axis form "284K", "1.5M", "950".  Negative values get a '-'.
 */
void kmin_svg_format_bytes(int64_t v, int short_form, char *buf, size_t len);

#endif
