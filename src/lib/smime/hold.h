/* hold: a holding sink. Output of an operation that must not be released before
 * the operation succeeded (DESIGN.md principle 4; ATTACKS EF-05, EF-09, CL-01)
 * is written here: kept in memory up to a bound, then spilled to an unlinked
 * temporary file ($TMPDIR or /tmp, mode 0600, unlinked at once, so nothing is
 * left behind even on a crash). cachet_hold_commit copies everything to the
 * real sink; cachet_hold_discard drops it. Held bytes may be plaintext: memory
 * is cleansed when dropped. */
#ifndef CACHET_SMIME_HOLD_H
#define CACHET_SMIME_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef struct cachet_hold cachet_hold;

/* cachet_hold_new returns an empty hold keeping up to |mem_max| bytes in memory
 * (0 = spill at the first byte) and at most |max_total| bytes in all (0 = no
 * bound). Returns NULL with |err| set on allocation failure. */
cachet_hold *cachet_hold_new(size_t mem_max, uint64_t max_total, cachet_error *err);

/* cachet_hold_write appends |len| bytes. CACHET_ERR_IO if the temporary file cannot
 * be created or written, CACHET_ERR_LIMIT past max_total. After a failure the hold
 * is discarded and every later write fails. */
cachet_status cachet_hold_write(cachet_hold *h, const uint8_t *data, size_t len, cachet_error *err);

/* cachet_hold_sink returns a sink appending to |h| (no close function; details of
 * a failure are kept in the hold and read with cachet_hold_error). */
cachet_sink cachet_hold_sink(cachet_hold *h);
/* cachet_hold_error: the detail of the first failed write through the sink. */
const cachet_error *cachet_hold_error(const cachet_hold *h);

/* cachet_hold_size: bytes held. cachet_hold_spilled: whether a file is in use. */
uint64_t cachet_hold_size(const cachet_hold *h);
bool cachet_hold_spilled(const cachet_hold *h);

/* cachet_hold_commit writes everything held to |out| in order (it does not close
 * |out|) and leaves the hold empty. CACHET_ERR_IO or the sink's status on failure. */
cachet_status cachet_hold_commit(cachet_hold *h, const cachet_sink *out, cachet_error *err);

/* cachet_hold_discard drops everything held (memory cleansed, file closed); the
 * hold accepts no more writes. */
void cachet_hold_discard(cachet_hold *h);

/* cachet_hold_free discards and releases |h| (NULL accepted). */
void cachet_hold_free(cachet_hold *h);

#endif
