/*
 * json.h - a small streaming JSON writer for the commands' --format json.
 *
 * Output is compact but stable (keys in the order written), strings are
 * escaped per RFC 8259 and always valid UTF-8 (a byte that starts no
 * valid sequence is written as U+FFFD).  The writer tracks nesting to place commas; it
 * writes to a FILE and never fails short of the FILE's own errors.
 */
#ifndef KMIN_JSON_H
#define KMIN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct kmin_json {
	FILE *out;
	int depth;
	bool first[64];		/* per level: nothing written yet */
	bool after_key;		/* a key was written; its value comes next */
};

void kmin_json_init(struct kmin_json *j, FILE *out);
void kmin_json_begin_object(struct kmin_json *j);
void kmin_json_end_object(struct kmin_json *j);
void kmin_json_begin_array(struct kmin_json *j);
void kmin_json_end_array(struct kmin_json *j);
void kmin_json_key(struct kmin_json *j, const char *key);
void kmin_json_string(struct kmin_json *j, const char *s);	/* NULL writes null */
void kmin_json_int(struct kmin_json *j, long long v);
void kmin_json_double(struct kmin_json *j, double v);
void kmin_json_bool(struct kmin_json *j, bool v);
void kmin_json_null(struct kmin_json *j);
/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there
 * are not one (overlong forms, surrogates and values above U+10FFFF are
 * invalid).  s must be NUL-terminated: a NUL ends every sequence.
 */
size_t kmin_utf8_len(const unsigned char *s);

/* Write a JSON string literal for s to out (no state). */
void kmin_json_write_string(FILE *out, const char *s);

#endif
