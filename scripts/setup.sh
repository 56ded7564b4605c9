#!/usr/bin/env bash
# setup.sh — make this machine able to build and test Custodia.
#
# Idempotent: checks every prerequisite and installs only what is missing, so a
# second run does nothing and returns at once. On Debian/Ubuntu it installs the
# missing packages with apt-get (through sudo when not root). Elsewhere it prints
# what to install and carries on as long as a suitable Go toolchain works.
#
# Environment: GO (the go command, default "go").
set -euo pipefail

# --- what is needed, by purpose ------------------------------------------------

# Minimum Go toolchain (must match the go line in go.mod).
GO_MIN_MAJOR=1
GO_MIN_MINOR=26

# Building the Fyne GUI (cgo + OpenGL/X11 headers). gcc only recommends libc6-dev,
# and we install without recommends, so it is listed explicitly.
GUI_BUILD_PKGS="gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev"

# The GUI smoke test: a virtual X server (Xvfb), xauth (used by xvfb-run; only a
# recommendation of xvfb) and ImageMagick's `import` for screenshots.
GUI_SMOKE_PKGS="xvfb xauth imagemagick"

# Tests that need real third-party files, from the reference tool of each field
# (the tests skip without them): libewf's ewfacquire makes the E01 images the E01
# reader is tested against, dc3dd is the ingest benchmark's peer, qemu-img writes
# the virtual disks the VHD/VHDX/VMDK/QCOW2 readers are checked against, and
# e2fsprogs' mke2fs makes the file systems inside them, and libevtx-utils' evtxexport
# is what the EVTX parser's records are compared with. The file-system readers
# (evidence/fs, evidence/volume) are compared with The Sleuth Kit (sleuthkit:
# mmls, fls, icat) on images made with e2fsprogs (mke2fs -d, debugfs), ntfs-3g
# (mkntfs, the FUSE mount, ntfscp), dosfstools + mtools (mkfs.vfat, mcopy,
# mdel), xorriso (ISO 9660 with Joliet and Rock Ridge), xfsprogs (mkfs.xfs, its
# protofiles and xfs_db; the XFS tests loop-mount as root), exfatprogs (mkfs.exfat)
# and exfat-fuse (the exFAT tests mount with it as root when the kernel has no
# exfat driver), and partitioned with
# fdisk's sfdisk and gdisk's sgdisk; age and minisign
# are what a recipient of a sealed export checks it with (the export tests run
# exactly their commands).
TEST_TOOL_PKGS="ewf-tools dc3dd qemu-utils e2fsprogs libevtx-utils sleuthkit ntfs-3g dosfstools mtools xorriso xfsprogs exfatprogs exfat-fuse fdisk gdisk age minisign"

# The memory-dump tests: gdb's gcore dumps a running process to an ELF core,
# elfutils' eu-readelf and binutils' readelf decode its notes and segments, LLVM's
# yaml2obj/obj2yaml write and read minidumps, and binutils' strings is the peer of
# the strings scanner (and of its benchmark).
MEMORY_TOOL_PKGS="gdb elfutils binutils llvm"

# The Reports area draws a PDF's pages with poppler-utils' pdftoppm (its tests
# check the pages it draws; without it the preview shows the Markdown).
REPORT_TOOL_PKGS="poppler-utils"

# Team mode (casefile/team): its tests start their own PostgreSQL server from
# Debian's postgresql package (initdb and postgres in a temporary folder, on a
# Unix socket, as an unprivileged user); without it they skip.
TEAM_TOOL_PKGS="postgresql"

DEB_PKGS="$GUI_BUILD_PKGS $GUI_SMOKE_PKGS $TEST_TOOL_PKGS $MEMORY_TOOL_PKGS $REPORT_TOOL_PKGS $TEAM_TOOL_PKGS"

GO_CMD="${GO:-go}"

# --- helpers -------------------------------------------------------------------

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

is_debian() { command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; }

# deb_installed PKG: true when dpkg reports PKG as installed.
deb_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[[ $status == *" installed" ]]
}

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		if [[ -t 0 ]]; then
			sudo "$@"
		else
			# No terminal (CI): never hang on a password prompt.
			sudo -n "$@" || die "sudo needs a password but there is no terminal; run as root or install: $missing"
		fi
	else
		die "not root and sudo is not installed; as root, run: apt-get install $missing"
	fi
}

# --- Debian packages -----------------------------------------------------------

missing=""
if is_debian; then
	for pkg in $DEB_PKGS; do
		deb_installed "$pkg" || missing="$missing $pkg"
	done
	missing="${missing# }"
	if [[ -n $missing ]]; then
		say "installing missing packages: $missing"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
		# shellcheck disable=SC2086 # word splitting of the package list is intended
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	fi
else
	case "$(uname -s 2>/dev/null || echo unknown)" in
	Darwin)
		say "not Debian/Ubuntu: install the Xcode command line tools yourself (xcode-select --install)" ;;
	MINGW* | MSYS* | CYGWIN*)
		say "not Debian/Ubuntu: install a gcc toolchain yourself (e.g. MSYS2 mingw-w64-x86_64-gcc) and build with CGO_ENABLED=1" ;;
	*)
		say "not Debian/Ubuntu: install the equivalents of these Debian packages yourself:"
		say "  GUI build: $GUI_BUILD_PKGS"
		say "  GUI smoke test: $GUI_SMOKE_PKGS"
		say "  test tools: $TEST_TOOL_PKGS (libewf's ewfacquire/ewfverify for E01 tests and benchmarks, dc3dd for the hashing comparison; Homebrew: libewf)"
		say "  (Fedora: gcc libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel xorg-x11-server-Xvfb xorg-x11-xauth ImageMagick)" ;;
	esac
fi

# --- Go ------------------------------------------------------------------------

go_hint="install Go ${GO_MIN_MAJOR}.${GO_MIN_MINOR} or newer from https://go.dev/dl and put its bin directory on PATH"

command -v "$GO_CMD" >/dev/null 2>&1 || die "'$GO_CMD' not found; $go_hint"

# Ask the installed toolchain itself (GOTOOLCHAIN=local, outside the module), so
# an automatic toolchain download cannot hide an old Go.
go_version=$(cd / && GOTOOLCHAIN=local "$GO_CMD" env GOVERSION 2>/dev/null) ||
	die "'$GO_CMD env GOVERSION' failed; $go_hint"

if [[ $go_version =~ ^go([0-9]+)\.([0-9]+) ]]; then
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	if ((major < GO_MIN_MAJOR || (major == GO_MIN_MAJOR && minor < GO_MIN_MINOR))); then
		die "found $go_version, need go${GO_MIN_MAJOR}.${GO_MIN_MINOR} or newer; $go_hint"
	fi
elif [[ $go_version == devel* ]]; then
	say "warning: development Go toolchain ($go_version); assuming it is new enough"
else
	die "cannot parse the Go version '$go_version'; $go_hint"
fi

exit 0
