# tree.sh: sourced by end-to-end scripts that build in a copy of the
# repository (a fresh out/, their own agencies).
#
# copy_tree DIR: the Makefile, pipelines/ and filters/ and the built
# programs and libraries of bin/ (not the sanitizer, test or fuzz
# builds), all with their times, so that make in DIR finds every program
# up to date and builds nothing.  Run from the repository's root.
copy_tree() {
	mkdir -p "$1/bin"
	cp -p Makefile "$1/"
	cp -Rp pipelines filters "$1/"
	(cd bin && tar cf - --exclude=./san --exclude=./test --exclude=./fuzz \
	    --exclude=./man .) | (cd "$1/bin" && tar xpf -)
}
