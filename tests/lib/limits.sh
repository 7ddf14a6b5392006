# limits.sh: sourced by the scripts that run a program under an
# address-space limit (ulimit -v), from the repository's root.  Skips
# under the sanitizers (their shadow memory needs no limit); gives $work,
# a folder removed at exit, with the test key in it; and under_limit KB
# CMD...: CMD with its address space limited to KB kilobytes.
set -u
case ${BIN:-bin} in *san*) echo "ok skipped under the sanitizers"; exit 0 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'nzccss-test-key-0123456789abcdef' > "$work/test.key"
chmod 600 "$work/test.key"

under_limit() {
	( ulimit -v "$1"; shift; exec "$@" )
}
