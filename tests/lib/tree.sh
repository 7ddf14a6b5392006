# tree.sh: sourced by end-to-end scripts that build in a copy of the
# repository (a fresh out/, their own agencies).
#
# copy_tree DIR: the Makefile, pipelines/ and filters/ and the built
# programs and libraries of bin/ (not the sanitizer, test or fuzz
# builds), all with their times, so that make in DIR finds every program
# up to date and builds nothing.  Run from the repository's root.  tar
# in the POSIX format, whose times keep their nanoseconds: the default
# format's whole seconds made an object built in the same second as a
# header was changed older than it, and make in DIR rebuilt the library,
# every program and then the agency under test (e2e-release's exposed
# release, made again from the sample data, was "built").
copy_tree() {
	mkdir -p "$1/bin"
	cp -p Makefile "$1/"
	cp -Rp pipelines filters "$1/"
	(cd bin && tar cf - --format=posix --exclude=./san --exclude=./test \
	    --exclude=./fuzz --exclude=./man .) | (cd "$1/bin" && tar xpf -)
}
