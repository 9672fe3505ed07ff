/* Credentials from the store: the key of an address (cachet_credential_from_store)
 * and token keys by URI (cachet_credential_load_pkcs11). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smime/store_internal.h"

/* The most issuers appended to a credential's chain. */
#define MAX_CHAIN 8

static bool usable_for(const cachet_db_cert *rec, bool for_decrypt) {
    unsigned ku = rec->key_usage;
    if ((ku & CACHET_KU_ABSENT) != 0) {
        return true;
    }
    if (for_decrypt) {
        return (ku & (CACHET_KU_KEY_ENCIPHERMENT | CACHET_KU_KEY_AGREEMENT)) != 0;
    }
    return (ku & (CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_NON_REPUDIATION)) != 0;
}

/* pick chooses the first (newest: the store orders by not_before) record that
 * has a key, is valid at |now| and allows the use; the reason for none goes
 * into |err|. */
static cachet_status pick(const cachet_db_cert *recs, size_t num, const char *address,
                          bool for_decrypt, int64_t now, size_t *out, cachet_error *err) {
    size_t no_key = 0, invalid = 0, wrong_use = 0;
    for (size_t i = 0; i < num; i++) {
        if (recs[i].key_ref[0] == '\0') {
            no_key++;
        } else if (now < recs[i].not_before || now > recs[i].not_after) {
            invalid++;
        } else if (!usable_for(&recs[i], for_decrypt)) {
            wrong_use++;
        } else {
            *out = i;
            return CACHET_OK;
        }
    }
    if (num == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, address, -1,
                              "no certificate for %s in the store", address);
    }
    return cachet_err_set(err, CACHET_ERR_KEY, address, -1,
                          "no key for %s in the store to %s with (%zu without a key, %zu not "
                          "valid now, %zu not for %s)",
                          address, for_decrypt ? "decrypt" : "sign", no_key, invalid, wrong_use,
                          for_decrypt ? "encryption" : "signing");
}

cachet_status cachet_credential_from_store(cachet_store *st, const char *address, bool for_decrypt,
                                           const char *pass, cachet_credential **out,
                                           cachet_error *err) {
    if (st == NULL || st->db == NULL || address == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "store, address and output needed");
    }
    *out = NULL;
    char norm[512];
    if (!cachet_db_normalize_address(address, norm, sizeof(norm))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "address", -1,
                              "\"%s\" is not an email address", address);
    }
    cachet_db_cert *recs = NULL;
    size_t num = 0, chosen = 0;
    cachet_credential *cred = NULL;
    cachet_status s = cachet_db_find_by_email(st->db, norm, &recs, &num, err);
    if (s == CACHET_OK) {
        s = pick(recs, num, norm, for_decrypt, (int64_t)time(NULL), &chosen, err);
    }
    if (s == CACHET_OK) {
        cred = cachet_calloc(1, sizeof(*cred));
        if (cred == NULL) {
            s = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        }
    }
    if (s == CACHET_OK) {
        s = cachet_pki_record_cert(&recs[chosen], &cred->cert, err);
    }
    if (s == CACHET_OK) {
        s = cachet_pki_load_key_ref(recs[chosen].key_ref, pass, cred->cert, &cred->key, err);
    }
    if (s == CACHET_OK) {
        s = cachet_pki_store_chain(st->db, NULL, cred->cert, MAX_CHAIN, &cred->chain, err);
    }
    cachet_db_certs_free(recs, num);
    if (s != CACHET_OK) {
        cachet_credential_free(cred);
        return s;
    }
    *out = cred;
    return CACHET_OK;
}

cachet_status cachet_credential_load_pkcs11(const char *uri, const char *cert_path,
                                            cachet_credential **out, cachet_error *err) {
    if (uri == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "pkcs11", -1, "a PKCS#11 URI is needed");
    }
    *out = NULL;
    cachet_credential *cred = cachet_calloc(1, sizeof(*cred));
    if (cred == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "pkcs11", -1, "out of memory");
    }
    cachet_status s = CACHET_OK;
    cachet_cert_list certs = {0};
    if (cert_path != NULL) {
        s = cachet_store_load_cert_file(cert_path, &certs, err);
        if (s == CACHET_OK) {
            cred->cert = cachet_cert_up_ref(certs.certs[0]);
            for (size_t i = 1; s == CACHET_OK && i < certs.num; i++) {
                if (!cachet_cert_list_push(&cred->chain, certs.certs[i])) {
                    s = cachet_err_set(err, CACHET_ERR_NOMEM, "pkcs11", -1, "out of memory");
                }
            }
        }
    }
    if (s == CACHET_OK) {
        s = cachet_pki_p11_load(uri, cred->cert, &cred->key,
                                cred->cert != NULL ? NULL : &cred->cert, err);
    }
    if (s == CACHET_OK && cred->cert == NULL) {
        s = cachet_err_set(err, CACHET_ERR_KEY, "pkcs11", -1,
                           "no certificate for the key on the token");
    }
    cachet_cert_list_clear(&certs);
    if (s != CACHET_OK) {
        cachet_credential_free(cred);
        return s;
    }
    *out = cred;
    return CACHET_OK;
}
