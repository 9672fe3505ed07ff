/* cms/ess_info.c: ownership of what issue 7 adds to a signer report (the ESS
 * attributes, nested countersigners) and to a layer report (a receipt). */
#include <string.h>

#include "cms/attributes.h"

cachet_ess_info *cachet_cms_ess_info_get(cachet_signer_report *rep) {
    if (rep->ess == NULL) {
        rep->ess = cachet_calloc(1, sizeof(*rep->ess));
    }
    return rep->ess;
}

static void free_strings(char **list, size_t num) {
    for (size_t i = 0; i < num; i++) {
        cachet_free(list[i]);
    }
    cachet_free(list);
}

static void free_label(cachet_security_label *l) {
    for (size_t i = 0; i < l->num_categories; i++) {
        cachet_free(l->categories[i].value_hex);
    }
    cachet_free(l->categories);
}

void cachet_cms_ess_info_free(cachet_ess_info *ess) {
    if (ess == NULL) {
        return;
    }
    cachet_free(ess->receipt_content_id_hex);
    free_strings(ess->receipts_from_list, ess->num_receipts_from_list);
    free_strings(ess->receipts_to, ess->num_receipts_to);
    cachet_free(ess->content_identifier_hex);
    if (ess->label != NULL) {
        free_label(ess->label);
        cachet_free(ess->label);
    }
    for (size_t i = 0; i < ess->num_equivalent_labels; i++) {
        free_label(&ess->equivalent_labels[i]);
    }
    cachet_free(ess->equivalent_labels);
    cachet_free(ess->content_reference_id_hex);
    cachet_free(ess->ml_history);
    cachet_free(ess->signature_policy_hash_hex);
    cachet_free(ess);
}

/* NOLINTNEXTLINE(misc-no-recursion): reports nest countersigners 4 deep at most */
void cachet_cms_signer_report_clear(cachet_signer_report *rep) {
    if (rep == NULL) {
        return;
    }
    cachet_cert_emails_free(rep->emails, rep->num_emails);
    cachet_cms_ess_info_free(rep->ess);
    for (size_t i = 0; i < rep->num_countersigners; i++) {
        cachet_cms_signer_report_clear(&rep->countersigners[i]);
    }
    cachet_free(rep->countersigners);
    memset(rep, 0, sizeof(*rep));
}
