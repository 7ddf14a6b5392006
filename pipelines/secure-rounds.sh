#!/bin/sh
# secure-rounds.sh: the secure rounds of every quarter, all parties in one
# build (make national MODE=secure, pipelines/secure.mk).  In real use
# each agency runs its 'secvector' steps on its own machine with its own
# key file and pinned-keys file, and only the statements, acks and
# vectors travel; here the sample agencies' demo keys sit side by side
# under out/secure/keys.
#   secure-rounds.sh OUT K PINNED STATE FROM AGENCY...
# For each quarter any agency's cells hold, from FROM on (YYYYQn; empty:
# every quarter): the participants are the
# agencies with cells of it (at least 3); round r (indicator) then r+1
# (value, the cells with K or more contributors), r one after the last
# round STATE/secure.csv has for the quarter, so a re-run over the same
# list has fresh masks.  Writes OUT/rounds/<quarter>/ and, for all
# quarters, OUT/contributors.csv and OUT/sums.csv.  Any refusal stops it.
set -eu
out=$1 k=$2 pinned=$3 state=$4 from=$5
shift 5
keys=$out/keys
cells() { echo "out/agency/$1/cells.csv"; }

quarters=$(for a in "$@"; do tail -n +2 "$(cells "$a")" | cut -d, -f1; done |
	sort -u | awk -v f="$from" '$0 >= f')
rm -rf "$out/rounds" "$out/contributors.csv.tmp" "$out/sums.csv.tmp"
for q in $quarters; do
	list=
	for a in "$@"; do
		if grep -q "^$q," "$(cells "$a")"; then list=$list${list:+,}$a; fi
	done
	last=$(awk -F, -v q="$q" '$1 == q && $2 > m { m = $2 } END { print m + 0 }' \
		"$state/secure.csv" 2>/dev/null || echo 0)
	r=$((last + 1))
	dir=$out/rounds/$q
	mkdir -p "$dir"
	echo "secure $q: rounds $r and $((r + 1)) over $list (k $k)" >&2
	for kind in indicator value; do
		d=$dir/$kind
		mkdir -p "$d/acks" "$d/vectors"
		# a value round names its indicator round, whose statement and
		# vectors NZCCSS forwards: each agency checks the included cells
		# against them before it acknowledges or sends
		if [ "$kind" = value ]; then
			ind=$dir/indicator
			extra="--contributors $dir/contributors.csv --indicator $ind/round.txt"
			check="--indicator $ind/round.txt $(ls "$ind"/vectors/*.vec)"
		else extra= check=; fi
		bin/secround open --quarter "$q" --round "$r" --kind "$kind" \
			--k "$k" --participants "$list" --pinned "$pinned" \
			--secret "$keys/nzccss.key" --state "$state" $extra \
			> "$d/round.txt"
		for a in $(echo "$list" | tr , ' '); do
			bin/secvector ack --round "$d/round.txt" --pinned "$pinned" \
				--secret "$keys/$a.key" --party "$a" $check \
				> "$d/acks/$a.ack"
		done
		for a in $(echo "$list" | tr , ' '); do
			bin/secvector send --round "$d/round.txt" --pinned "$pinned" \
				--secret "$keys/$a.key" --party "$a" \
				--cells "$(cells "$a")" $check "$d"/acks/*.ack \
				> "$d/vectors/$a.vec"
		done
		if [ "$kind" = indicator ]; then sum=$dir/contributors.csv
		else sum=$dir/sums.csv; fi
		bin/secround sum --round "$d/round.txt" --pinned "$pinned" \
			--state "$state" "$d"/vectors/*.vec > "$sum"
		r=$((r + 1))
	done
	cat "$dir/contributors.csv" >> "$out/contributors.csv.tmp"
	cat "$dir/sums.csv" >> "$out/sums.csv.tmp"
done
mv "$out/contributors.csv.tmp" "$out/contributors.csv"
mv "$out/sums.csv.tmp" "$out/sums.csv"
