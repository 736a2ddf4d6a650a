/*
 * svg.c - nice axes and number formats for the report's SVG charts
 * (see svg.h).  Pure arithmetic: no I/O, no allocation, no state.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"


/* The nice step (1, 2, 5 x 10^k) nearest above span / ticks. */
static double nice_step(double span, int ticks, int integer)
{
	double raw = span / (ticks > 0 ? ticks : 1), p = 1;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	/* now p <= raw < 10 p */
	double f = raw / p;
	f = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	if (integer && f * p < 1)
		return 1;
	return f * p;
}

void kmin_svg_axis_fit(struct kmin_svg_axis *a, double min, double max, int ticks, int integer)
{
	if (!(min <= max) || !isfinite(min) || !isfinite(max)) {
		a->lo = 0;
		a->hi = 1;
		a->step = integer ? 1 : 0.2;
		return;
	}
	if (min == max) {
		/* one value, or all equal: an interval around it */
		double pad = min < 0 ? -min * 0.05 : min * 0.05;
		if (pad == 0 || (integer && pad < 1))
			pad = 1;
		min -= pad;
		max += pad;
	}
	a->step = nice_step(max - min, ticks, integer);
	a->lo = floor(min / a->step) * a->step;
	a->hi = ceil(max / a->step) * a->step;
	if (a->hi <= a->lo)
		a->hi = a->lo + a->step;
}

double kmin_svg_map(const struct kmin_svg_axis *a, double v, double p0, double p1)
{
	return p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
}

int kmin_svg_axis_nticks(const struct kmin_svg_axis *a)
{
	return (int)floor((a->hi - a->lo) / a->step + 0.5) + 1;
}

/* u / unit with up to 2 decimals, trailing zeros dropped: "1.5", "284", "59.28". */
static void short_units(unsigned long long u, unsigned long long unit, char *buf, size_t len)
{
	unsigned long long hund = (u * 100 + unit / 2) / unit;	/* hundredths, rounded */

	if (hund % 100 == 0)
		snprintf(buf, len, "%llu", hund / 100);
	else if (hund % 10 == 0)
		snprintf(buf, len, "%llu.%llu", hund / 100, hund / 10 % 10);
	else
		snprintf(buf, len, "%llu.%02llu", hund / 100, hund % 100);
}

void kmin_svg_format_bytes(int64_t v, int short_form, char *buf, size_t len)
{
	char digits[32], out[48];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n, o = 0;

	if (short_form) {
		const char *sign = v < 0 ? "-" : "";
		if (u >= 1000000)
			short_units(u, 1000000, digits, sizeof(digits));
		else if (u >= 1000)
			short_units(u, 1000, digits, sizeof(digits));
		else
			snprintf(digits, sizeof(digits), "%llu", u);
		snprintf(buf, len, "%s%s%s", sign, digits,
			 u >= 1000000 ? "M" : u >= 1000 ? "K" : "");
		return;
	}
	snprintf(digits, sizeof(digits), "%llu", u);
	n = strlen(digits);
	if (v < 0)
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}
