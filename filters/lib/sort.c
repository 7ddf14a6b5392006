/* sort.c: sorting that qsort does too slowly. */
#include <string.h>

#include "nz.h"

/* LSD radix, RADIX_BITS a pass: two passes for keys under 4 million. */
enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS };

void
nz_sort_hi32(uint64_t *v, uint64_t *tmp, size_t n)
{
	size_t count[RADIX], i, sum, c;
	uint64_t max = 0, *from = v, *to = tmp, *swap;
	unsigned shift;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (shift = 32; shift < 64 && max >> shift; shift += RADIX_BITS) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(from[i] >> shift) & (RADIX - 1)]++;
		for (i = 0, sum = 0; i < RADIX; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i] >> shift) & (RADIX - 1)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
}
