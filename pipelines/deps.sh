#!/bin/sh
# deps.sh: make sure the Debian packages the build and tests need are here.
# As root it installs what is missing; otherwise it prints the exact line.
# usage: deps.sh STAMP-FILE PACKAGE...
set -eu
stamp=$1
shift
missing=
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $pkg"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "deps: installing missing Debian packages:$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 || true
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >&2
	else
		echo "deps: missing Debian packages. As root, run:" >&2
		echo "  apt-get install -y$missing" >&2
		exit 1
	fi
fi
mkdir -p "$(dirname "$stamp")"
touch "$stamp"
