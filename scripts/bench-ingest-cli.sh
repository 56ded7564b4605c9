#!/usr/bin/env bash
# bench-ingest-cli.sh — the outside measure of ingest (issue 11, section 5).
#
# Measures `custodiactl ingest` end to end, as a user runs it, against dc3dd
# computing the same three hashes (MD5, SHA-1, SHA-256) of the same file, and
# compares the case's growth with ewfacquire's E01 of the same data:
#
#   for each source (a generated disk-like image and random data, SIZE_MB each):
#     sync; warm read of the source; time dc3dd hash=md5 hash=sha1 hash=sha256 of=/dev/null
#     sync; warm read of the source; ewfacquire -c deflate:fast (E01 size only)
#     custodiactl init (production key derivation)
#     sync; warm read of the case;   time custodiactl info CASE          (the unlock)
#     sync; warm read of the source; time custodiactl ingest CASE SOURCE (end to end)
#     ingest rate = size / (ingest time − info time); ratio = ingest rate / dc3dd rate
#
# Each run makes a fresh case. RUNS runs per source; every run's figures are
# printed, then the median ratio. Other work on the machine moves both sides of
# a ratio, so compare ratios within one run, never rates across runs.
#
# Environment: SIZE_MB (default 2048), RUNS (default 3), DIR (work folder,
# default a new one under /tmp; it needs about 3 × SIZE_MB free), SOURCES
# (default "disk-like random"), SKIP_EWF=1 (no ewfacquire: saves a minute per
# source), GO (default go), CUSTODIACTL (a prebuilt binary; default: built
# here with CGO_ENABLED=0), KEEP=1 (keep DIR).
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
SIZE_MB=${SIZE_MB:-2048}
RUNS=${RUNS:-3}
SOURCES=${SOURCES:-disk-like random}
DIR=${DIR:-$(mktemp -d /tmp/custodia-bench.XXXXXX)}
mkdir -p "$DIR"
[[ ${KEEP:-} == 1 ]] || trap 'rm -rf "$DIR"' EXIT

tools=(dc3dd)
[[ ${SKIP_EWF:-} == 1 ]] || tools+=(ewfacquire)
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
done

CTL=${CUSTODIACTL:-$DIR/custodiactl}
if [[ -z ${CUSTODIACTL:-} ]]; then
	CGO_ENABLED=0 "$GO" build -o "$CTL" ./cmd/custodiactl
fi

export CUSTODIA_PASSPHRASE="bench passphrase, long enough"
export CUSTODIA_NEW_PASSPHRASE="$CUSTODIA_PASSPHRASE"

# warm FILE...: pending writes flushed, then FILE read into the page cache.
warm() {
	sync
	cat "$@" >/dev/null
}

# timed CMD...: run CMD (output discarded) and print its wall time in seconds.
timed() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$DIR/stderr" || { echo "bench: $* failed:" >&2; cat "$DIR/stderr" >&2; exit 1; }
	local t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

size_of() { stat -c %s "$@" | awk '{ s += $1 } END { printf "%d\n", s }'; }

echo "bench: $SIZE_MB MiB per source, $RUNS run(s), $(nproc) cores, in $DIR"
echo "bench: $("$CTL" version 2>/dev/null | head -1); $(dc3dd --version 2>&1 | head -1)"
for kind in $SOURCES; do
	src="$DIR/source-$kind.img"
	CUSTODIA_BENCH_WRITE="$kind:$src" CUSTODIA_BENCH_MB=$SIZE_MB \
		"$GO" test ./evidence -count=1 -run '^TestWriteBenchSource$' >/dev/null
	bytes=$(size_of "$src")
	mb=$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')
	e01=""
	if [[ ${SKIP_EWF:-} != 1 ]]; then
		rm -f "$DIR"/peer.E*
		warm "$src"
		ewfacquire -u -q -c deflate:fast -d sha1,sha256 -t "$DIR/peer" "$src" >/dev/null
		e01=$(size_of "$DIR"/peer.E*)
		rm -f "$DIR"/peer.E*
	fi
	ratios=()
	for run in $(seq "$RUNS"); do
		warm "$src"
		dd_s=$(timed dc3dd if="$src" hash=md5 hash=sha1 hash=sha256 of=/dev/null)
		case="$DIR/bench.custodia"
		rm -f "$case"
		"$CTL" init "$case" --title bench --examiner bench >/dev/null
		before=$(size_of "$case")
		warm "$case"
		info_s=$(timed "$CTL" info "$case")
		warm "$src"
		ingest_s=$(timed "$CTL" ingest "$case" "$src" --reason bench)
		growth=$(( $(size_of "$case") - before ))
		line=$(awk -v mb="$mb" -v dd="$dd_s" -v info="$info_s" -v ing="$ingest_s" -v g="$growth" -v e01="$e01" 'BEGIN {
			work = ing - info; ours = mb / work; peer = mb / dd
			printf "%.3f\t%s: ingest %.2f s - unlock %.2f s = %.2f s: %.0f MB/s; dc3dd %.2f s: %.0f MB/s; ratio %.2fx",
				ours / peer, "'"$kind"' run '"$run"'", ing, info, work, ours, dd, peer, ours / peer
			if (e01 != "") printf "; case growth / E01 %.3f", g / e01
		}')
		ratios+=("${line%%$'\t'*}")
		echo "bench: ${line#*$'\t'}"
		rm -f "$case"
	done
	median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	echo "bench: $kind: median ratio to dc3dd ${median}x over $RUNS run(s) (bar: 1.5x)"
	rm -f "$src"
done
