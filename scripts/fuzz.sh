#!/usr/bin/env bash
# fuzz.sh — run every Go fuzz target in the module, one after another.
#
# Targets are discovered per package with `go test -list '^Fuzz'`; each runs for
# FUZZTIME. A failing input is saved by Go under the package's testdata/fuzz/
# (commit it: it becomes a regression test). Exits 1 if any target failed.
#
# Environment: GO (default go), FUZZTIME (default 30s), FUZZ (regexp selecting
# target names, default .), PKGS (package patterns, default ./...).
set -euo pipefail

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
FUZZ=${FUZZ:-.}
PKGS=${PKGS:-./...}

cd "$(dirname "$0")/.."

failed=()
ran=0
# shellcheck disable=SC2086 # PKGS may hold several patterns
pkgs=$("$GO" list -e -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' $PKGS)
for pkg in $pkgs; do
	if ! out=$("$GO" test -list '^Fuzz' "$pkg" 2>&1); then
		printf '%s\n' "$out" >&2
		failed+=("$pkg (does not build)")
		continue
	fi
	names=$(printf '%s\n' "$out" | grep -E '^Fuzz[[:alnum:]_]*$' | grep -E -- "$FUZZ" || true)
	for name in $names; do
		echo "== fuzz $pkg $name for $FUZZTIME"
		ran=$((ran + 1))
		if ! "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-5s}" "$pkg"; then
			failed+=("$pkg $name")
		fi
	done
done

if ((${#failed[@]} > 0)); then
	echo "fuzz: ${#failed[@]} failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: $ran target(s) ran, none failed"
