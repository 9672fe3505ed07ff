/* Credentials (a private key, its certificate and chain) and certificate files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "smime/internal.h"

cachet_status cachet_smime_read_file(const char *path, size_t max, cachet_membuf *out,
                                     cachet_error *err) {
    return cachet_pki_read_file(path, max, CACHET_ERR_IO, "", out, err);
}

/* key_error turns a lower-level failure into CACHET_ERR_KEY naming the file,
 * keeping the lower-level reason in the message; CACHET_ERR_NOMEM instead when
 * an allocation failed since |failures| (cachet_alloc_failures()): the file
 * may be fine (a parse cut short by the shortage looks "malformed"). */
static cachet_status key_error(cachet_error *err, const char *path, const char *what,
                               unsigned long failures) {
    cachet_status st = CACHET_ERR_KEY;
    if (cachet_alloc_failures() != failures || (err != NULL && err->status == CACHET_ERR_NOMEM)) {
        st = CACHET_ERR_NOMEM;
    }
    if (err == NULL) {
        return st;
    }
    char reason[sizeof(err->message)];
    snprintf(reason, sizeof(reason), "%s", err->message);
    cachet_err_clear(err);
    if (reason[0] != '\0') {
        cachet_err_set(err, st, path, -1, "cannot read %s from %s: %s", what, path, reason);
    } else {
        cachet_err_set(err, st, path, -1, "cannot read %s from %s", what, path);
    }
    return st;
}

static cachet_credential *credential_alloc(void) {
    return cachet_calloc(1, sizeof(cachet_credential));
}

void cachet_credential_free(cachet_credential *cred) {
    if (cred == NULL) {
        return;
    }
    cachet_pkey_free(cred->key);
    cachet_cert_free(cred->cert);
    cachet_cert_list_clear(&cred->chain);
    cachet_free(cred);
}

/* key_matches_cert refuses a key file that does not belong to the certificate,
 * which would otherwise only show up as a confusing signature or decryption failure. */
static cachet_status key_matches_cert(cachet_credential *cred, const char *where, cachet_error *err,
                                      unsigned long failures) {
    cachet_pkey *pub = cachet_cert_pkey(cred->cert);
    bool ok = pub != NULL && cachet_pkey_matches(pub, cred->key);
    cachet_pkey_free(pub);
    if (!ok && cachet_alloc_failures() != failures) {
        /* an allocation failed while loading or comparing: OpenSSL may have
         * made do with less of the key, which then says nothing of the file */
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1,
                              "out of memory comparing the private key with the certificate");
    }
    if (!ok) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                              "the private key does not match the certificate");
    }
    cred->key_checked = true; /* so that signing does not compare them per message */
    return CACHET_OK;
}

cachet_status cachet_credential_load(const char *cert_path, const char *key_path, const char *pass,
                                     cachet_credential **out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    if (cert_path == NULL || key_path == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "certificate and key paths needed");
    }
    cachet_membuf buf = {0};
    cachet_cert_list certs = {0};
    cachet_credential *cred = credential_alloc();
    cachet_status st = CACHET_ERR_NOMEM;
    if (cred == NULL) {
        cachet_err_set(err, st, "", -1, "out of memory");
        goto done;
    }
    st = cachet_smime_read_file(cert_path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st != CACHET_OK) {
        goto done;
    }
    st = cachet_cert_load(buf.data, buf.len, &certs, err);
    if (st == CACHET_OK && certs.num == 0) {
        st = cachet_err_set(err, CACHET_ERR_KEY, cert_path, -1, "no certificate in %s", cert_path);
    }
    if (st != CACHET_OK) {
        st = key_error(err, cert_path, "a certificate", failures);
        goto done;
    }
    cred->cert = cachet_cert_up_ref(certs.certs[0]);
    for (size_t i = 1; i < certs.num; i++) {
        if (!cachet_cert_list_push(&cred->chain, certs.certs[i])) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
            goto done;
        }
    }
    st = cachet_smime_read_file(key_path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st != CACHET_OK) {
        goto done;
    }
    st = cachet_pkey_load_private(buf.data, buf.len, pass, &cred->key, err);
    if (st != CACHET_OK) {
        st = key_error(err, key_path, "a private key", failures);
        goto done;
    }
    st = key_matches_cert(cred, key_path, err, failures);
done:
    cachet_membuf_free_secret(&buf);
    cachet_cert_list_clear(&certs);
    if (st != CACHET_OK) {
        cachet_credential_free(cred);
        return st;
    }
    *out = cred;
    return CACHET_OK;
}

cachet_status cachet_credential_load_p12(const char *path, const char *pass,
                                         cachet_credential **out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    if (path == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "PKCS#12 path needed");
    }
    cachet_membuf buf = {0};
    cachet_credential *cred = credential_alloc();
    cachet_status st = CACHET_ERR_NOMEM;
    if (cred == NULL) {
        cachet_err_set(err, st, "", -1, "out of memory");
        goto done;
    }
    st = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st != CACHET_OK) {
        goto done;
    }
    st = cachet_pkcs12_load(buf.data, buf.len, pass, &cred->key, &cred->cert, &cred->chain, err);
    if (st != CACHET_OK) {
        st = key_error(err, path, "a PKCS#12 key and certificate", failures);
        goto done;
    }
    if (cred->key == NULL || cred->cert == NULL) {
        st = cachet_err_set(err, CACHET_ERR_KEY, path, -1,
                            "%s holds no private key with its certificate", path);
        goto done;
    }
    st = key_matches_cert(cred, path, err, failures);
done:
    cachet_membuf_free_secret(&buf);
    if (st != CACHET_OK) {
        cachet_credential_free(cred);
        return st;
    }
    *out = cred;
    return CACHET_OK;
}

cachet_status cachet_credential_add_chain_file(cachet_credential *cred, const char *path,
                                               cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    if (cred == NULL || path == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "credential and path needed");
    }
    cachet_membuf buf = {0};
    cachet_status st = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st == CACHET_OK) {
        size_t before = cred->chain.num;
        st = cachet_cert_load(buf.data, buf.len, &cred->chain, err);
        if (st == CACHET_OK && cred->chain.num == before) {
            st = cachet_err_set(err, CACHET_ERR_KEY, path, -1, "no certificate in %s", path);
        } else if (st != CACHET_OK) {
            st = key_error(err, path, "certificates", failures);
        }
    }
    cachet_membuf_free(&buf);
    return st;
}

cachet_status cachet_cert_load_file(const char *path, cachet_cert **out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    if (path == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "certificate path needed");
    }
    cachet_membuf buf = {0};
    cachet_cert_list certs = {0};
    cachet_status st = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st == CACHET_OK) {
        st = cachet_cert_load(buf.data, buf.len, &certs, err);
        if (st == CACHET_OK && certs.num == 0) {
            st = cachet_err_set(err, CACHET_ERR_KEY, path, -1, "no certificate in %s", path);
        } else if (st != CACHET_OK) {
            st = key_error(err, path, "a certificate", failures);
        }
    }
    if (st == CACHET_OK) {
        *out = cachet_cert_up_ref(certs.certs[0]);
    }
    cachet_cert_list_clear(&certs);
    cachet_membuf_free(&buf);
    return st;
}
