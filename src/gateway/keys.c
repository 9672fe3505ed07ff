/* keys: the authority credentials of our domains, opened once at start from the
 * configured files or from the store by the RFC 3183 reserved addresses, and
 * then only read by message threads. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cachet/domsec.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "gateway/config.h"
#include "gateway/process.h"
#include "smime/internal.h"

/* A domain has at most four authority keys: DSA, DCA, review, attributes. */
#define KEYS_PER_DOMAIN 4

typedef struct key_entry {
    char domain[CACHETD_NAME_MAX];
    const char *local; /* one of the CACHETD_*_LOCAL constants */
    cachet_credential *cred;
} key_entry;

struct cachetd_keys {
    key_entry entries[CACHETD_MAX_DOMAINS * KEYS_PER_DOMAIN];
    size_t num;
};

typedef struct loader {
    const cachetd_config *cfg;
    cachet_store *st; /* opened on first need */
    bool store_tried;
    cachet_error store_err;
    char *err;
    size_t err_len;
} loader;

static void say(loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(loader *l, const char *fmt, ...) {
    if (l->err == NULL || l->err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, l->err_len, fmt, ap);
    va_end(ap);
}

static const char *store_name(const cachetd_config *cfg) {
    return cfg->store[0] != '\0' ? cfg->store : "(the default store)";
}

static cachet_store *need_store(loader *l) {
    if (!l->store_tried) {
        l->store_tried = true;
        cachet_err_clear(&l->store_err);
        if (cachet_store_open(l->cfg->store[0] != '\0' ? l->cfg->store : NULL, &l->st,
                              &l->store_err) != CACHET_OK) {
            l->st = NULL;
        }
    }
    return l->st;
}

/* follows_naming: our own authority certificate is named as RFC 3183 §3.1.1
 * and §4.1 require (exactly one CN, the reserved name; every address's local
 * part the reserved name and its domain ours or an ascendant of it), so that
 * receivers' naming checks pass and a wrong file is refused at start, not
 * discovered by partners. On failure frees *cred. */
static bool follows_naming(loader *l, const cachetd_domain *dom, const char *local,
                           const char *addr, cachet_credential **cred) {
    const cachet_cert *cert = (*cred)->cert;
    char cn[128] = "", why[256] = "";
    size_t ncn = cachet_cert_common_name(cert, cn, sizeof(cn));
    if (ncn != 1 || strcasecmp(cn, local) != 0) {
        snprintf(why, sizeof(why), "its subject has %zu CN%s%s%s (exactly one CN '%s' is required)",
                 ncn, ncn == 1 ? " '" : "", ncn == 1 ? cn : "", ncn == 1 ? "'" : "", local);
    }
    char **emails = NULL;
    size_t n = cachet_cert_emails(cert, &emails);
    for (size_t i = 0; i < n && why[0] == '\0'; i++) {
        const char *at = strrchr(emails[i], '@');
        size_t llen = at != NULL ? (size_t)(at - emails[i]) : 0;
        if (at == NULL || llen != strlen(local) || strncasecmp(emails[i], local, llen) != 0 ||
            !cachet_domsec_is_ascendant(at + 1, dom->name, false)) {
            snprintf(why, sizeof(why),
                     "its address %s is not %s@%s or %s@ an ascendant domain of it", emails[i],
                     local, dom->name, local);
        }
    }
    cachet_cert_emails_free(emails, n);
    if (why[0] == '\0') {
        return true;
    }
    say(l, "[domain %s]: the certificate of %s does not follow the RFC 3183 naming convention: %s",
        dom->name, addr, why);
    cachet_credential_free(*cred);
    *cred = NULL;
    return false;
}

/* load_one opens the credential of |local|@|dom|: from the files when both are
 * given, else from the store. |required| false: a key the store does not have
 * is no error (*out stays NULL). */
static bool load_one(loader *l, const cachetd_domain *dom, const char *local, const char *cert,
                     const char *key, bool for_decrypt, bool required, cachet_credential **out) {
    *out = NULL;
    char addr[CACHETD_NAME_MAX];
    if (!cachet_domsec_authority_address(addr, sizeof(addr), local, dom->name)) {
        say(l, "[domain %s]: the authority address %s@%s is too long", dom->name, local, dom->name);
        return false;
    }
    cachet_error e;
    cachet_err_clear(&e);
    if (strncmp(key, "pkcs11:", 7) == 0) {
        /* A token key; the certificate from the file or else from the token. */
        if (cachet_credential_load_pkcs11(key, cert[0] != '\0' ? cert : NULL, out, &e) !=
            CACHET_OK) {
            say(l, "[domain %s]: cannot load the token key of %s (%s): %s", dom->name, addr, key,
                e.message);
            return false;
        }
        return follows_naming(l, dom, local, addr, out);
    }
    if (cert[0] != '\0' || key[0] != '\0') {
        if (cert[0] == '\0' || key[0] == '\0') {
            say(l, "[domain %s]: the key of %s needs both a certificate and a key file", dom->name,
                addr);
            return false;
        }
        if (cachet_credential_load(cert, key, NULL, out, &e) != CACHET_OK) {
            say(l, "[domain %s]: cannot load the key of %s from %s and %s: %s", dom->name, addr,
                cert, key, e.message);
            return false;
        }
        return follows_naming(l, dom, local, addr, out);
    }
    cachet_store *st = need_store(l);
    if (st == NULL) {
        say(l, "[domain %s]: the key of %s comes from the store, which cannot be opened (%s): %s",
            dom->name, addr, store_name(l->cfg), l->store_err.message);
        return false;
    }
    cachet_status s = cachet_credential_from_store(st, addr, for_decrypt, NULL, out, &e);
    if (s == CACHET_OK) {
        return follows_naming(l, dom, local, addr, out);
    }
    if (s == CACHET_ERR_KEY && !required) {
        return true;
    }
    if (s == CACHET_ERR_KEY) {
        say(l,
            "[domain %s]: no usable key for %s in the store %s (%s); import it with: "
            "cachet keys import --store %s --key KEY.pem --cert CERT.pem",
            dom->name, addr, store_name(l->cfg), e.message,
            l->cfg->store[0] != '\0' ? l->cfg->store : "URL");
    } else {
        say(l, "[domain %s]: cannot load the key of %s from the store %s: %s", dom->name, addr,
            store_name(l->cfg), e.message);
    }
    return false;
}

static bool add(cachetd_keys *k, const char *domain, const char *local, cachet_credential *cred) {
    if (cred == NULL) {
        return true;
    }
    key_entry *e = &k->entries[k->num++];
    snprintf(e->domain, sizeof(e->domain), "%s", domain);
    e->local = local;
    e->cred = cred;
    return true;
}

static bool load_domain(loader *l, cachetd_keys *k, const cachetd_domain *dom) {
    cachet_credential *c = NULL;
    if (dom->signing != CACHETD_SIGN_NONE) {
        if (!load_one(l, dom, CACHET_DOMSEC_DSA_LOCAL, dom->signing_cert, dom->signing_key, false,
                      true, &c)) {
            return false;
        }
        add(k, dom->name, CACHET_DOMSEC_DSA_LOCAL, c);
    }
    if (dom->decrypt) {
        /* Optional: without it inbound mail is decrypted with recipients' keys only. */
        if (!load_one(l, dom, CACHET_DOMSEC_DCA_LOCAL, dom->dca_cert, dom->dca_key, true, false,
                      &c)) {
            return false;
        }
        add(k, dom->name, CACHET_DOMSEC_DCA_LOCAL, c);
    }
    if (dom->review_signature) {
        if (!load_one(l, dom, CACHET_DOMSEC_RA_LOCAL, "", "", false, true, &c)) {
            return false;
        }
        add(k, dom->name, CACHET_DOMSEC_RA_LOCAL, c);
    }
    if (dom->attributes_signature) {
        if (!load_one(l, dom, CACHET_DOMSEC_AA_LOCAL, "", "", false, true, &c)) {
            return false;
        }
        add(k, dom->name, CACHET_DOMSEC_AA_LOCAL, c);
    }
    return true;
}

cachetd_keys *cachetd_keys_load(const cachetd_config *cfg, char *err, size_t err_len) {
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    if (cfg == NULL || cfg->num_domains > CACHETD_MAX_DOMAINS) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "no valid configuration to load keys for");
        }
        return NULL;
    }
    cachetd_keys *k = cachet_calloc(1, sizeof(*k));
    if (k == NULL) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "out of memory loading keys");
        }
        return NULL;
    }
    loader l = {.cfg = cfg, .err = err, .err_len = err_len};
    bool ok = true;
    for (size_t i = 0; ok && i < cfg->num_domains; i++) {
        ok = load_domain(&l, k, &cfg->domains[i]);
    }
    cachet_store_close(l.st);
    if (!ok) {
        cachetd_keys_free(k);
        return NULL;
    }
    return k;
}

void cachetd_keys_free(cachetd_keys *keys) {
    if (keys == NULL) {
        return;
    }
    for (size_t i = 0; i < keys->num; i++) {
        cachet_credential_free(keys->entries[i].cred);
    }
    cachet_free(keys);
}

const cachet_credential *cachetd_keys_get(const cachetd_keys *keys, const char *domain,
                                          const char *local) {
    if (keys == NULL || domain == NULL || local == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < keys->num; i++) {
        const key_entry *e = &keys->entries[i];
        if (strcasecmp(e->domain, domain) == 0 && strcasecmp(e->local, local) == 0) {
            return e->cred;
        }
    }
    return NULL;
}
