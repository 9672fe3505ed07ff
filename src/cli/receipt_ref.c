/* cli/receipt_ref.c: the original message a receipt answers (verify
 * --receipt-for) or a reply refers to (sign --content-reference), read as it
 * was sent, streaming, through cachet_receipt_ref_new. */
#include "cli.h"

bool cachet_cli_load_receipt_ref(const cachet_cli_op_env *e, const char *path,
                                 cachet_receipt_ref **out) {
    *out = NULL;
    int fd = -1;
    if (cachet_cli_open_input(e->o->cmd, path, &fd) != -1) {
        e->err->status = CACHET_ERR_USAGE;
        snprintf(e->err->message, sizeof(e->err->message), "cannot read the original message %s",
                 path);
        return false;
    }
    /* the original is our own message: an enveloped layer opens with our key */
    cachet_verify_opts vo = {.decrypt_with = e->cred, .raw = e->o->raw};
    cachet_op *op = cachet_receipt_ref_new(e->ctx, &vo, e->err);
    if (op == NULL) {
        cachet_cli_close_input(fd);
        return false;
    }
    cachet_error err;
    cachet_report *rep = NULL;
    cachet_status st = cachet_cli_run(op, -1, fd, &rep, &err);
    cachet_report_free(rep);
    cachet_cli_close_input(fd);
    if (st == CACHET_OK) {
        *out = cachet_op_take_receipt_ref(op);
    }
    if (*out == NULL) {
        *e->err = err;
        snprintf(e->err->where, sizeof(e->err->where), "original message %s", path);
        if (e->err->status == CACHET_OK) {
            e->err->status = CACHET_ERR_INTERNAL;
        }
        /* the FILE given is not what the option wants: the caller's mistake */
        if (e->err->status == CACHET_ERR_NO_SIGNERS) {
            e->err->status = CACHET_ERR_USAGE;
            snprintf(e->err->message, sizeof(e->err->message),
                     "not a signed message: nothing a receipt or reply could refer to");
        }
    }
    cachet_op_free(op);
    return *out != NULL;
}
