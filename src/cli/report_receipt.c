/* cli/report_receipt.c: PLACEHOLDER until the receipts engineer writes it (issue 7). */
#include "cli.h"

void cachet_cli_json_receipt(FILE *f, const char *indent, const cachet_layer_report *l) {
    (void)f, (void)indent, (void)l;
}

void cachet_cli_text_receipt(FILE *f, const char *prefix, const cachet_layer_report *l) {
    (void)f, (void)prefix, (void)l;
}
