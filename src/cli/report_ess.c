/* cli/report_ess.c: PLACEHOLDER until the ESS attributes engineer writes it (issue 7). */
#include "cli.h"

void cachet_cli_json_ess(FILE *f, const char *indent, const cachet_signer_report *s) {
    (void)f, (void)indent, (void)s;
}

void cachet_cli_text_ess(FILE *f, const char *prefix, const cachet_signer_report *s) {
    (void)f, (void)prefix, (void)s;
}
