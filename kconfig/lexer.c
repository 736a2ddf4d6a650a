/*
 * lexer.c - tokens of the Kconfig language.
 *
 * Who calls it: parser.c, one token at a time (kc_lex_next), plus
 * kc_lex_help() right after "help" and kc_lex_push() for "source".
 *
 * The rules are those of the kernel's scripts/kconfig/lexer.l (6.1 and
 * 6.12), written out by hand; where flex picks the longest match, so does
 * this code.  The points that make the result observable:
 *
 *   - Keywords are reserved everywhere: "config" is a keyword, "configX" a
 *     word.  A word is [A-Za-z0-9_-]+.  A word containing '$' is expanded
 *     by the preprocessor as one token (spaces inside the expansion stay
 *     inside the token); when it expands to "", there is no token at all.
 *   - Quoted strings ('...' or "...") take backslash escapes; "$(...)"
 *     inside them is expanded and not re-lexed.  A string left open ends
 *     at the end of its line, with a warning, as in conf.
 *   - "NAME = value", ":=", "+=" at the start of a statement make the rest
 *     of the line one ASSIGN_VAL token, trailing blanks and '#' included.
 *   - Help text: the first text line sets the indentation (tabs to the next
 *     multiple of 8); the block ends at the first non-blank line indented
 *     less.  Deeper indentation is kept as spaces, trailing blanks of
 *     each line are dropped, blank lines kept as "\n".
 *   - The end of every file is an end of line (a statement never spans
 *     files), and files nest through "source" like a stack.
 *   - Ends of lines right after an end of line are dropped; the first token
 *     of a statement fixes its file and line (conf's current_pos), which
 *     menus and properties record.
 *
 * Each file is read whole into memory; lines have no length limit.  A NUL
 * byte is a character like flex sees it: ignored (with a warning) between
 * tokens, kept inside a string or help text, where it ends the C string.
 * Workload: ~1,700 files, 6 MB on arm (conf reads all of them for any
 * architecture), tokenised once per context.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- errors ---- */

static void kc_lex_report(struct kc_lexer *lx, enum kconfig_diag_level level,
			  const char *file, int line, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level == KCONFIG_DIAG_ERROR && !lx->nerrors++) {
		if (file)
			kc_error(lx->kc, KCONFIG_EPARSE, "%s:%d: %s", file, line, msg);
		else
			kc_error(lx->kc, KCONFIG_EPARSE, "%s", msg);
	}
	kc_diag(lx->kc, level, file, line, "%s", msg);
}

void kc_lex_error(struct kc_lexer *lx, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_lex_report(lx, KCONFIG_DIAG_ERROR, file, line, fmt, ap);
	va_end(ap);
}

void kc_lex_warn(struct kc_lexer *lx, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_lex_report(lx, KCONFIG_DIAG_WARNING, file, line, fmt, ap);
	va_end(ap);
}

/* A fatal error: parsing stops at the next token. */
static enum kc_token kc_lex_fail(struct kc_lexer *lx, int code)
{
	if (!lx->fatal)
		lx->fatal = code;
	return KC_T_ERROR;
}

/* ---- token text ---- */

static int kc_lex_text_reserve(struct kc_lexer *lx, size_t more)
{
	size_t need = lx->len + more + 1;

	if (need > lx->cap) {
		size_t cap = lx->cap ? lx->cap : 64;
		char *t;

		while (cap < need)
			cap *= 2;
		t = realloc(lx->text, cap);
		if (!t)
			return KCONFIG_ENOMEM;
		lx->text = t;
		lx->cap = cap;
	}
	return 0;
}

static inline int kc_lex_text_append(struct kc_lexer *lx, const char *s, size_t n)
{
	if (lx->len + n + 1 > lx->cap && kc_lex_text_reserve(lx, n))
		return KCONFIG_ENOMEM;
	memcpy(lx->text + lx->len, s, n);
	lx->len += n;
	lx->text[lx->len] = 0;
	return 0;
}

static int kc_lex_text_spaces(struct kc_lexer *lx, int n)
{
	if (kc_lex_text_reserve(lx, (size_t)n))
		return KCONFIG_ENOMEM;
	memset(lx->text + lx->len, ' ', (size_t)n);
	lx->len += (size_t)n;
	lx->text[lx->len] = 0;
	return 0;
}

static int kc_lex_text_set(struct kc_lexer *lx, const char *s, size_t n)
{
	lx->len = 0;
	return kc_lex_text_append(lx, s, n);
}

static enum kc_token kc_lex_oom(struct kc_lexer *lx)
{
	kc_error(lx->kc, KCONFIG_ENOMEM, "out of memory");
	return kc_lex_fail(lx, KCONFIG_ENOMEM);
}

/* ---- files ---- */

static const char *kc_file_append(struct kconfig *kc, const char *name)
{
	if (kc->nfiles == kc->files_cap) {
		size_t cap = kc->files_cap ? 2 * kc->files_cap : 256;
		const char **n = kc_arena_alloc(&kc->arena, cap * sizeof(*n));

		if (!n)
			return NULL;
		if (kc->nfiles)
			memcpy(n, kc->files, kc->nfiles * sizeof(*n));
		kc->files = n;	/* the old array stays in the arena */
		kc->files_cap = cap;
	}
	const char *copy = kc_arena_strdup(&kc->arena, name);
	if (copy)
		kc->files[kc->nfiles++] = copy;
	return copy;
}

const char *kc_file_lookup(struct kconfig *kc, const char *name)
{
	for (size_t i = 0; i < kc->nfiles; i++)
		if (!strcmp(kc->files[i], name))
			return kc->files[i];
	return kc_file_append(kc, name);
}

/*
 * kc_file_lookup() through an index: ~1,700 files are opened per parse,
 * and a linear search over all of them each time shows in profiles.
 */
static const char *kc_lex_file_lookup(struct kc_lexer *lx, const char *name)
{
	struct kconfig *kc = lx->kc;
	size_t mask, i;

	if (2 * (kc->nfiles + 1) >= lx->file_index_cap) {
		size_t cap = lx->file_index_cap ? 2 * lx->file_index_cap : 4096;
		const char **idx;

		while (2 * (kc->nfiles + 1) >= cap)
			cap *= 2;
		idx = calloc(cap, sizeof(*idx));
		if (!idx)
			return NULL;
		for (size_t f = 0; f < kc->nfiles; f++) {
			for (i = kc_strhash(kc->files[f]) & (cap - 1); idx[i]; i = (i + 1) & (cap - 1))
				;
			idx[i] = kc->files[f];
		}
		free(lx->file_index);
		lx->file_index = idx;
		lx->file_index_cap = cap;
	}
	mask = lx->file_index_cap - 1;
	for (i = kc_strhash(name) & mask; lx->file_index[i]; i = (i + 1) & mask)
		if (!strcmp(lx->file_index[i], name))
			return lx->file_index[i];
	const char *copy = kc_file_append(kc, name);
	if (copy)
		lx->file_index[i] = copy;
	return copy;
}

/*
 * Read srctree/name (or name if absolute) whole.  Returns 0, -ENOENT-like
 * KCONFIG_ENOENT when the file cannot be opened, or KCONFIG_ENOMEM.
 * open, fstat, one read of the whole size (and one more to see the end):
 * ~1,700 files per parse, where stdio's buffering took three reads each.
 */
static int kc_lex_read(struct kconfig *kc, const char *name, char **out, size_t *outlen)
{
	const char *srctree = kc->opts.srctree;
	char *path = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap, want;
	int fd;

	*out = NULL;
	if (name[0] != '/' && srctree && srctree[0]) {
		if (asprintf(&path, "%s/%s", srctree, name) < 0)
			return KCONFIG_ENOMEM;
	}
	fd = open(path ? path : name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kc_image_note_file(kc, path ? path : name, NULL);
		free(path);
		return KCONFIG_ENOENT;
	}
	/* room for the whole file, one byte to see its end, and the NUL */
	int sr = fstat(fd, &st);
	want = sr == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
	kc_image_note_file(kc, path ? path : name, sr == 0 ? &st : NULL);
	free(path);
	cap = want ? want + 2 : 16384;
	for (;;) {
		if (cap - len < 2) {
			char *n = realloc(buf, 2 * cap);

			if (!n) {
				free(buf);
				close(fd);
				return KCONFIG_ENOMEM;
			}
			buf = n;
			cap *= 2;
		} else if (!buf) {
			buf = malloc(cap);
			if (!buf) {
				close(fd);
				return KCONFIG_ENOMEM;
			}
		}
		ssize_t got = read(fd, buf + len, cap - len - 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(buf);
			close(fd);
			return KCONFIG_ENOENT;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (want && len == want)
			break;	/* a regular file, read to its size: no read for the end */
	}
	close(fd);
	buf[len] = 0;
	*out = buf;
	*outlen = len;
	return 0;
}

/* Open name as a new innermost file; the caller has checked recursion. */
static int kc_lex_enter(struct kc_lexer *lx, const char *name, int source_lineno)
{
	struct kc_lex_file *f;
	char *buf;
	size_t len;
	int rc = kc_lex_read(lx->kc, name, &buf, &len);

	if (rc)
		return rc;
	f = calloc(1, sizeof(*f));
	name = kc_lex_file_lookup(lx, name);
	if (!f || !name) {
		free(f);
		free(buf);
		return KCONFIG_ENOMEM;
	}
	f->parent = lx->file;
	f->name = name;
	f->buf = buf;
	f->end = buf + len;
	f->p = buf;
	f->lineno = 1;
	f->source_lineno = source_lineno;
	lx->file = f;
	return 0;
}

static void kc_lex_leave(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;

	lx->file = f->parent;
	free(f->buf);
	free(f);
}

int kc_lex_open(struct kc_lexer *lx, struct kconfig *kc, const char *topfile)
{
	int rc;

	memset(lx, 0, sizeof(*lx));
	lx->kc = kc;
	lx->prev = lx->prev_prev = KC_T_EOL;
	rc = kc_lex_enter(lx, topfile, 0);
	if (rc == KCONFIG_ENOENT)
		return kc_error(kc, KCONFIG_ENOENT, "can't find file %s%s%s", topfile,
				kc->opts.srctree ? " in " : "",
				kc->opts.srctree ? kc->opts.srctree : "");
	if (rc == KCONFIG_ENOMEM)
		return kc_error(kc, rc, "out of memory");
	if (rc)
		return rc;
	lx->stmt_file = lx->file->name;
	lx->stmt_line = 1;
	return 0;
}

void kc_lex_close(struct kc_lexer *lx)
{
	while (lx->file)
		kc_lex_leave(lx);
	free(lx->text);
	lx->text = NULL;
	lx->len = lx->cap = 0;
	free(lx->file_index);
	lx->file_index = NULL;
	lx->file_index_cap = 0;
}

/*
 * "source": the name is used as written (relative to srctree), after
 * conf's checks: the file must open, and must not already be open.
 */
int kc_lex_push(struct kc_lexer *lx, const char *name)
{
	const char *curname = lx->stmt_file;
	int curline = lx->stmt_line;
	int rc;

	if (!lx->file) {
		kc_lex_error(lx, curname, curline, "can't open file \"%s\"", name);
		lx->fatal = KCONFIG_EPARSE;
		return KCONFIG_EPARSE;
	}
	for (struct kc_lex_file *f = lx->file; f; f = f->parent) {
		if (strcmp(f->name, name))
			continue;
		/* the chain from the current file up to the earlier inclusion */
		char chain[768];
		size_t n = 0;
		int line = curline;

		chain[0] = 0;
		for (struct kc_lex_file *g = lx->file; g; g = g->parent) {
			n += (size_t)snprintf(chain + n, n < sizeof(chain) ? sizeof(chain) - n : 0,
					      ", included from %s:%d", g->name, line);
			if (n >= sizeof(chain))
				n = sizeof(chain) - 1;
			if (g == f)
				break;
			line = g->source_lineno;
		}
		kc_lex_error(lx, curname, curline,
			     "recursive inclusion detected: %s%s", name, chain);
		lx->fatal = KCONFIG_EPARSE;
		return KCONFIG_EPARSE;
	}
	rc = kc_lex_enter(lx, name, curline);
	if (rc == KCONFIG_ENOENT) {
		kc_lex_error(lx, curname, curline, "can't open file \"%s\"", name);
		rc = KCONFIG_EPARSE;
	} else if (rc == KCONFIG_ENOMEM) {
		kc_error(lx->kc, rc, "out of memory");
	}
	if (rc)
		lx->fatal = rc;
	return rc;
}

/* ---- keywords ---- */

static const char *const kc_token_text[] = {
	[KC_T_EOF] = "end of input",
	[KC_T_ERROR] = "error",
	[KC_T_EOL] = "end of line",
	[KC_T_WORD] = "word",
	[KC_T_WORD_QUOTE] = "string",
	[KC_T_ASSIGN_VAL] = "assigned value",
	[KC_T_HELPTEXT] = "help text",
	[KC_T_BOOL] = "bool",
	[KC_T_CHOICE] = "choice",
	[KC_T_COMMENT] = "comment",
	[KC_T_CONFIG] = "config",
	[KC_T_DEF_BOOL] = "def_bool",
	[KC_T_DEF_TRISTATE] = "def_tristate",
	[KC_T_DEFAULT] = "default",
	[KC_T_DEPENDS] = "depends",
	[KC_T_ENDCHOICE] = "endchoice",
	[KC_T_ENDIF] = "endif",
	[KC_T_ENDMENU] = "endmenu",
	[KC_T_HELP] = "help",
	[KC_T_HEX] = "hex",
	[KC_T_IF] = "if",
	[KC_T_IMPLY] = "imply",
	[KC_T_INT] = "int",
	[KC_T_MAINMENU] = "mainmenu",
	[KC_T_MENU] = "menu",
	[KC_T_MENUCONFIG] = "menuconfig",
	[KC_T_MODULES] = "modules",
	[KC_T_ON] = "on",
	[KC_T_OPTIONAL] = "optional",
	[KC_T_PROMPT] = "prompt",
	[KC_T_RANGE] = "range",
	[KC_T_SELECT] = "select",
	[KC_T_SOURCE] = "source",
	[KC_T_STRING] = "string",
	[KC_T_TRISTATE] = "tristate",
	[KC_T_VISIBLE] = "visible",
	[KC_T_OR] = "'||'",
	[KC_T_AND] = "'&&'",
	[KC_T_EQUAL] = "'='",
	[KC_T_UNEQUAL] = "'!='",
	[KC_T_LESS] = "'<'",
	[KC_T_LESS_EQUAL] = "'<='",
	[KC_T_GREATER] = "'>'",
	[KC_T_GREATER_EQUAL] = "'>='",
	[KC_T_NOT] = "'!'",
	[KC_T_OPEN_PAREN] = "'('",
	[KC_T_CLOSE_PAREN] = "')'",
	[KC_T_COLON_EQUAL] = "':='",
	[KC_T_PLUS_EQUAL] = "'+='",
};

const char *kc_lex_token_name(enum kc_token tok)
{
	if ((size_t)tok < sizeof(kc_token_text) / sizeof(kc_token_text[0]) && kc_token_text[tok])
		return kc_token_text[tok];
	return "token";
}

/*
 * Keywords by first letter, with their lengths (each list ends with an
 * empty entry).  Most words are upper-case symbol names and never reach
 * a comparison; the length settles most of the rest.
 */
struct kc_kw {
	enum kc_token tok;
	const char *text;
	size_t len;
};

#define KC_KW(tok, text) { tok, text, sizeof(text) - 1 }
#define KC_KW_END { KC_T_EOF, NULL, 0 }

static const struct kc_kw kc_kw_b[] = { KC_KW(KC_T_BOOL, "bool"), KC_KW_END };
static const struct kc_kw kc_kw_c[] = { KC_KW(KC_T_CHOICE, "choice"), KC_KW(KC_T_COMMENT, "comment"),
					KC_KW(KC_T_CONFIG, "config"), KC_KW_END };
static const struct kc_kw kc_kw_d[] = { KC_KW(KC_T_DEF_BOOL, "def_bool"),
					KC_KW(KC_T_DEF_TRISTATE, "def_tristate"),
					KC_KW(KC_T_DEFAULT, "default"), KC_KW(KC_T_DEPENDS, "depends"),
					KC_KW_END };
static const struct kc_kw kc_kw_e[] = { KC_KW(KC_T_ENDCHOICE, "endchoice"), KC_KW(KC_T_ENDIF, "endif"),
					KC_KW(KC_T_ENDMENU, "endmenu"), KC_KW_END };
static const struct kc_kw kc_kw_h[] = { KC_KW(KC_T_HELP, "help"), KC_KW(KC_T_HEX, "hex"), KC_KW_END };
static const struct kc_kw kc_kw_i[] = { KC_KW(KC_T_IF, "if"), KC_KW(KC_T_IMPLY, "imply"),
					KC_KW(KC_T_INT, "int"), KC_KW_END };
static const struct kc_kw kc_kw_m[] = { KC_KW(KC_T_MAINMENU, "mainmenu"), KC_KW(KC_T_MENU, "menu"),
					KC_KW(KC_T_MENUCONFIG, "menuconfig"),
					KC_KW(KC_T_MODULES, "modules"), KC_KW_END };
static const struct kc_kw kc_kw_o[] = { KC_KW(KC_T_ON, "on"), KC_KW(KC_T_OPTIONAL, "optional"),
					KC_KW_END };
static const struct kc_kw kc_kw_p[] = { KC_KW(KC_T_PROMPT, "prompt"), KC_KW_END };
static const struct kc_kw kc_kw_r[] = { KC_KW(KC_T_RANGE, "range"), KC_KW_END };
static const struct kc_kw kc_kw_s[] = { KC_KW(KC_T_SELECT, "select"), KC_KW(KC_T_SOURCE, "source"),
					KC_KW(KC_T_STRING, "string"), KC_KW_END };
static const struct kc_kw kc_kw_t[] = { KC_KW(KC_T_TRISTATE, "tristate"), KC_KW_END };
static const struct kc_kw kc_kw_v[] = { KC_KW(KC_T_VISIBLE, "visible"), KC_KW_END };

static const struct kc_kw *const kc_keywords['z' - 'a' + 1] = {
	['b' - 'a'] = kc_kw_b, ['c' - 'a'] = kc_kw_c, ['d' - 'a'] = kc_kw_d,
	['e' - 'a'] = kc_kw_e, ['h' - 'a'] = kc_kw_h, ['i' - 'a'] = kc_kw_i,
	['m' - 'a'] = kc_kw_m, ['o' - 'a'] = kc_kw_o, ['p' - 'a'] = kc_kw_p,
	['r' - 'a'] = kc_kw_r, ['s' - 'a'] = kc_kw_s, ['t' - 'a'] = kc_kw_t,
	['v' - 'a'] = kc_kw_v,
};

static enum kc_token kc_lex_keyword(struct kc_lexer *lx, const char *s, size_t n)
{
	const struct kc_kw *kw;

	if (n == 10 && !memcmp(s, "---help---", 10))
		return KC_T_HELP;	/* trees before 5.8 */
	if (n < 2 || s[0] < 'a' || s[0] > 'z' || !(kw = kc_keywords[s[0] - 'a']))
		return KC_T_WORD;
	for (; kw->text; kw++) {
		if (kw->len != n || memcmp(kw->text, s, n))
			continue;
		if (kw->tok == KC_T_OPTIONAL && lx->kc->dialect != KC_DIALECT_6_1)
			return KC_T_WORD;
		return kw->tok;
	}
	return KC_T_WORD;
}

/* ---- the INITIAL state ---- */

/* The end of p's line: its '\n' or the end of the file. */
static const char *kc_lex_eol(const struct kc_lex_file *f, const char *p)
{
	const char *e = memchr(p, '\n', (size_t)(f->end - p));

	return e ? e : f->end;
}

static void kc_lex_warn_char(struct kc_lexer *lx, char c)
{
	struct kc_lex_file *f = lx->file;

	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		kc_lex_warn(lx, f->name, f->lineno,
			    "ignoring unsupported character '\\x%02x'", (unsigned char)c);
	else
		kc_lex_warn(lx, f->name, f->lineno, "ignoring unsupported character '%c'", c);
}

/* [A-Za-z0-9_-] by table: the lexer's innermost loop */
static const bool kc_word_chars[256] = {
	['-'] = true, ['_'] = true,
	['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true,
	['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
	['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true,
	['F'] = true, ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true,
	['K'] = true, ['L'] = true, ['M'] = true, ['N'] = true, ['O'] = true,
	['P'] = true, ['Q'] = true, ['R'] = true, ['S'] = true, ['T'] = true,
	['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true, ['Y'] = true,
	['Z'] = true,
	['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true,
	['f'] = true, ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true,
	['k'] = true, ['l'] = true, ['m'] = true, ['n'] = true, ['o'] = true,
	['p'] = true, ['q'] = true, ['r'] = true, ['s'] = true, ['t'] = true,
	['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true, ['y'] = true,
	['z'] = true,
};

static inline bool kc_is_word_char(char c)
{
	return kc_word_chars[(unsigned char)c];
}

/* The rest of the current line, NUL-terminated, malloc'ed (conf expands lines). */
static char *kc_lex_rest_of_line(const char *p)
{
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

static int kc_lex_pp(struct kc_lexer *lx)
{
	if (!lx->kc->pp)
		return kc_pp_new(lx->kc, &lx->kc->pp);
	return 0;
}

/* A word with at least one '$': expanded as one token; "" means no token. */
static enum kc_token kc_lex_dollar_word(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;
	char *line = kc_lex_rest_of_line(f->p);
	const char *s = line;
	char *out = NULL;
	int rc;

	if (!line)
		return kc_lex_oom(lx);
	rc = kc_lex_pp(lx);
	if (!rc)
		rc = kc_pp_expand_token(lx->kc->pp, &s, f->name, f->lineno, &out);
	if (rc) {
		free(line);
		free(out);
		return kc_lex_fail(lx, rc);
	}
	f->p += s - line;
	free(line);
	rc = kc_lex_text_set(lx, out, strlen(out));
	free(out);
	if (rc)
		return kc_lex_oom(lx);
	return lx->len ? KC_T_WORD : KC_T_EOF;	/* KC_T_EOF here: nothing, go on */
}

static enum kc_token kc_lex_string(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;
	char quote = *f->p++;

	lx->len = 0;
	if (kc_lex_text_reserve(lx, 0))
		return kc_lex_oom(lx);
	lx->text[0] = 0;
	for (;;) {
		const char *p = f->p;
		size_t n = strcspn(p, "$'\"\\\n");

		if (n) {
			if (kc_lex_text_append(lx, p, n))
				return kc_lex_oom(lx);
			f->p += n;
			continue;
		}
		if (p == f->end) {
			kc_lex_warn(lx, f->name, f->lineno, "unterminated string at end of file");
			return KC_T_WORD_QUOTE;
		}
		switch (*p) {
		case '\0':
			if (kc_lex_text_append(lx, p, 1))
				return kc_lex_oom(lx);
			f->p++;
			break;
		case '\n':
			kc_lex_warn(lx, f->name, f->lineno, "multi-line strings not supported");
			return KC_T_WORD_QUOTE;	/* the end of line stays */
		case '\\':
			if (p + 1 < f->end && p[1] != '\n') {
				if (kc_lex_text_append(lx, p + 1, 1))
					return kc_lex_oom(lx);
				f->p += 2;
			} else {
				f->p += 1;
			}
			break;
		case '\'':
		case '"':
			f->p++;
			if (*p == quote)
				return KC_T_WORD_QUOTE;
			if (kc_lex_text_append(lx, p, 1))
				return kc_lex_oom(lx);
			break;
		case '$': {
			char *line = kc_lex_rest_of_line(p + 1);
			const char *s = line;
			char *out = NULL;
			int rc;

			if (!line)
				return kc_lex_oom(lx);
			rc = kc_lex_pp(lx);
			if (!rc)
				rc = kc_pp_expand_dollar(lx->kc->pp, &s, f->name, f->lineno, &out);
			if (rc) {
				free(line);
				free(out);
				return kc_lex_fail(lx, rc);
			}
			f->p = p + 1 + (s - line);
			free(line);
			rc = kc_lex_text_append(lx, out, strlen(out));
			free(out);
			if (rc)
				return kc_lex_oom(lx);
			break;
		}
		}
	}
}

static enum kc_token kc_lex_operator(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;
	const char *p = f->p;
	enum kc_token tok;
	int n = 1;

	switch (p[0]) {
	case '|':
		if (p[1] != '|')
			return KC_T_EOF;
		tok = KC_T_OR, n = 2;
		break;
	case '&':
		if (p[1] != '&')
			return KC_T_EOF;
		tok = KC_T_AND, n = 2;
		break;
	case '=':
		tok = KC_T_EQUAL;
		break;
	case '!':
		if (p[1] == '=')
			tok = KC_T_UNEQUAL, n = 2;
		else
			tok = KC_T_NOT;
		break;
	case '<':
		if (p[1] == '=')
			tok = KC_T_LESS_EQUAL, n = 2;
		else
			tok = KC_T_LESS;
		break;
	case '>':
		if (p[1] == '=')
			tok = KC_T_GREATER_EQUAL, n = 2;
		else
			tok = KC_T_GREATER;
		break;
	case '(':
		tok = KC_T_OPEN_PAREN;
		break;
	case ')':
		tok = KC_T_CLOSE_PAREN;
		break;
	case ':':
		if (p[1] != '=')
			return KC_T_EOF;
		tok = KC_T_COLON_EQUAL, n = 2;
		break;
	case '+':
		if (p[1] != '=')
			return KC_T_EOF;
		tok = KC_T_PLUS_EQUAL, n = 2;
		break;
	default:
		return KC_T_EOF;
	}
	f->p += n;
	return tok;
}

/* End of the innermost file: an end of line, then the parent goes on. */
static enum kc_token kc_lex_end_of_file(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;

	if (lx->prev != KC_T_EOL && lx->prev != KC_T_HELPTEXT)
		kc_lex_warn(lx, f->name, f->lineno, "no new line at end of file");
	kc_lex_leave(lx);
	return KC_T_EOL;
}

static enum kc_token kc_lex_initial(struct kc_lexer *lx)
{
	for (;;) {
		struct kc_lex_file *f = lx->file;
		const char *p;
		enum kc_token tok;

		if (!f)
			return KC_T_EOF;
		for (p = f->p; *p == ' ' || *p == '\t'; p++)
			;
		f->p = p;
		lx->tok_file = f->name;
		lx->tok_line = f->lineno;
		switch (*p) {
		case '\0':
			if (p == f->end)
				return kc_lex_end_of_file(lx);
			break;
		case '#':
			f->p = kc_lex_eol(f, p);
			continue;
		case '\\':
			if (p[1] == '\n') {
				f->p = p + 2;
				f->lineno++;
				continue;
			}
			break;
		case '\n':
			f->p = p + 1;
			f->lineno++;
			return KC_T_EOL;
		case '"':
		case '\'':
			return kc_lex_string(lx);
		default:
			break;
		}
		if (kc_is_word_char(*p) || *p == '$') {
			const char *q = p;

			while (kc_is_word_char(*q))
				q++;
			if (*q != '$') {
				f->p = q;
				tok = kc_lex_keyword(lx, p, (size_t)(q - p));
				if (tok == KC_T_WORD && kc_lex_text_set(lx, p, (size_t)(q - p)))
					return kc_lex_oom(lx);
				return tok;
			}
			tok = kc_lex_dollar_word(lx);
			if (tok == KC_T_EOF)
				continue;	/* expanded to nothing */
			return tok;
		}
		tok = kc_lex_operator(lx);
		if (tok != KC_T_EOF)
			return tok;
		kc_lex_warn_char(lx, *p);
		f->p = p + 1;
	}
}

/* After NAME =: the rest of the line, from its first non-blank character. */
static enum kc_token kc_lex_assign_val(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;
	const char *p;

	if (!f) {
		lx->assign_val = false;
		return KC_T_EOF;
	}
	p = f->p + strspn(f->p, " \t");
	lx->tok_file = f->name;
	lx->tok_line = f->lineno;
	if (*p == '\n') {
		f->p = p + 1;
		f->lineno++;
		lx->assign_val = false;
		return KC_T_EOL;
	}
	if (p == f->end) {
		f->p = p;
		lx->assign_val = false;
		return kc_lex_initial(lx);
	}
	const char *e = kc_lex_eol(f, p);
	f->p = e;
	if (kc_lex_text_set(lx, p, (size_t)(e - p)))
		return kc_lex_oom(lx);
	return KC_T_ASSIGN_VAL;
}

/* conf's yylex(): drop repeated ends of line, track the statement position. */
static enum kc_token kc_lex_track(struct kc_lexer *lx, enum kc_token tok)
{
	if ((lx->prev == KC_T_EOL || lx->prev == KC_T_HELPTEXT) && tok != KC_T_EOL &&
	    lx->file) {
		lx->stmt_file = lx->file->name;
		lx->stmt_line = tok == KC_T_HELPTEXT ? lx->file->lineno : lx->tok_line;
	}
	if (lx->prev_prev == KC_T_EOL && lx->prev == KC_T_WORD &&
	    (tok == KC_T_EQUAL || tok == KC_T_COLON_EQUAL || tok == KC_T_PLUS_EQUAL))
		lx->assign_val = true;
	lx->prev_prev = lx->prev;
	lx->prev = tok;
	return tok;
}

enum kc_token kc_lex_next(struct kc_lexer *lx)
{
	enum kc_token tok;

	if (lx->fatal)
		return KC_T_ERROR;
	do {
		tok = lx->assign_val ? kc_lex_assign_val(lx) : kc_lex_initial(lx);
	} while (tok == KC_T_EOL && (lx->prev == KC_T_EOL || lx->prev == KC_T_HELPTEXT));
	if (tok == KC_T_ERROR)
		return tok;
	return kc_lex_track(lx, tok);
}

/* ---- the HELP state ---- */

static bool kc_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Called right after "help" and its end of line.  Reads lines until one
 * that is not blank and indented less than the first text line, or the
 * end of the file (which stays for the next token).
 */
enum kc_token kc_lex_help(struct kc_lexer *lx)
{
	struct kc_lex_file *f = lx->file;
	int first_ts = 0, last_ts = 0;

	lx->len = 0;
	if (kc_lex_text_reserve(lx, 0))
		return kc_lex_oom(lx);
	lx->text[0] = 0;
	while (f) {
		const char *p = f->p;
		size_t w = 0;

		while (kc_is_blank(p[w]))
			w++;

		if (p + w < f->end && p[w] == '\n') {
			const char *next = p + w + 1;

			f->p = next;
			f->lineno++;
			if (next < f->end && !kc_is_blank(*next) && *next != '\n')
				break;	/* the next line starts in column 0 */
			if (kc_lex_text_append(lx, "\n", 1))
				return kc_lex_oom(lx);
			continue;
		}
		if (w) {
			int ts = 0;

			for (size_t i = 0; i < w; i++)
				ts = p[i] == '\t' ? (ts & ~7) + 8 : ts + 1;
			last_ts = ts;
			f->p = p + w;
			if (first_ts) {
				if (ts < first_ts)
					break;
				if (kc_lex_text_spaces(lx, ts - first_ts))
					return kc_lex_oom(lx);
			}
			continue;
		}
		if (p == f->end)
			break;
		const char *e = kc_lex_eol(f, p);
		size_t n = (size_t)(e - p);

		while (n > 1 && kc_is_blank(p[n - 1]))
			n--;
		if (kc_lex_text_append(lx, p, n))
			return kc_lex_oom(lx);
		if (!first_ts)
			first_ts = last_ts;
		f->p = e;
	}
	return kc_lex_track(lx, KC_T_HELPTEXT);
}
