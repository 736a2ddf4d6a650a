#!/usr/bin/env bash
# tests/cli/builds.sh - `kmin builds` end to end: formats, escaping, refusals.
#
# usage: tests/cli/builds.sh [KMIN]   (default: build/src/kmin)
#
# Builds fixture databases with python3's sqlite3 module from db/schema.sql
# (so the listing is tested against the real schema), with strings that
# need escaping: commas, quotes, newlines, CR, tab, control bytes, UTF-8
# and invalid UTF-8.  Checks the CSV with python's csv module and the JSON
# with its json module, field by field.  Prints "N passed, N failed";
# exits 0 only when nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kmin=$(realpath "${1:-$top/build/src/kmin}")
tmp=$(mktemp -d /tmp/kmin-builds-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# make_db FILE [USER_VERSION]: a kmin database with three tricky builds.
make_db() {
	python3 - "$1" "$top/db/schema.sql" "${2:-1}" <<'PY'
import sqlite3, sys
path, schema, version = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(path)
db.execute("PRAGMA application_id = %d" % 0x6b6d696e)
db.execute("PRAGMA journal_mode = WAL")
db.executescript(open(schema).read())
db.execute("PRAGMA user_version = %d" % version)
db.execute("INSERT INTO kernels VALUES (1, 'tree:x', '6.1.158', '/src', NULL, NULL, 0, 'x', 0)")
db.execute("INSERT INTO kernels VALUES (2, 'git:y', '6.12.0', '/g', 'y', 'v6.12-3-gabc,\"q\"', 0, NULL, 0)")
db.execute("INSERT INTO toolchains VALUES (1, 'gcc', 'gcc (Debian 12.2.0-14) 12.2.0', 0)")
db.execute("INSERT INTO configs VALUES (1, ?, 1, x'00', 0)", ('a' * 64,))
cols = ("config_id, kernel_id, toolchain_id, arch, image, status, text_bytes, data_bytes,"
        " bss_bytes, image_bytes, seconds, worker, started_ms, finished_ms, first_error, cached_from")
ins = "INSERT INTO builds(%s) VALUES (?,?,?,?,?,?,?,?,?,?,?,CAST(? AS TEXT),?,?,CAST(? AS TEXT),?)" % cols
db.execute(ins, (1, 1, 1, 'arm', 'zImage', 'ok', 588816, 110600, 23056, 419448, 72.5,
                 b'w1', 1700000000000, 1700000072500, None, None))
db.execute(ins, (1, 2, 1, 'arm', 'zImage', 'failed', None, None, None, None, 3.25,
                 b'host,"a"\r\nb\tc\x01', 1700000100000, 1700000103250,
                 "drivers/x.c:1: error: expected \u2018;\u2019 \\ end\n".encode() + b'\xff\xc0\xed\xa0\x80', None))
db.execute(ins, (1, 1, 1, 'arm', 'zImage', 'ok', 588816, 110600, 23056, 419448, 0.004,
                 'w\u00e9'.encode(), 1700000200000, 1700000200004, None, 1))
db.commit()
db.close()
PY
}

db=$tmp/results.db
make_db "$db"

# --- csv ---
"$kmin" builds --db "$db" --format csv >"$tmp/out.csv" 2>"$tmp/err"
check "csv exits 0" test $? = 0
check "csv header" test "$(head -n 1 "$tmp/out.csv" | cut -d, -f1-11)" = \
	"id,config_sha256,kernel,arch,status,text,data,bss,image_bytes,seconds,cached"
check "csv fields round-trip" python3 - "$tmp/out.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8', errors='strict')))
assert len(rows) == 3, rows
a, b, c = rows
assert a['id'] == '1' and a['config_sha256'] == 'a' * 64 and a['kernel'] == '6.1.158'
assert a['status'] == 'ok' and a['text'] == '588816' and a['data'] == '110600'
assert a['bss'] == '23056' and a['image_bytes'] == '419448' and float(a['seconds']) == 72.5
assert a['cached'] == 'false' and a['cached_from'] == '' and a['worker'] == 'w1'
assert a['started'] == '2023-11-14T22:13:20.000Z', a['started']
assert b['kernel'] == 'v6.12-3-gabc,"q"', b['kernel']
assert b['worker'] == 'host,"a"\r\nb\tc\x01', repr(b['worker'])
assert b['status'] == 'failed' and b['text'] == '' and b['image_bytes'] == ''
assert b['first_error'] == 'drivers/x.c:1: error: expected \u2018;\u2019 \\ end\n' + '\ufffd' * 5, repr(b['first_error'])
assert c['cached'] == 'true' and c['cached_from'] == '1'
PY

# --- json ---
"$kmin" builds --db "$db" --format json >"$tmp/out.json" 2>"$tmp/err"
check "json exits 0" test $? = 0
check "json fields round-trip" python3 - "$tmp/out.json" <<'PY'
import json, sys
rows = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8', 'strict'))
assert isinstance(rows, list) and len(rows) == 3
a, b, c = rows
for k in ('id', 'config_sha256', 'kernel', 'arch', 'status', 'text', 'data', 'bss',
          'image_bytes', 'seconds', 'cached'):
    assert k in a, k
assert a['id'] == 1 and a['text'] == 588816 and a['seconds'] == 72.5 and a['cached'] is False
assert a['status'] == 'ok' and a['cached_from'] is None and a['first_error'] == ''
assert b['text'] is None and b['image_bytes'] is None and b['status'] == 'failed'
assert b['worker'] == 'host,"a"\r\nb\tc\x01', repr(b['worker'])
assert b['kernel'] == 'v6.12-3-gabc,"q"'
assert b['first_error'] == 'drivers/x.c:1: error: expected \u2018;\u2019 \\ end\n' + '\ufffd' * 5, repr(b['first_error'])
assert c['cached'] is True and c['cached_from'] == 1
PY

# --- table ---
"$kmin" builds --db "$db" >"$tmp/out.txt" 2>"$tmp/err"
check "table exits 0" test $? = 0
check "table: header and one line per build" test "$(wc -l <"$tmp/out.txt")" = 4
check "table: header names" grep -q '^ID  CONFIG  *KERNEL  *ARCH  *IMAGE  *STATUS' "$tmp/out.txt"
check "table: aligned" python3 - "$tmp/out.txt" <<'PY'
import sys
lines = open(sys.argv[1], encoding='utf-8', errors='replace').read().splitlines()
head = lines[0]
col = head.index('STATUS')
assert all(l[col:col + 6].strip() in ('STATUS', 'ok', 'failed') for l in lines), lines
assert lines[2].split()[0] == '2' and ' - ' in lines[2]
fin = head.index('FINISHED')
assert all(l[fin:fin + 4] in ('FINI', '2023') for l in lines), lines
assert 'w\u00e9' in lines[3]
PY

# --- default path, KMIN_DB ---
mkdir -p "$tmp/xdg/kmin" && cp "$db" "$tmp/xdg/kmin/results.db"
want=$(sha256sum <"$tmp/out.csv")
check "XDG_DATA_HOME default" test "$(env -u KMIN_DB XDG_DATA_HOME="$tmp/xdg" "$kmin" builds --format csv | sha256sum)" = "$want"
check "KMIN_DB" test "$(KMIN_DB="$db" "$kmin" builds --format csv | sha256sum)" = "$want"
check "--db wins over KMIN_DB" test "$(KMIN_DB="$tmp/none.db" "$kmin" builds --db "$db" --format csv | sha256sum)" = "$want"

# --- missing database: empty listing, nothing created ---
out=$("$kmin" builds --db "$tmp/none/results.db" --format json 2>/dev/null)
check "missing db: json []" test "$out" = "[]" -a ! -e "$tmp/none"
out=$("$kmin" builds --db "$tmp/none.db" --format csv 2>/dev/null)
check "missing db: csv header only" test "$(printf '%s\n' "$out" | wc -l)" = 1 -a ! -e "$tmp/none.db"

# --- refusals: exit 2, the file named, the file untouched ---
refused() {	# refused NAME FILE
	local sum; sum=$(sha256sum <"$2")
	"$kmin" builds --db "$2" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	check "$1: exit 2" test $rc = 2
	check "$1: message names the file" grep -qF "$2" "$tmp/err"
	check "$1: file untouched" test "$(sha256sum <"$2")" = "$sum"
}
printf 'CONFIG_MMU=y\n' >"$tmp/text.db"
refused "not sqlite" "$tmp/text.db"
python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute('create table t(a)'); d.commit()" "$tmp/foreign.db"
refused "foreign sqlite" "$tmp/foreign.db"
make_db "$tmp/newer.db" 99
python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute('pragma wal_checkpoint(truncate)'); d.close()" "$tmp/newer.db"
refused "newer schema" "$tmp/newer.db"
grep -q newer "$tmp/err" && ok "newer schema: says newer" || bad "newer schema: says newer"
cp "$db" "$tmp/corrupt.db"
python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute('pragma wal_checkpoint(truncate)'); d.close()" "$tmp/corrupt.db"
dd if=/dev/urandom of="$tmp/corrupt.db" bs=4096 seek=1 count=3 conv=notrunc status=none
refused "corrupt" "$tmp/corrupt.db"

# --- usage ---
"$kmin" builds --format xml >/dev/null 2>&1
check "bad --format: exit 2" test $? = 2
"$kmin" builds extra >/dev/null 2>&1
check "extra argument: exit 2" test $? = 2
"$kmin" builds --help >"$tmp/help" 2>&1
check "--help: exit 0 and usage" grep -q '^usage: kmin builds' "$tmp/help"

echo "builds: $pass passed, $fail failed"
[ "$fail" = 0 ]
