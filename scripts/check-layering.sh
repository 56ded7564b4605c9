#!/usr/bin/env bash
# check-layering.sh — enforce the two import rules of docs/ARCHITECTURE.md:
#   1. the core (casefile, evidence, reports, custodiactl) depends on no fyne.io
#      package, tests included;
#   2. only packages under cmd/ import fyne.io/fyne/v2/app.
# Checked for linux, darwin and windows with cgo on, so a file behind a build
# constraint cannot hide an import.
#
# Environment: GO (default go), CORE_PKGS (the core's package patterns).
set -euo pipefail

GO=${GO:-go}
CORE_PKGS=${CORE_PKGS:-./casefile/... ./evidence/... ./reports/... ./cmd/custodiactl/...}

cd "$(dirname "$0")/.."

fail=0
cmd_prefix="$("$GO" list -m)/cmd/"

for goos in linux darwin windows; do
	export GOOS=$goos CGO_ENABLED=1

	# Rule 1. Every import path in the dependency closure, one per line with its imports.
	# shellcheck disable=SC2086 # CORE_PKGS holds several patterns
	deps=$("$GO" list -e -deps -test -f '{{.ImportPath}} {{join .Imports " "}}' $CORE_PKGS) || {
		echo "layering: go list of the core failed (GOOS=$goos)" >&2
		exit 1
	}
	if printf '%s\n' "$deps" | grep -qE '^fyne\.io/'; then
		echo "layering: the core depends on Fyne (GOOS=$goos):" >&2
		printf '%s\n' "$deps" |
			awk '$1 !~ /^fyne\.io\// { for (i = 2; i <= NF; i++) if ($i ~ /^fyne\.io\//) print "  " $1 " imports " $i }' |
			sort -u >&2
		fail=1
	fi

	# Rule 2.
	all=$("$GO" list -e -f '{{.ImportPath}} {{join .Imports " "}}' ./...) || {
		echo "layering: go list ./... failed (GOOS=$goos)" >&2
		exit 1
	}
	bad=$(printf '%s\n' "$all" |
		awk -v cmd="$cmd_prefix" 'index($1, cmd) != 1 { for (i = 2; i <= NF; i++) if ($i == "fyne.io/fyne/v2/app") print "  " $1 }')
	if [[ -n $bad ]]; then
		echo "layering: only packages under cmd/ may import fyne.io/fyne/v2/app; these do (GOOS=$goos):" >&2
		printf '%s\n' "$bad" >&2
		fail=1
	fi
done

if ((fail)); then
	exit 1
fi
echo "layering: ok"
