/* cli/report_receipt.c: a signed receipt layer (RFC 2634 §2.7) in the verify
 * report: the JSON member "receipt" of the layer and one text line. What came
 * from the message goes through the escaping writers (ATTACKS CL-02). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cachet_cli_json_receipt(FILE *f, const char *indent, const cachet_layer_report *l) {
    const cachet_receipt_info *r = l->receipt;
    char in[64];
    if (r == NULL) {
        return;
    }
    snprintf(in, sizeof(in), "%s  ", indent);
    cachet_cli_json_key(f, indent, "receipt", false);
    fputs("{", f);
    cachet_cli_json_kstr(f, in, "content_type", r->content_type, true);
    cachet_cli_json_kstr(f, in, "content_identifier",
                         r->content_id_hex != NULL ? r->content_id_hex : "", false);
    cachet_cli_json_kstr(f, in, "originator_signature",
                         r->signature_hex != NULL ? r->signature_hex : "", false);
    cachet_cli_json_key(f, in, "matched", false);
    fputs(r->matched == 1 ? "true" : r->matched == 0 ? "false" : "null", f);
    if (r->matched == 0) {
        cachet_cli_json_kstr(f, in, "mismatch", r->match_detail, false);
    }
    fprintf(f, "\n%s}", indent);
}

void cachet_cli_text_receipt(FILE *f, const char *prefix, const cachet_layer_report *l) {
    const cachet_receipt_info *r = l->receipt;
    if (r == NULL) {
        return;
    }
    fprintf(f, "%ssigned receipt for content of type ", prefix);
    cachet_cli_put_escaped(f, r->content_type);
    fputs(", content identifier ", f);
    const char *id = r->content_id_hex != NULL ? r->content_id_hex : "";
    /* long identifiers are cut: the JSON report has them whole */
    fprintf(f, "%.32s%s: ", id, strlen(id) > 32 ? "..." : "");
    if (r->matched == 1) {
        fputs("matches the original\n", f);
    } else if (r->matched == 0) {
        fputs("does NOT match the original: ", f);
        cachet_cli_put_escaped(f, r->match_detail);
        fputc('\n', f);
    } else {
        fputs("not checked (give the original with --receipt-for)\n", f);
    }
}
