/*
 * json.c - the streaming JSON writer of json.h.
 */
#include "json.h"

void kmin_json_init(struct kmin_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Comma before a value or key, unless it follows a key or opens a level. */
static void separate(struct kmin_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
}

static void open_level(struct kmin_json *j, int c)
{
	separate(j);
	fputc(c, j->out);
	if (j->depth < 63)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_level(struct kmin_json *j, int c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void kmin_json_begin_object(struct kmin_json *j) { open_level(j, '{'); }
void kmin_json_end_object(struct kmin_json *j) { close_level(j, '}'); }
void kmin_json_begin_array(struct kmin_json *j) { open_level(j, '['); }
void kmin_json_end_array(struct kmin_json *j) { close_level(j, ']'); }

size_t kmin_utf8_len(const unsigned char *s)
{
	unsigned int c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned int lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned int lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
		       (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void kmin_json_write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = kmin_utf8_len(p);

		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else if (!n)
				fputs("\\ufffd", out);
			else
				fwrite(p, 1, n, out);
		}
		p += n ? n : 1;
	}
	fputc('"', out);
}

void kmin_json_key(struct kmin_json *j, const char *key)
{
	separate(j);
	kmin_json_write_string(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void kmin_json_string(struct kmin_json *j, const char *s)
{
	separate(j);
	if (s)
		kmin_json_write_string(j->out, s);
	else
		fputs("null", j->out);
}

void kmin_json_int(struct kmin_json *j, long long v)
{
	separate(j);
	fprintf(j->out, "%lld", v);
}

void kmin_json_double(struct kmin_json *j, double v)
{
	separate(j);
	fprintf(j->out, "%.3f", v);
}

void kmin_json_bool(struct kmin_json *j, bool v)
{
	separate(j);
	fputs(v ? "true" : "false", j->out);
}

void kmin_json_null(struct kmin_json *j)
{
	separate(j);
	fputs("null", j->out);
}
