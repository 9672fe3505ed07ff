/* opts_size.h: the size of the input, when it is known before reading (issue 6:
 * definite lengths for raw CMS from a regular file). */
#ifndef CACHET_CLI_OPTS_SIZE_H
#define CACHET_CLI_OPTS_SIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* cachet_cli_input_size: true with *out_size when --in (or stdin, without --in
 * or with "-") is a regular file: its size from where reading starts. False for
 * pipes, terminals, devices, or when --raw is not set (the S/MIME entity is
 * canonicalised, so the input's size says nothing about it). A file that changes
 * size before it is read then fails the operation with a clear error. */
bool cachet_cli_input_size(const cachet_cli_opts *o, uint64_t *out_size);

#endif
