/* cli/cmd_countersign.c: PLACEHOLDER until the countersignature engineer writes it (issue 7). */
#include "cli.h"

int cachet_cmd_countersign(int argc, char **argv) {
    (void)argc, (void)argv;
    cachet_cli_errorf("countersign", "not built yet");
    return CACHET_EXIT_USAGE;
}
