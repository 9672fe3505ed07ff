/* cli/cmd_receipt.c: PLACEHOLDER until the receipts engineer writes it (issue 7). */
#include "cli.h"

int cachet_cmd_receipt(int argc, char **argv) {
    (void)argc, (void)argv;
    cachet_cli_errorf("receipt", "not built yet");
    return CACHET_EXIT_USAGE;
}
