#!/bin/bash
# queries.sh - the query commands of issue 7 on a database made by real
# runs: kmin runs, show, best, diff, export, in every format, and their
# errors.
#
# Two `kmin run`s on the tinykernel fixture (tests/fixtures/tinykernel,
# ~1 s each) fill one database: linear USB,SPI from board_defconfig
# (reaches 59280 dec) and greedy USB,SPI,I2C (larger: I2C must stay).  Then:
#   - runs: table, csv and json list both runs with the contract's fields,
#     final_size equal to the database's, the commit field present;
#   - show: the steps, accept/reject counts equal the steps table's;
#   - best: USB,SPI gives run 1 (the smaller); its size equals the run's
#     final_size; -o writes the config the run stored; SPI,USB in any order
#     and case is the same set; I2C gives run 2; --exact; nothing on x86
#     (exit 1); csv and json;
#   - diff: run 1 vs run 2 lists I2C, size deltas equal the difference of
#     final sizes, sections; one run alone lists the symbols it removed
#     (the accepted moves); file vs sha prefix; csv;
#   - export: row count equals `select count(*) from builds`; json;
#   - errors: a missing run exits 1 naming the id; a file that is not a
#     kmin database and one with user_version 999 are refused with their
#     name and left byte for byte untouched; a missing database path is
#     not created.
#
# Usage: tests/integration/queries.sh [--kmin PATH] [--quick]
# Prints ok/not ok lines and ends with "queries: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init queries "$@"

# sql QUERY: one value from the database, read-only (sqlite3 CLI, else python3's sqlite3).
sql() {
	if command -v sqlite3 >/dev/null; then
		sqlite3 -readonly "$db" "$1"
	else
		python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute(sys.argv[2]).fetchone()[0])" "$db" "$1"
	fi
}
csv_rows() { python3 -c "import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1])))))" "$1"; }

it_fixture_conf

db=$tmp/q.db
trun() { "$kmin" run --source "$tk" --arch arm --jobs 2 --base board_defconfig --db "$db" -q "$@"; }

# run 1 linear: one move per build, so it has rejected and failed builds to
# show (greedy reaches the fixture's optimum in one batch)
trun --strategy linear --require USB,SPI --output "$tmp/r1" >"$tmp/r1.log" 2>&1
rc1=$?
trun --require USB,SPI,I2C --output "$tmp/r2" >"$tmp/r2.log" 2>&1
rc2=$?
check "two runs on the fixture made the database" [ "$rc1$rc2" = 00 ]

# ---- kmin runs ----
"$kmin" runs --db "$db" --format json >"$tmp/runs.json"
check "runs --format json: both runs with every documented field" py "$tmp/runs.json" "
need = {'id','started','finished','status','arch','kernel','commit','requirements','base',
        'strategy','metric','base_size','final_size','builds','cached','started_ms'}
assert len(j) == 2 and all(need <= set(r) for r in j), [sorted(r) for r in j]
assert [r['requirements'] for r in j] == ['USB,SPI', 'USB,SPI,I2C']
assert j[0]['status'] == 'done' and j[0]['final_size'] == 59280 and j[0]['strategy'] == 'linear'
assert j[1]['strategy'] == 'greedy'
assert j[0]['commit'] is None and j[0]['arch'] == 'arm' and j[0]['finished'].endswith('Z')"
check "runs: final_size and builds equal the database's" \
	[ "$(py "$tmp/runs.json" "print([(r['final_size'], r['builds']) for r in j])")" = \
	  "$(python3 -c "print([tuple(map(int, l.split('|'))) for l in '''$(sql 'select final_size, builds from runs order by id')'''.split()])")" ]
"$kmin" runs --db "$db" --format csv >"$tmp/runs.csv"
check "runs --format csv: a header and 2 rows with the same ids" \
	[ "$(csv_rows "$tmp/runs.csv"):$(head -1 "$tmp/runs.csv" | cut -d, -f1-4)" = "2:id,started,finished,status" ]
"$kmin" runs --db "$db" >"$tmp/runs.txt"
check "runs (table): a heading and one line per run" \
	bash -c "[ \$(wc -l <'$tmp/runs.txt') = 3 ] && grep -q '^ID .*FINAL_SIZE' '$tmp/runs.txt' && grep -q 'USB,SPI,I2C' '$tmp/runs.txt'"

# ---- a nightly job's run shows its track ----
if "$kmin" run --help 2>/dev/null | grep -q -- '--track'; then
	"$kmin" run --source "$tk" --arch arm --jobs 2 --require USB,SPI --db "$tmp/t.db" \
		--output "$tmp/t" --track board -q >/dev/null 2>&1
	check "runs: a run made with --track shows it (json and table)" bash -c "
		'$kmin' runs --db '$tmp/t.db' --format json | python3 -c 'import json,sys; assert json.load(sys.stdin)[0][\"track\"] == \"board\"' &&
		'$kmin' runs --db '$tmp/t.db' | grep -q ' board\$'"
else
	echo "# skipped the track check: this kmin run has no --track"
fi

# ---- kmin show ----
"$kmin" show 1 --db "$db" --format json >"$tmp/show.json"
acc=$(sql "select count(*) from steps where run_id = 1 and kind = 'accept'")
rej=$(sql "select count(*) from steps where run_id = 1 and kind = 'reject'")
nsteps=$(sql "select count(*) from steps where run_id = 1")
check "show --format json: the run and all $nsteps steps, $acc accepted and $rej rejected" py "$tmp/show.json" "
s = j['steps']
assert j['run']['id'] == 1 and j['run']['final_size'] == 59280
assert len(s) == $nsteps and [t['seq'] for t in s] == list(range(1, $nsteps + 1))
assert sum(t['kind'] == 'accept' for t in s) == $acc and sum(t['kind'] == 'reject' for t in s) == $rej
assert s[0]['kind'] == 'base' and s[0]['saving'] == 0
assert all(t['reason'] for t in s if t['kind'] == 'reject')
assert any(t['reason'].startswith('failed') for t in s), 'a failed build is listed with its error'
assert sum(t['saving'] for t in s if t['kind'] == 'accept') == j['run']['base_size'] - j['run']['final_size']"
check "show: accepted and rejected steps exist" [ "$acc" -gt 0 ] && [ "$rej" -gt 0 ]
"$kmin" show 1 --db "$db" >"$tmp/show.txt"
check "show (table): summary and one line per step" \
	bash -c "grep -q '^run 1: done' '$tmp/show.txt' && [ \$(grep -cE '^ *[0-9]+  (base|accept|reject|verify) ' '$tmp/show.txt') = $nsteps ]"
"$kmin" show 1 --db "$db" --format csv >"$tmp/show.csv"
check "show --format csv: one row per step" [ "$(csv_rows "$tmp/show.csv")" = "$nsteps" ]

# ---- kmin best ----
"$kmin" best --db "$db" --arch arm --require USB,SPI --format json -o "$tmp/best.config" >"$tmp/best.json"
check "best USB,SPI: run 1, its size is the run's final_size" py "$tmp/best.json" "
r = json.load(open('$tmp/runs.json'))[0]
assert j['run_id'] == 1 and j['size'] == r['final_size'] == 59280 and j['metric'] == 'dec'
assert j['dec'] == j['text'] + j['data'] + j['bss'] and j['candidates'] == 2
assert j['config_sha256'] == r['final_sha256']"
check "best -o writes the run's config (USB kept, I2C off)" \
	bash -c "grep -q '^CONFIG_USB=y' '$tmp/best.config' && ! grep -q '^CONFIG_I2C=y' '$tmp/best.config' && diff -q <(grep '^CONFIG_' '$tmp/best.config') <(grep '^CONFIG_' '$tmp/r1/min.config')"
check "best: requirements are a set (' spi, config_usb=y ')" \
	[ "$("$kmin" best --db "$db" --arch arm --require ' spi, CONFIG_usb=y ' --format csv | tail -1 | cut -d, -f1)" = 1 ]
"$kmin" best --db "$db" --arch arm --require I2C,USB --format json >"$tmp/best2.json"
check "best I2C,USB: only run 2 keeps I2C, with its final size" py "$tmp/best2.json" "
r = json.load(open('$tmp/runs.json'))[1]
assert j['run_id'] == 2 and j['candidates'] == 1 and j['size'] == r['final_size'] > 59280"
check "best --exact SPI,USB: run 1 only" \
	bash -c "'$kmin' best --db '$db' --arch arm --require SPI,USB --exact --format json | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j[\"candidates\"] == 1 and j[\"run_id\"] == 1'"
"$kmin" best --db "$db" --arch arm --require USB --kernel 0.1.0 >"$tmp/best.txt"
check "best (table) with --kernel: field lines" grep -q '^size  *59280$' "$tmp/best.txt"
"$kmin" best --db "$db" --arch x86 --require USB >/dev/null 2>"$tmp/best.err"
check "best with no run on that arch: exit 1 and says so" \
	bash -c "[ $? = 1 ] && grep -q 'no verified run on x86 keeps USB' '$tmp/best.err'"

# ---- kmin diff ----
"$kmin" diff 1 2 --db "$db" --format json >"$tmp/diff.json"
check "diff 1 2: I2C differs, dec delta equals the difference of final sizes" py "$tmp/diff.json" "
sy = {s['symbol']: (s['a'], s['b']) for s in j['symbols']}
assert sy['I2C'][1] == 'y' and sy['I2C'][0] in ('n', None), sy.get('I2C')
dec = [s for s in j['sizes'] if s['metric'] == 'dec'][0]
f2 = json.load(open('$tmp/runs.json'))[1]['final_size']
assert (dec['a'], dec['b'], dec['delta']) == (59280, f2, f2 - 59280) and f2 > 59280
assert j['a']['run_id'] == 1 and j['b']['run_id'] == 2 and j['a']['build_id']
assert {s['name'] for s in j['sections']} >= {'.text', '.data', '.bss'}
assert sum(s['a'] for s in j['sections'] if s['name'] in ('.text', '.rodata')) > 0"
"$kmin" diff 1 --db "$db" --format json >"$tmp/diff1.json"
moves=$(sql "select group_concat(moves, ' ') from steps where run_id = 1 and kind = 'accept'")
check "diff RUN: base vs final lists every symbol the run's accepted moves changed" py "$tmp/diff1.json" "
sy = {s['symbol']: s['b'] for s in j['symbols']}
moves = dict(m.split('=', 1) for m in '''$moves'''.split())
off = [s for s, v in moves.items() if v == 'n']
assert off and all(sy.get(s, 'n') in ('n', None) for s in off), [(s, sy.get(s)) for s in off]
assert j['a']['kind'] == 'run_base' and j['b']['kind'] == 'run'
dec = [s for s in j['sizes'] if s['metric'] == 'dec'][0]
assert dec['a'] == 283948 and dec['b'] == 59280 and dec['delta'] == 59280 - 283948"
sha2=$(py "$tmp/runs.json" "print(j[1]['final_sha256'])")
"$kmin" diff "$tmp/best.config" "${sha2:0:10}" --db "$db" --format json >"$tmp/diff3.json"
check "diff FILE SHA-PREFIX: same as diff 1 2" \
	[ "$(py "$tmp/diff3.json" "print(j['symbols'], j['sizes'])")" = "$(py "$tmp/diff.json" "print(j['symbols'], j['sizes'])")" ]
f2=$(py "$tmp/runs.json" "print(j[1]['final_size'])")
"$kmin" diff 1 2 --db "$db" --format csv >"$tmp/diff.csv"
check "diff --format csv: symbol, size and section lines" \
	bash -c "grep -q '^symbol,I2C,' '$tmp/diff.csv' && grep -q '^size,dec,59280,$f2,$((f2 - 59280))\$' '$tmp/diff.csv' && grep -q '^section,.text,' '$tmp/diff.csv'"
"$kmin" diff 1 2 --db "$db" >"$tmp/diff.txt"
check "diff (table): sides, sizes, symbols" \
	bash -c "grep -q '^a: run 1 final' '$tmp/diff.txt' && grep -q 'symbols\\? changed:' '$tmp/diff.txt' && grep -qE '^I2C ' '$tmp/diff.txt'"
"$kmin" diff 1 deadbeef --db "$db" >/dev/null 2>"$tmp/diff.err"
check "diff with an unknown config: exit 1, names it" bash -c "[ $? = 1 ] && grep -q deadbeef '$tmp/diff.err'"

# ---- kmin export ----
"$kmin" export --db "$db" >"$tmp/export.csv"
nb=$(sql "select count(*) from builds")
check "export (csv): $nb rows, as many as builds" [ "$(csv_rows "$tmp/export.csv")" = "$nb" ]
"$kmin" export --db "$db" --format json -o "$tmp/export.json"
check "export --format json -o: joined fields, dec = text+data+bss" py "$tmp/export.json" "
assert len(j) == $nb
ok = [b for b in j if b['status'] == 'ok']
assert ok and all(b['dec'] == b['text'] + b['data'] + b['bss'] for b in ok)
assert all(len(b['config_sha256']) == 64 and b['kernel_version'] == '0.1.0' and b['toolchain'] for b in j)
assert any(b['cached'] for b in j) and any(b['status'] == 'failed' and b['first_error'] for b in j)"
check "export --format table" bash -c "'$kmin' export --db '$db' --format table | head -1 | grep -q '^BUILD  STATUS'"

# ---- errors ----
"$kmin" show 42 --db "$db" >/dev/null 2>"$tmp/e1"
check "show of a missing run: exit 1 naming the id" bash -c "[ $? = 1 ] && grep -q 'no run 42' '$tmp/e1'"
"$kmin" diff 1 42 --db "$db" >/dev/null 2>"$tmp/e2"
check "diff with a missing run: exit 1 naming the id" bash -c "[ $? = 1 ] && grep -q 'no run 42' '$tmp/e2'"
"$kmin" show x1 --db "$db" >/dev/null 2>&1
check "show of a non-number: exit 2" [ $? = 2 ]

printf 'not a database, just text\n%.0s' $(seq 1 20) >"$tmp/notdb"
sum0=$(sha256sum <"$tmp/notdb")
for cmd in "runs" "show 1" "best --arch arm --require USB" "diff 1 2" "export"; do
	# shellcheck disable=SC2086
	"$kmin" $cmd --db "$tmp/notdb" >/dev/null 2>"$tmp/e3"
	rc=$?
	check "$cmd on a file that is not a database: exit 2, named, untouched" \
		bash -c "[ $rc = 2 ] && grep -q \"'$tmp/notdb' is not a kmin database\" '$tmp/e3' && [ \"\$(sha256sum <'$tmp/notdb')\" = '$sum0' ]"
done

cp "$db" "$tmp/newer.db"
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE')
c.execute('PRAGMA user_version = 999'); c.commit(); c.close()" "$tmp/newer.db"
sum1=$(sha256sum <"$tmp/newer.db")
for cmd in "runs" "show 1" "export"; do
	# shellcheck disable=SC2086
	"$kmin" $cmd --db "$tmp/newer.db" >/dev/null 2>"$tmp/e4"
	rc=$?
	check "$cmd on a newer schema: exit 2, named, untouched" \
		bash -c "[ $rc = 2 ] && grep -q \"database '$tmp/newer.db' was written by a newer kmin\" '$tmp/e4' && [ \"\$(sha256sum <'$tmp/newer.db')\" = '$sum1' ]"
done

for cmd in "runs" "show 1" "best --arch arm --require USB" "diff 1 2" "export"; do
	# shellcheck disable=SC2086
	"$kmin" $cmd --db "$tmp/none/q.db" >"$tmp/o5" 2>"$tmp/e5"
	rc=$?
	check "$cmd on a missing database (exit $rc) does not create it" \
		bash -c "[ ! -e '$tmp/none' ] && case '$cmd' in runs|export) [ $rc = 0 ];; *) [ $rc = 1 ];; esac"
done

if [ -s "$tmp/py.err" ]; then sed 's/^/# /' "$tmp/py.err" | tail -20; fi
finish
