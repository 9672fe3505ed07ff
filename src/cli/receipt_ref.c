/* cli/receipt_ref.c: PLACEHOLDER until the receipts engineer writes it (issue 7). */
#include "cli.h"

bool cachet_cli_load_receipt_ref(const cachet_cli_op_env *e, const char *path,
                                 cachet_receipt_ref **out) {
    (void)path;
    *out = NULL;
    e->err->status = CACHET_ERR_UNSUPPORTED;
    snprintf(e->err->message, sizeof(e->err->message), "receipts are not built yet");
    return false;
}
