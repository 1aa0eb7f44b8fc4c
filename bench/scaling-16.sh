#!/usr/bin/env bash
# Issue 12: how the scan scales from 1 to 16 threads on a many-core machine, in one prepared
# run (a lent 16-core machine has minutes, not hours). Builds nothing: run it from a built
# checkout (npm run build && npm run build:bench). Makes its data in $LDS_SCALING_DIR
# (default /tmp/lds-scaling): 8 GiB of generated XML (8 files of 1 GiB, made in parallel) and
# a folder of 2,000 real-sized EVTX files (bench/evtx-bench-data.ts, REAL_FOLDER; 4 subfolders
# made in parallel). Then times, each the median of 3 runs after a warm-up (page cache hot):
#   - start-up: `node -e 0` against the CLI scanning a 1 KB file (15 interleaved runs each),
#     the bundled CLI and, when .tmp/device/base/dist holds one, the CLI before issue 12;
#   - `cat` of each input, then the CLI with -j 1, 2, 4, 8, 16 on the text and on the folder;
#   - a 2-core view: -j 1 against -j 2 on 2 GiB of the text and 400 files of the folder;
#   - one file each (1 GiB of XML, ECS and flat JSON): the default against cat and rg -c -i lsass.
# Every CLI run must report the same number of matched events as -j 1 did.
#
# Where node or node_modules are missing (a bare machine), .tmp/device/node.gz and
# .tmp/device/node_modules (runtime dependencies only) stand in.
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
DATA=${LDS_SCALING_DIR:-/tmp/lds-scaling}
PART=${LDS_SCALING_TEXT_PART:-1g}     # each of the 8 text files
PER=${LDS_SCALING_EVTX_PER:-500}      # EVTX files in each of the 4 subfolders
if ! command -v node >/dev/null; then
  gunzip -c .tmp/device/node.gz >/tmp/node && chmod +x /tmp/node && export PATH="/tmp:$PATH"
fi
[ -e node_modules ] || ln -s .tmp/device/node_modules node_modules
CLI=dist/bin/lsass-dump-scan.js
BASE=.tmp/device/base/dist/cli/main.js
if [ -f "$BASE" ]; then
  ln -sfn ../../../build .tmp/device/base/build
  ln -sfn ../../../package.json .tmp/device/base/package.json
fi
ms() { local ns; ns=$(date +%s%N); echo $(( ns / 1000000 )); }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  node: $(node --version)  nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo
free -g | head -2
uptime

echo "== data ($DATA)"
mkdir -p "$DATA/text" "$DATA/evtx"
t0=$(ms)
for i in 1 2 3 4 5 6 7 8; do
  [ -f "$DATA/text/part-$i.xml" ] || node "$CLI" generate --format xml --size "$PART" --seed "$i" \
    --out "$DATA/text/part-$i.xml" --expected "$DATA/text/part-$i.rows" >/dev/null 2>&1 &
done
for s in 1 2 3 4; do
  [ -d "$DATA/evtx/s$s" ] || node --input-type=module -e "
    const { buildBenchFolder, REAL_FOLDER } = await import('$PWD/dist-bench/bench/evtx-bench-data.js');
    const { rmSync } = await import('node:fs');
    buildBenchFolder('$DATA/evtx/s$s', $PER, $s, REAL_FOLDER);
    rmSync('$DATA/evtx/s$s/manifest.json');" &
done
wait
echo "made in $(( ($(ms) - t0) / 1000 )) s: text $(du -sh "$DATA/text" | cut -f1), evtx $(find "$DATA/evtx" -name '*.evtx' | wc -l) files $(du -sh "$DATA/evtx" | cut -f1)"
mkdir -p "$DATA/evtx400" "$DATA/text2"
# Hard links: the scan does not follow symbolic links inside folders.
find "$DATA/evtx/s1" -name '*.evtx' | sort | head -400 | while read -r f; do ln -f "$f" "$DATA/evtx400/"; done
ln -f "$DATA/text/part-1.xml" "$DATA/text/part-2.xml" "$DATA/text2/"

echo "== start-up (15 interleaved runs, median ms)"
head -c 1000 demo/dc01-sysmon.xml.log >"$DATA/small.xml"
n=""; b=""; o=""
for r in $(seq 15); do
  s=$(ms); node -e 0; n="$n $(( $(ms) - s ))"
  s=$(ms); node "$CLI" scan "$DATA/small.xml" -q >/dev/null; b="$b $(( $(ms) - s ))"
  if [ -f "$BASE" ]; then s=$(ms); node "$BASE" scan "$DATA/small.xml" -q >/dev/null; o="$o $(( $(ms) - s ))"; fi
done
echo "node -e 0: $(echo $n | median) ms; bundled CLI, 1 KB scan: $(echo $b | median) ms; before issue 12: $( [ -n "$o" ] && echo $o | median || echo n/a) ms"

# time_runs LABEL CMD...: warm-up, then 3 timed runs; prints "LABEL median_ms matched"
time_runs() {
  local label=$1; shift
  local out; out=$("$@" 2>&1 >/dev/null | grep -o '[0-9]* events\? matched' | head -1)
  local ts=""
  for r in 1 2 3; do s=$(ms); "$@" >/dev/null 2>&1; ts="$ts $(( $(ms) - s ))"; done
  echo "$label $(echo $ts | median) ${out%% *} [$ts ]"
}

table() {
  local name=$1 bytes=$2; shift 2
  echo "== $name ($(( bytes / 1048576 )) MiB)"
  local cat_line; cat_line=$(time_runs cat cat "$@")
  echo "cat: $(echo "$cat_line" | awk -v b="$bytes" '{ printf "%d ms, %.2f GB/s", $2, b / $2 / 1e6 }')"
  echo "| threads | ms | GB/s | speed-up | matched |"
  echo "|---|---|---|---|---|"
  local one=""
  for j in 1 2 4 8 16; do
    line=$(time_runs "$j" node "$CLI" scan "${INPUTS[@]}" -j "$j" --format jsonl --no-progress)
    t=$(echo "$line" | awk '{ print $2 }'); m=$(echo "$line" | awk '{ print $3 }')
    [ -z "$one" ] && one=$t
    awk -v j="$j" -v t="$t" -v b="$bytes" -v one="$one" -v m="$m" \
      'BEGIN { printf "| %d | %d | %.2f | %.2fx | %s |\n", j, t, b / t / 1e6, one / t, m }'
  done
}

INPUTS=("$DATA/text"); table "XML, 8 files of $PART" "$(du -sbL "$DATA/text" | cut -f1)" "$DATA"/text/*.xml
INPUTS=("$DATA/evtx"); table "EVTX folder, $((4 * PER)) real-sized files" "$(du -sbL "$DATA/evtx" | cut -f1)" "$DATA"/evtx/s*/*.evtx

echo "== 2-core view: -j 1 against -j 2 (and the default, $(nproc) threads)"
for input in text2 evtx400; do
  bytes=$(du -sbL "$DATA/$input" | cut -f1)
  for j in 1 2 "$(nproc)"; do
    line=$(time_runs "$j" node "$CLI" scan "$DATA/$input" -j "$j" --format jsonl --no-progress)
    echo "$input -j $j: $(echo "$line" | awk -v b="$bytes" '{ printf "%d ms, %.2f GB/s, %s matched", $2, b / $2 / 1e6, $3 }')"
  done
done
echo "== one file each, the default against cat and ripgrep (issue 12's text targets: >= 0.55x cat, >= 1.5x rg)"
# rg from PATH, or a copy carried in .tmp/device/rg (Debian's ripgrep binary).
RG=$(command -v rg || { [ -x .tmp/device/rg ] && echo .tmp/device/rg; } || true)
for spec in "ecs ecs" "flat jsonl"; do
  set -- $spec
  [ -f "$DATA/one-$1.json" ] || node "$CLI" generate --format "$2" --size 1g --seed 9 \
    --out "$DATA/one-$1.json" --expected /dev/null >/dev/null 2>&1
done
for input in "$DATA/text/part-1.xml" "$DATA/one-ecs.json" "$DATA/one-flat.json"; do
  bytes=$(stat -c %s "$input")
  c=$(time_runs cat cat "$input" | awk '{ print $2 }')
  d=$(time_runs default node "$CLI" scan "$input" --format jsonl --no-progress | awk '{ print $2 }')
  r=n/a; [ -n "$RG" ] && r=$(time_runs rg "$RG" -c -i lsass "$input" | awk '{ print $2 }')
  echo "$(basename "$input"): cat $c ms, rg $r ms, CLI $d ms ($(awk -v b="$bytes" -v t="$d" 'BEGIN { printf "%.2f GB/s", b / t / 1e6 }')), CLI/cat speed $(awk -v c="$c" -v d="$d" 'BEGIN { printf "%.2f", c / d }'), CLI/rg speed $( [ "$r" = n/a ] && echo n/a || awk -v r="$r" -v d="$d" 'BEGIN { printf "%.2f", r / d }')"
done
echo "== done in $(( ($(ms) - t0) / 1000 )) s"
