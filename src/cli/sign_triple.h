/* cli/sign_triple: the recipients of `cachet sign --triple-wrap` (RFC 2634
 * §1.1): --to CERT files, or addresses looked up in the store, and --cipher /
 * --oaep, as `cachet encrypt` takes them. */
#ifndef CACHET_CLI_SIGN_TRIPLE_H
#define CACHET_CLI_SIGN_TRIPLE_H

#include "cli.h"

typedef struct cachet_cli_triple {
    cachet_cli_to to; /* the middle layer's recipients */
} cachet_cli_triple;

/* cachet_cli_triple_prepare checks the options that go with --triple-wrap (and
 * refuses --to/--cipher/--oaep without it) and loads the --to certificates.
 * Returns -1 to go on, or the exit status (reported). */
int cachet_cli_triple_prepare(cachet_cli_opts *o, cachet_cli_triple *t);
/* cachet_cli_triple_encrypt_opts fills the middle layer's options. */
void cachet_cli_triple_encrypt_opts(const cachet_cli_opts *o, const cachet_cli_triple *t,
                                    cachet_encrypt_opts *eo);
void cachet_cli_triple_free(cachet_cli_triple *t);

#endif
