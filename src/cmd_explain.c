/*
 * cmd_explain.c - `kmin explain SYMBOL`: why a symbol has its value and
 * the smallest set of changes that would turn it on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "kconfig/explain.h"
#include "kconfig/solve.h"
#include "kmin/tree.h"

static const char explain_usage[] =
	"usage: kmin explain SYMBOL --arch ARCH [--source DIR] [--cross-compile P]\n"
	"                    [--config FILE] [--format text|json]\n"
	"\n"
	"Explain a symbol in a configuration (--config FILE, read like\n"
	"olddefconfig; default: the tree's defaults): its type, value and why,\n"
	"prompt, every definition (file:line), its dependencies as a tree with\n"
	"the value of each operand, who selects or implies it, what it selects\n"
	"and implies, its defaults, and the smallest set of changes that would\n"
	"turn it on (or why none exists).\n"
	"\n"
	"exit status: 0 explained; 2 bad usage or unknown symbol.\n";

static const char *type_name(enum kconfig_type t)
{
	switch (t) {
	case KCONFIG_BOOL: return "bool";
	case KCONFIG_TRISTATE: return "tristate";
	case KCONFIG_INT: return "int";
	case KCONFIG_HEX: return "hex";
	case KCONFIG_STRING: return "string";
	default: return "unknown";
	}
}

static const char *tri_name(enum kconfig_tristate t)
{
	return t == KCONFIG_YES ? "y" : t == KCONFIG_MOD ? "m" : "n";
}

static void print_node(const struct kconfig_node *n, int indent)
{
	static const char *const kinds[] = { "", "&&", "||", "!", "" };
	if (!n)
		return;
	printf("%*s", indent, "");
	if (n->kind == KCONFIG_NODE_SYMBOL)
		printf("%s [=%s]\n", n->text, n->value);
	else if (n->kind == KCONFIG_NODE_COMPARE)
		printf("%s [%s]\n", n->text, tri_name(n->tri));
	else
		printf("%s [%s]\n", kinds[n->kind], tri_name(n->tri));
	print_node(n->child[0], indent + 4);
	print_node(n->child[1], indent + 4);
}

static void print_links(const char *title, const struct kconfig_link *v, size_t n)
{
	if (!n)
		return;
	printf("%s:\n", title);
	for (size_t i = 0; i < n; i++)
		printf("    %s [=%s]%s%s -> %s\n", v[i].symbol, v[i].value,
		       v[i].condition ? " if " : "", v[i].condition ? v[i].condition : "",
		       tri_name(v[i].tri));
}

static void print_text(const struct kconfig_explanation *ex, const struct kconfig_solution *sol,
		       const char *why_not)
{
	printf("%s: %s = %s, because %s\n", ex->name, type_name(ex->type), ex->value, ex->reason);
	printf("prompt: %s (visible up to %s)\n", ex->prompt ? ex->prompt : "(none)",
	       tri_name(ex->visible));
	for (size_t i = 0; i < ex->ndefs; i++)
		printf("defined at %s:%d\n", ex->defs[i].file, ex->defs[i].line);
	if (ex->depends) {
		printf("depends on:\n");
		print_node(ex->depends, 4);
	}
	if (ex->prompt_if) {
		printf("prompt visible if:\n");
		print_node(ex->prompt_if, 4);
	}
	for (size_t i = 0; i < ex->ndefaults; i++)
		printf("%s %s\n", i ? "       " : "default", ex->defaults[i]);
	print_links("selected by", ex->selected_by, ex->nselected_by);
	print_links("implied by", ex->implied_by, ex->nimplied_by);
	print_links("selects", ex->selects, ex->nselects);
	print_links("implies", ex->implies, ex->nimplies);
	if (sol) {
		printf("to turn it on, change:%s\n", sol->nchanges ? "" : " nothing (it is on)");
		for (size_t i = 0; i < sol->nchanges; i++)
			if (sol->changes[i].set_by_solver)
				printf("    %s %s -> %s\n", sol->changes[i].symbol, sol->changes[i].from,
				       sol->changes[i].to);
	} else if (why_not) {
		printf("cannot be turned on: %s\n", why_not);
	}
}

static void json_node(struct kmin_json *j, const struct kconfig_node *n)
{
	static const char *const kinds[] = { "symbol", "and", "or", "not", "compare" };
	if (!n) {
		kmin_json_null(j);
		return;
	}
	kmin_json_begin_object(j);
	kmin_json_key(j, "kind");
	kmin_json_string(j, kinds[n->kind]);
	if (n->text) {
		kmin_json_key(j, "text");
		kmin_json_string(j, n->text);
	}
	if (n->value) {
		kmin_json_key(j, "value");
		kmin_json_string(j, n->value);
	}
	kmin_json_key(j, "tristate");
	kmin_json_string(j, tri_name(n->tri));
	if (n->child[0]) {
		kmin_json_key(j, "operands");
		kmin_json_begin_array(j);
		json_node(j, n->child[0]);
		if (n->child[1])
			json_node(j, n->child[1]);
		kmin_json_end_array(j);
	}
	kmin_json_end_object(j);
}

static void json_links(struct kmin_json *j, const char *key, const struct kconfig_link *v,
		       size_t n)
{
	kmin_json_key(j, key);
	kmin_json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		kmin_json_begin_object(j);
		kmin_json_key(j, "symbol");
		kmin_json_string(j, v[i].symbol);
		kmin_json_key(j, "value");
		kmin_json_string(j, v[i].value);
		kmin_json_key(j, "condition");
		kmin_json_string(j, v[i].condition);
		kmin_json_key(j, "effect");
		kmin_json_string(j, tri_name(v[i].tri));
		kmin_json_end_object(j);
	}
	kmin_json_end_array(j);
}

static void print_json(const struct kconfig_explanation *ex, const struct kconfig_solution *sol,
		       const char *why_not)
{
	struct kmin_json j;

	kmin_json_init(&j, stdout);
	kmin_json_begin_object(&j);
	kmin_json_key(&j, "symbol");
	kmin_json_string(&j, ex->name);
	kmin_json_key(&j, "type");
	kmin_json_string(&j, type_name(ex->type));
	kmin_json_key(&j, "value");
	kmin_json_string(&j, ex->value);
	kmin_json_key(&j, "reason");
	kmin_json_string(&j, ex->reason);
	kmin_json_key(&j, "prompt");
	kmin_json_string(&j, ex->prompt);
	kmin_json_key(&j, "visible");
	kmin_json_string(&j, tri_name(ex->visible));
	kmin_json_key(&j, "definitions");
	kmin_json_begin_array(&j);
	for (size_t i = 0; i < ex->ndefs; i++) {
		kmin_json_begin_object(&j);
		kmin_json_key(&j, "file");
		kmin_json_string(&j, ex->defs[i].file);
		kmin_json_key(&j, "line");
		kmin_json_int(&j, ex->defs[i].line);
		kmin_json_end_object(&j);
	}
	kmin_json_end_array(&j);
	kmin_json_key(&j, "depends");
	json_node(&j, ex->depends);
	kmin_json_key(&j, "prompt_if");
	json_node(&j, ex->prompt_if);
	kmin_json_key(&j, "defaults");
	kmin_json_begin_array(&j);
	for (size_t i = 0; i < ex->ndefaults; i++)
		kmin_json_string(&j, ex->defaults[i]);
	kmin_json_end_array(&j);
	json_links(&j, "selected_by", ex->selected_by, ex->nselected_by);
	json_links(&j, "implied_by", ex->implied_by, ex->nimplied_by);
	json_links(&j, "selects", ex->selects, ex->nselects);
	json_links(&j, "implies", ex->implies, ex->nimplies);
	kmin_json_key(&j, "enable");
	if (sol) {
		kmin_json_begin_array(&j);
		for (size_t i = 0; i < sol->nchanges; i++) {
			if (!sol->changes[i].set_by_solver)
				continue;
			kmin_json_begin_object(&j);
			kmin_json_key(&j, "symbol");
			kmin_json_string(&j, sol->changes[i].symbol);
			kmin_json_key(&j, "from");
			kmin_json_string(&j, sol->changes[i].from);
			kmin_json_key(&j, "to");
			kmin_json_string(&j, sol->changes[i].to);
			kmin_json_end_object(&j);
		}
		kmin_json_end_array(&j);
	} else {
		kmin_json_null(&j);
	}
	kmin_json_key(&j, "enable_error");
	kmin_json_string(&j, why_not);
	kmin_json_end_object(&j);
}

static int explain(struct kmin_tree *tree, const char *name, const char *config, bool json)
{
	struct kconfig_explanation *ex = NULL;
	struct kconfig_solution *sol = NULL;
	char err[1024], *why_not = NULL;

	if (kmin_tree_load_base(tree, config ? config : "alldefconfig", err, sizeof(err)))
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	if (kconfig_explain(tree->kc, name, &ex))
		return kmin_errorf("%s", kconfig_errmsg(tree->kc)), KMIN_EXIT_USAGE;
	if (ex->type == KCONFIG_BOOL || ex->type == KCONFIG_TRISTATE) {
		struct kconfig_requirement req = { name, KCONFIG_YES };
		struct kconfig_solve_options so = KCONFIG_SOLVE_OPTIONS_INIT;
		if (kconfig_solve(tree->kc, &req, 1, &so, &sol))
			why_not = strdup(kconfig_errmsg(tree->kc));
	}
	if (json)
		print_json(ex, sol, why_not);
	else
		print_text(ex, sol, why_not);
	free(why_not);
	kconfig_solution_free(sol);
	kconfig_explanation_free(ex);
	return KMIN_EXIT_OK;
}

int kmin_cmd_explain(int argc, char **argv)
{
	enum { OPT_ARCH = 256, OPT_SOURCE, OPT_CROSS, OPT_CONFIG, OPT_FORMAT };
	static const struct option options[] = {
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ NULL, 0, NULL, 0 },
	};
	struct kmin_tree_options topts = { 0 };
	struct kmin_tree *tree = NULL;
	const char *config = NULL;
	bool json = false, quiet = true;
	char err[1024];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH: topts.arch = optarg; break;
		case OPT_SOURCE: topts.source = optarg; break;
		case OPT_CROSS: topts.cross_compile = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				kmin_errorf("--format takes text or json, not '%s'", optarg);
				return KMIN_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': fputs(explain_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(explain_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !topts.arch) {
		fputs(explain_usage, stderr);
		kmin_errorf(!topts.arch ? "explain needs --arch" : "explain takes one SYMBOL");
		return KMIN_EXIT_USAGE;
	}
	topts.diag = kmin_print_diag;
	topts.diag_payload = &quiet;
	if (kmin_tree_open(&tree, &topts, err, sizeof(err))) {
		kmin_errorf("%s", err);
		rc = KMIN_EXIT_USAGE;
	} else {
		rc = explain(tree, argv[optind], config, json);
	}
	kmin_tree_close(tree);
	return rc;
}
