#!/bin/bash
# report.sh - `kmin report RUN -o FILE.html` (issue 7, "Report") end to end.
#
# Makes a database with two real runs of the search on the fixture kernel
# (tests/fixtures/tinykernel, a build takes about a second): greedy and
# linear, USB,SPI from board_defconfig.  For each run, writes the report
# and checks it with python3's html.parser against the database itself:
#   - every element is closed in order (well-formed nesting);
#   - the size chart is an inline <svg> with one point per step of the run;
#   - the requirements, every symbol an accepted step turned off, and the
#     section names of the final build are in the page;
#   - nothing outside the page is referenced: no http(s): URL except the
#     SVG namespace, no src=, no href= other than "#..." anchors, no script;
# then renders it in headless Chromium (a screenshot, checked to be a real
# image: size, dimensions and more than one colour).  Also: the same run
# gives the same bytes, a missing run exits 1 naming the id, a missing
# database exits 1, a file that is not a kmin database exits 2 naming the
# file and is left untouched, usage errors exit 2, -o - writes to stdout,
# a write error exits 1.
#
# Usage: tests/integration/report.sh [--kmin PATH] [--quick] [--keep DIR]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test (the test is already small)
#   --keep DIR    copy the reports and screenshots to DIR (to look at them)
# Prints ok/not ok lines and ends with "report: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
keep=
it_usage="[--keep DIR]"
it_option() { case $1 in --keep) keep=$2; it_used=2 ;; esac; }
it_init report "$@"

it_fixture_conf

db=$tmp/r.db
trun() { "$kmin" run --source "$tk" --arch arm --jobs 2 --db "$db" -q "$@"; }

# ---- two real runs: greedy (run 1) and linear (run 2) ----
trun --require USB,SPI --base board_defconfig --output "$tmp/g" >"$tmp/g.log" 2>&1
check "greedy run on the fixture exits 0" [ $? = 0 ]
trun --strategy linear --require USB,SPI --base board_defconfig --output "$tmp/l" \
	>"$tmp/l.log" 2>&1
check "linear run on the fixture exits 0" [ $? = 0 ]

# The page checker: check_html.py DB RUN FILE; prints one "ok"/"not ok" line per
# assertion (without numbers) and exits 1 if any failed.
cat >"$tmp/check_html.py" <<'EOF'
import re, sqlite3, sys
from html.parser import HTMLParser

db, run, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
page = open(path, encoding="utf-8").read()
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
        self.svgs = {}          # id -> number of elements with data-seq
        self.cur_svg = None
        self.urls = []          # (attr, value) that leave the page
        self.scripts = 0
    def handle_starttag(self, tag, attrs):
        self.start(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.start(tag, attrs)
    def start(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "svg":
            self.cur_svg = a.get("id", "?")
            self.svgs[self.cur_svg] = 0
        if self.cur_svg and "data-seq" in a and "pt" in a.get("class", "").split():
            self.svgs[self.cur_svg] += 1
        for k, v in attrs:
            v = v or ""
            if k in ("src", "srcset", "action", "formaction", "poster", "data"):
                self.urls.append((k, v))
            if k in ("href", "xlink:href") and not v.startswith("#"):
                self.urls.append((k, v))
            if k == "style" and "url(" in v:
                self.urls.append((k, v))
    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur_svg = None
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)

p = Page()
p.feed(page)
p.close()
text = "".join(p.text)

con = sqlite3.connect(db)
nsteps = con.execute("SELECT count(*) FROM steps WHERE run_id = ?", (run,)).fetchone()[0]
reqs = con.execute("SELECT requirements FROM runs WHERE id = ?", (run,)).fetchone()[0].split(",")
removed = set()
for (moves,) in con.execute("SELECT moves FROM steps WHERE run_id = ? AND kind = 'accept'", (run,)):
    removed |= {m.split("=")[0] for m in moves.split() if m.endswith("=n")}
# the final build: the last verification, else the last accepted build
fb = con.execute("SELECT build_id FROM steps WHERE run_id = ? AND kind IN ('verify', 'accept')"
                 " AND build_id IS NOT NULL AND size IS NOT NULL"
                 " ORDER BY kind = 'verify' DESC, seq DESC LIMIT 1", (run,)).fetchone()[0]
sections = [r[0] for r in con.execute(
    "SELECT name FROM sections WHERE build_id = (SELECT COALESCE(cached_from, id) FROM builds"
    " WHERE id = ?) ORDER BY seq", (fb,))]

fails = 0
def check(what, cond):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += not cond

check("run %d: well-formed nesting (%d problems%s)" % (run, len(p.errors) + len(p.stack),
      (": " + "; ".join(p.errors[:3] + ["unclosed " + t for t in p.stack[:3]])) if p.errors or p.stack else ""),
      not p.errors and not p.stack)
check("run %d: <svg id=size-chart> with one point per step (%s of %d)" % (
      run, p.svgs.get("size-chart"), nsteps), p.svgs.get("size-chart") == nsteps and nsteps > 0)
check("run %d: the requirements %s are shown" % (run, ",".join(reqs)),
      all(re.search(r"\b%s\b" % re.escape(q), text) for q in reqs))
missing = sorted(s for s in removed if not re.search(r"\b%s\b" % re.escape(s), text))
check("run %d: each symbol turned off by an accepted step (%d) is named%s" % (
      run, len(removed), ": missing " + ",".join(missing) if missing else ""),
      removed and not missing)
check("run %d: the final build's sections (%s) are listed" % (run, " ".join(sections)),
      sections and all(s in text for s in sections))
ext = [u for u in p.urls]
ext += [m for m in re.findall(r"https?:[^\s\"'<>)]*", page) if m != "http://www.w3.org/2000/svg"]
check("run %d: no external references%s" % (run, ": " + str(ext[:3]) if ext else ""),
      not ext and p.scripts == 0)
sys.exit(1 if fails else 0)
EOF

# Run the checker and turn its lines into numbered ok/not ok lines.
check_page() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done < <(python3 "$tmp/check_html.py" "$db" "$1" "$2" 2>&1)
}

for run in 1 2; do
	"$kmin" report "$run" -o "$tmp/run$run.html" --db "$db" 2>"$tmp/report$run.err"
	check "kmin report $run exits 0 and writes the page" \
		bash -c "[ $? = 0 ] && [ -s '$tmp/run$run.html' ]"
	check_page "$run" "$tmp/run$run.html"
done
echo "# page sizes: $(wc -c <"$tmp/run1.html") and $(wc -c <"$tmp/run2.html") bytes"

# ---- determinism, stdout ----
"$kmin" report 1 -o "$tmp/again.html" --db "$db" 2>/dev/null
check "the same run gives the same bytes" cmp -s "$tmp/run1.html" "$tmp/again.html"
"$kmin" report 1 -o - --db "$db" >"$tmp/stdout.html" 2>/dev/null
check "-o - writes the page to stdout" cmp -s "$tmp/run1.html" "$tmp/stdout.html"

# ---- errors ----
"$kmin" report 99 -o "$tmp/x.html" --db "$db" 2>"$tmp/e.err"
rc=$?
check "missing run: exit 1" [ "$rc" = 1 ]
check "missing run: the message names run 99" grep -q "run 99" "$tmp/e.err"
check "missing run: no file written" test ! -e "$tmp/x.html"
"$kmin" report 1 -o "$tmp/x.html" --db "$tmp/none.db" 2>"$tmp/e.err"
check "missing database: exit 1, not created" \
	bash -c "[ $? = 1 ] && [ ! -e '$tmp/none.db' ] && grep -q none.db '$tmp/e.err'"
printf 'this is not a database\n' >"$tmp/text.db"
sqlite3 "$tmp/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
for f in text.db other.db; do
	sum=$(sha256sum <"$tmp/$f")
	"$kmin" report 1 -o "$tmp/x.html" --db "$tmp/$f" 2>"$tmp/e.err"
	rc=$?
	check "$f (not a kmin database): exit 2, message names the file" \
		bash -c "[ $rc = 2 ] && grep -q '$f' '$tmp/e.err'"
	check "$f: left untouched" [ "$(sha256sum <"$tmp/$f")" = "$sum" ]
done
if [ -c /dev/full ]; then
	"$kmin" report 1 -o /dev/full --db "$db" 2>"$tmp/e.err"
	check "a write error (-o /dev/full): exit 1, said, the device left a device" \
		bash -c "[ $? = 1 ] && grep -q 'cannot write' '$tmp/e.err' && [ -c /dev/full ]"
fi
"$kmin" report 1 --db "$db" >/dev/null 2>&1
check "no -o: exit 2" [ $? = 2 ]
"$kmin" report abc -o "$tmp/x.html" --db "$db" >/dev/null 2>&1
check "a run id that is not a number: exit 2" [ $? = 2 ]
"$kmin" report --help >"$tmp/help.txt" 2>&1
check "--help: exit 0, describes -o and the exit status" \
	bash -c "[ $? = 0 ] && grep -q -- '--output' '$tmp/help.txt' && grep -q 'exit status' '$tmp/help.txt'"

# ---- a real browser renders it ----
# PNG facts: width and height from IHDR, number of distinct pixel colours
# in a sample of decoded rows (zlib, filters undone), file size.
cat >"$tmp/png.py" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if typ == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif typ == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
stride = w * bpp
colours, prev = set(), bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 7 == 0:
        colours |= {bytes(line[i:i + bpp]) for i in range(0, stride, bpp)}
    prev = line
print(w, h, len(colours), len(data))
EOF
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	echo "# skip: chromium not installed (scripts/setup installs it)"
else
	for run in 1 2; do
		# a private profile: no first-run state, nothing left in $HOME
		timeout 120 "$chrome" --headless --disable-gpu --no-sandbox --hide-scrollbars \
			--user-data-dir="$tmp/chrome-profile" --screenshot="$tmp/run$run.png" \
			--window-size=1200,2000 "file://$tmp/run$run.html" >"$tmp/chrome$run.log" 2>&1
		facts=$(python3 "$tmp/png.py" "$tmp/run$run.png" 2>&1)
		echo "# run $run screenshot: width height colours bytes = $facts"
		read -r w h colours bytes <<<"$facts"
		check "run $run: chromium renders the page (1200x2000 PNG)" \
			[ "${w:-0}" = 1200 -a "${h:-0}" = 2000 ]
		check "run $run: the screenshot is not blank (>20 KB, >16 colours)" \
			[ "${bytes:-0}" -gt 20000 -a "${colours:-0}" -gt 16 ]
	done
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep" && cp "$tmp"/run*.html "$keep"/ && cp "$tmp"/run*.png "$keep"/ 2>/dev/null
	echo "# kept the pages and screenshots in $keep"
fi

finish
