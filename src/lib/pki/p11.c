/* cachet_pki_p11_load: find the private key an RFC 7512 URI names, on a token
 * of the module the URI names (module-path) or of one of p11-kit's configured
 * modules, log in, and wrap it as an external cachet_pkey whose public half
 * comes from the certificate, checked against what the token says. */
#include <stdlib.h>
#include <string.h>

#include "pki/p11_internal.h"

/* Slots looked at per module: far more than any real module has. */
#define MAX_SLOTS 256u

typedef struct load_state {
    P11KitUri *uri;
    const char *uri_text; /* redacted */
    char pin[CACHET_P11_MAX_PIN + 1];
    bool have_pin;
    bool needed_pin;    /* a matching token wants a login we could not do */
    size_t tokens_seen; /* tokens matching the URI */
    cachet_p11_key *key;
} load_state;

/* find_key searches the open session for the one private key the URI names. */
static cachet_status find_key(load_state *ls, CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s,
                              CK_OBJECT_HANDLE *out, size_t *found, cachet_error *err) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
    CK_ULONG n = 1;
    static const CK_ATTRIBUTE_TYPE named[] = {CKA_ID, CKA_LABEL};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        CK_ATTRIBUTE *a = pk->p11_kit_uri_get_attribute(ls->uri, named[i]);
        if (a != NULL) {
            tmpl[n++] = *a;
        }
    }
    CK_RV rv = m->C_FindObjectsInit(s, tmpl, n);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_FindObjectsInit", rv);
    }
    CK_OBJECT_HANDLE objs[2];
    CK_ULONG got = 0;
    rv = m->C_FindObjects(s, objs, 2, &got);
    (void)m->C_FindObjectsFinal(s);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_FindObjects", rv);
    }
    *found = got;
    if (got == 1) {
        *out = objs[0];
    }
    return CACHET_OK;
}

/* login: CKR_USER_ALREADY_LOGGED_IN is success (the login is per token and
 * application, another key of ours may have done it). */
static cachet_status login(load_state *ls, CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s,
                           const char *token, cachet_error *err) {
    CK_RV rv = m->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)ls->pin, strlen(ls->pin));
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
        return CACHET_OK;
    }
    if (rv == CKR_PIN_INCORRECT) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "wrong PIN for token \"%s\" (%s, CKR_PIN_INCORRECT)", token,
                              ls->uri_text);
    }
    if (rv == CKR_PIN_LOCKED) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "PIN of token \"%s\" is locked (%s, CKR_PIN_LOCKED)", token,
                              ls->uri_text);
    }
    return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_Login", rv);
}

/* try_token opens a session on |slot|, logs in and looks for the key; on
 * success the session stays open in ls->key. */
static cachet_status try_token(load_state *ls, CK_FUNCTION_LIST *m, CK_SLOT_ID slot,
                               const CK_TOKEN_INFO *ti, cachet_error *err) {
    char token[33];
    cachet_p11_trim(ti->label, sizeof(ti->label), token, sizeof(token));
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    CK_RV rv = m->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK && ls->key->registered != NULL) {
        return CACHET_OK; /* one of p11-kit's modules: the next may hold the key */
    }
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_OpenSession", rv);
    }
    /* Only tokens that ask for it see the PIN: a URI without token= may match
     * tokens (p11-kit's trust module) that have no PIN at all. */
    cachet_status st = CACHET_OK;
    if ((ti->flags & CKF_LOGIN_REQUIRED) != 0) {
        if (ls->have_pin) {
            st = login(ls, m, s, token, err);
        } else {
            ls->needed_pin = true;
        }
    }
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
    size_t found = 0;
    if (st == CACHET_OK) {
        st = find_key(ls, m, s, &obj, &found, err);
    }
    if (st == CACHET_OK && found > 1) {
        st = cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                            "%s names more than one private key on token \"%s\": add id= or "
                            "object=",
                            ls->uri_text, token);
    }
    if (st != CACHET_OK || found == 0) {
        (void)m->C_CloseSession(s);
        return st;
    }
    ls->key->module = m;
    ls->key->session = s;
    ls->key->has_session = true;
    ls->key->key = obj;
    memcpy(ls->key->token, token, sizeof(token));
    return CACHET_OK;
}

/* search_module walks the module's slots with a token the URI matches. */
static cachet_status search_module(load_state *ls, CK_FUNCTION_LIST *m, cachet_error *err) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    CK_INFO info;
    if (m->C_GetInfo(&info) != CKR_OK || !pk->p11_kit_uri_match_module_info(ls->uri, &info)) {
        return CACHET_OK;
    }
    /* On CKR_BUFFER_TOO_SMALL the list is undefined (PKCS#11 v2.40 §5.5), so
     * a module with more slots than we look at is refused outright. */
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG num = MAX_SLOTS;
    CK_RV rv = m->C_GetSlotList(CK_TRUE, slots, &num);
    if (rv != CKR_OK && ls->key->registered != NULL) {
        return CACHET_OK; /* one of p11-kit's modules: the next may hold the key */
    }
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_GetSlotList", rv);
    }
    CK_SLOT_ID want_slot = pk->p11_kit_uri_get_slot_id(ls->uri);
    for (CK_ULONG i = 0; i < num && ls->key->module == NULL; i++) {
        CK_SLOT_INFO si;
        CK_TOKEN_INFO ti;
        if ((want_slot != (CK_SLOT_ID)-1 && slots[i] != want_slot) ||
            m->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
            !pk->p11_kit_uri_match_slot_info(ls->uri, &si) ||
            m->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
            !pk->p11_kit_uri_match_token_info(ls->uri, &ti)) {
            continue;
        }
        ls->tokens_seen++;
        cachet_status st = try_token(ls, m, slots[i], &ti, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return CACHET_OK;
}

/* search_modules loads the module of module-path, else p11-kit's configured
 * modules (filtered by module-name), and searches each. */
static cachet_status search_modules(load_state *ls, cachet_error *err) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    const char *path = pk->p11_kit_uri_get_module_path(ls->uri);
    /* The library never prints: p11-kit's messages are read with p11_kit_message. */
    pk->p11_kit_be_quiet();
    if (path != NULL) {
        CK_FUNCTION_LIST *m = pk->p11_kit_module_load(path, 0);
        if (m == NULL) {
            const char *why = pk->p11_kit_message();
            return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                                  "cannot load PKCS#11 module %s: %s (for %s)", path,
                                  why != NULL ? why : "no detail", ls->uri_text);
        }
        CK_RV rv = pk->p11_kit_module_initialize(m);
        if (rv != CKR_OK) {
            pk->p11_kit_module_release(m);
            return cachet_p11_fail(err, CACHET_ERR_KEY, ls->uri_text, "C_Initialize", rv);
        }
        ls->key->loaded = m;
        return search_module(ls, m, err);
    }
    ls->key->registered = pk->p11_kit_modules_load_and_initialize(0);
    if (ls->key->registered == NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "p11-kit could not load its configured modules (for %s)",
                              ls->uri_text);
    }
    const char *want = pk->p11_kit_uri_get_module_name(ls->uri);
    for (size_t i = 0; ls->key->registered[i] != NULL && ls->key->module == NULL; i++) {
        CK_FUNCTION_LIST *m = ls->key->registered[i];
        if (want != NULL) {
            char *name = pk->p11_kit_module_get_name(m);
            bool same = name != NULL && strcmp(name, want) == 0;
            free(name); /* p11-kit allocates with malloc */
            if (!same) {
                continue;
            }
        }
        cachet_status st = search_module(ls, m, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return CACHET_OK;
}

/* parse_uri checks the URI and that it names a private key, if it says. */
static cachet_status parse_uri(load_state *ls, const char *uri, cachet_error *err) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    ls->uri = pk->p11_kit_uri_new();
    if (ls->uri == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, CACHET_P11_WHERE, -1, "out of memory");
    }
    int rc = pk->p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, ls->uri);
    if (rc != P11_KIT_URI_OK) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                              "not a PKCS#11 URI (RFC 7512): %s: %s", ls->uri_text,
                              pk->p11_kit_uri_message(rc));
    }
    if (pk->p11_kit_uri_any_unrecognized(ls->uri)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                              "%s has path attributes p11-kit does not know", ls->uri_text);
    }
    CK_ATTRIBUTE *cls = pk->p11_kit_uri_get_attribute(ls->uri, CKA_CLASS);
    if (cls != NULL && (cls->ulValueLen != sizeof(CK_OBJECT_CLASS) ||
                        *(CK_OBJECT_CLASS *)cls->pValue != CKO_PRIVATE_KEY)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                              "%s does not name a private key (type=private)", ls->uri_text);
    }
    return CACHET_OK;
}

/* not_found explains why no key was found, the likeliest cause first. */
static cachet_status not_found(const load_state *ls, cachet_error *err) {
    if (ls->tokens_seen == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1, "no token matches %s",
                              ls->uri_text);
    }
    if (ls->needed_pin) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "no private key found for %s: the token needs a PIN (pin-value, "
                              "pin-source or $CACHET_PIN)",
                              ls->uri_text);
    }
    return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                          "no private key on the token matches %s", ls->uri_text);
}

cachet_status cachet_pki_p11_load(const char *uri, const cachet_cert *cert, cachet_pkey **out_key,
                                  cachet_cert **out_cert, cachet_error *err) {
    if (uri == NULL || out_key == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1, "missing argument");
    }
    if (strlen(uri) > CACHET_P11_MAX_URI) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, CACHET_P11_WHERE, -1,
                              "PKCS#11 URI longer than %u bytes", CACHET_P11_MAX_URI);
    }
    const cachet_p11kit_api *pk = cachet_p11kit(err);
    if (pk == NULL) {
        return CACHET_ERR_UNSUPPORTED;
    }
    load_state ls = {0};
    cachet_pkey *pub = NULL;
    cachet_cert *token_cert = NULL;
    char *text = cachet_p11_redact(uri);
    ls.key = cachet_calloc(1, sizeof(*ls.key));
    if (text == NULL || ls.key == NULL) {
        cachet_free(text);
        cachet_free(ls.key);
        return cachet_err_set(err, CACHET_ERR_NOMEM, CACHET_P11_WHERE, -1, "out of memory");
    }
    ls.key->uri = text;
    ls.uri_text = text;
    cachet_status st = CACHET_OK;
    if (pthread_mutex_init(&ls.key->lock, NULL) != 0) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, CACHET_P11_WHERE, -1, "no mutex");
        goto done;
    }
    ls.key->lock_ready = true;
    st = parse_uri(&ls, uri, err);
    if (st == CACHET_OK) {
        st = cachet_p11_pin(ls.uri, ls.uri_text, ls.pin, sizeof(ls.pin), &ls.have_pin, err);
    }
    if (st == CACHET_OK) {
        st = search_modules(&ls, err);
    }
    if (st == CACHET_OK && ls.key->module == NULL) {
        st = not_found(&ls, err);
    }
    if (st == CACHET_OK) {
        st = cachet_p11_public_half(ls.key, cert, &pub, &token_cert, err);
    }
    if (st != CACHET_OK) {
        goto done;
    }
    cachet_pkey *key = cachet_pkey_new_external(pub, &cachet_p11_ops, ls.key, err);
    if (key == NULL) {
        st = err != NULL && err->status != CACHET_OK ? err->status : CACHET_ERR_NOMEM;
        goto done;
    }
    ls.key = NULL; /* owned by |key| now */
    *out_key = key;
    if (out_cert != NULL) {
        *out_cert = token_cert;
        token_cert = NULL;
    }
done:
    cachet_cleanse(ls.pin, sizeof(ls.pin));
    if (ls.uri != NULL) {
        pk->p11_kit_uri_free(ls.uri);
    }
    cachet_pkey_free(pub);
    cachet_cert_free(token_cert);
    cachet_p11_key_free(ls.key);
    return st;
}
