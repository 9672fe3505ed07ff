/* PKCS#11 helpers: return-code names for messages, URIs without their PIN,
 * where the PIN comes from, token strings and attribute reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/p11_internal.h"

#define RV(name)                                                                                   \
    { name, #name }
static const struct {
    CK_RV rv;
    const char *name;
} rv_names[] = {
    RV(CKR_OK),
    RV(CKR_CANCEL),
    RV(CKR_HOST_MEMORY),
    RV(CKR_SLOT_ID_INVALID),
    RV(CKR_GENERAL_ERROR),
    RV(CKR_FUNCTION_FAILED),
    RV(CKR_ARGUMENTS_BAD),
    RV(CKR_ATTRIBUTE_SENSITIVE),
    RV(CKR_ATTRIBUTE_TYPE_INVALID),
    RV(CKR_ATTRIBUTE_VALUE_INVALID),
    RV(CKR_DATA_INVALID),
    RV(CKR_DATA_LEN_RANGE),
    RV(CKR_DEVICE_ERROR),
    RV(CKR_DEVICE_MEMORY),
    RV(CKR_DEVICE_REMOVED),
    RV(CKR_ENCRYPTED_DATA_INVALID),
    RV(CKR_ENCRYPTED_DATA_LEN_RANGE),
    RV(CKR_FUNCTION_CANCELED),
    RV(CKR_FUNCTION_NOT_SUPPORTED),
    RV(CKR_KEY_HANDLE_INVALID),
    RV(CKR_KEY_SIZE_RANGE),
    RV(CKR_KEY_TYPE_INCONSISTENT),
    RV(CKR_KEY_FUNCTION_NOT_PERMITTED),
    RV(CKR_KEY_UNEXTRACTABLE),
    RV(CKR_MECHANISM_INVALID),
    RV(CKR_MECHANISM_PARAM_INVALID),
    RV(CKR_OBJECT_HANDLE_INVALID),
    RV(CKR_OPERATION_ACTIVE),
    RV(CKR_OPERATION_NOT_INITIALIZED),
    RV(CKR_PIN_INCORRECT),
    RV(CKR_PIN_INVALID),
    RV(CKR_PIN_LEN_RANGE),
    RV(CKR_PIN_EXPIRED),
    RV(CKR_PIN_LOCKED),
    RV(CKR_SESSION_CLOSED),
    RV(CKR_SESSION_COUNT),
    RV(CKR_SESSION_HANDLE_INVALID),
    RV(CKR_SESSION_READ_ONLY),
    RV(CKR_SIGNATURE_INVALID),
    RV(CKR_SIGNATURE_LEN_RANGE),
    RV(CKR_TEMPLATE_INCOMPLETE),
    RV(CKR_TEMPLATE_INCONSISTENT),
    RV(CKR_TOKEN_NOT_PRESENT),
    RV(CKR_TOKEN_NOT_RECOGNIZED),
    RV(CKR_USER_ALREADY_LOGGED_IN),
    RV(CKR_USER_NOT_LOGGED_IN),
    RV(CKR_USER_PIN_NOT_INITIALIZED),
    RV(CKR_USER_TYPE_INVALID),
    RV(CKR_BUFFER_TOO_SMALL),
    RV(CKR_CRYPTOKI_NOT_INITIALIZED),
    RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    RV(CKR_DOMAIN_PARAMS_INVALID),
    RV(CKR_CURVE_NOT_SUPPORTED),
};
#undef RV

const char *cachet_p11_rv_name(CK_RV rv) {
    for (size_t i = 0; i < sizeof(rv_names) / sizeof(rv_names[0]); i++) {
        if (rv_names[i].rv == rv) {
            return rv_names[i].name;
        }
    }
    return (rv & CKR_VENDOR_DEFINED) != 0 ? "CKR_VENDOR_DEFINED" : "CKR_<unknown>";
}

cachet_status cachet_p11_fail(cachet_error *err, cachet_status st, const char *uri,
                              const char *what, CK_RV rv) {
    return cachet_err_set(err, st, CACHET_P11_WHERE, -1, "%s failed: %s (0x%lx) for %s", what,
                          cachet_p11_rv_name(rv), (unsigned long)rv, uri);
}

/* is_pin_value: the attribute at |p| (up to a delimiter) is pin-value. */
static bool is_pin_value(const char *p) {
    static const char name[] = "pin-value=";
    return strncmp(p, name, sizeof(name) - 1) == 0;
}

char *cachet_p11_redact(const char *uri) {
    size_t len = strlen(uri);
    char *out = cachet_malloc(len + 1);
    if (out == NULL) {
        return NULL;
    }
    /* Attributes sit between delimiters (RFC 7512 §2.3: ';' in the path, '?'
     * then '&' in the query). A dropped attribute takes its delimiter along;
     * the first kept one of the path or query is written without one. */
    size_t o = 0;
    const char *p = uri;
    static const char scheme[] = "pkcs11:";
    if (strncmp(p, scheme, sizeof(scheme) - 1) == 0) {
        memcpy(out, p, sizeof(scheme) - 1);
        o = sizeof(scheme) - 1;
        p += sizeof(scheme) - 1;
    }
    bool section_empty = true;
    while (*p != '\0') {
        char delim = '\0';
        if (*p == ';' || *p == '?' || *p == '&') {
            delim = *p++;
        }
        if (delim == '?') {
            out[o++] = '?';
            section_empty = true;
        }
        size_t n = strcspn(p, ";?&");
        if (!is_pin_value(p)) {
            if (delim != '\0' && delim != '?' && !section_empty) {
                out[o++] = delim;
            }
            memcpy(out + o, p, n);
            o += n;
            section_empty = false;
        }
        p += n;
    }
    if (o > 0 && out[o - 1] == '?') {
        o--;
    }
    out[o] = '\0';
    return out;
}

/* read_pin_file reads the first line of |path|. */
static cachet_status read_pin_file(const char *path, const char *uri_text, char *out,
                                   size_t out_len, cachet_error *err) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return cachet_err_set(err, CACHET_ERR_IO, CACHET_P11_WHERE, -1,
                              "cannot read pin-source %s: %s (for %s)", path, strerror(errno),
                              uri_text);
    }
    size_t n = fread(out, 1, out_len - 1, f);
    bool more = n == out_len - 1 && fgetc(f) != EOF;
    fclose(f);
    out[n] = '\0';
    size_t line = strcspn(out, "\r\n");
    if (more && line == n) {
        cachet_cleanse(out, out_len);
        return cachet_err_set(err, CACHET_ERR_LIMIT, CACHET_P11_WHERE, -1,
                              "pin-source %s holds more than %zu bytes (for %s)", path, out_len - 1,
                              uri_text);
    }
    cachet_cleanse(out + line, out_len - line);
    return CACHET_OK;
}

cachet_status cachet_p11_pin(P11KitUri *uri, const char *uri_text, char *out, size_t out_len,
                             bool *have, cachet_error *err) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    *have = false;
    const char *pin = pk->p11_kit_uri_get_pin_value(uri);
    const char *source = pk->p11_kit_uri_get_pin_source(uri);
    if (pin == NULL && source != NULL) {
        const char *path = source;
        if (strncmp(path, "file://", 7) == 0) {
            path += 7;
        } else if (strncmp(path, "file:", 5) == 0) {
            path += 5;
        }
        if (path[0] != '/') {
            return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CACHET_P11_WHERE, -1,
                                  "pin-source must be file:/PATH or an absolute path (for %s)",
                                  uri_text);
        }
        cachet_status st = read_pin_file(path, uri_text, out, out_len, err);
        *have = st == CACHET_OK;
        return st;
    }
    if (pin == NULL) {
        pin = getenv("CACHET_PIN");
    }
    if (pin == NULL) {
        return CACHET_OK;
    }
    size_t n = strlen(pin);
    if (n >= out_len) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, CACHET_P11_WHERE, -1,
                              "PIN longer than %zu bytes (for %s)", out_len - 1, uri_text);
    }
    memcpy(out, pin, n + 1);
    *have = true;
    return CACHET_OK;
}

void cachet_p11_trim(const unsigned char *field, size_t field_len, char *out, size_t out_len) {
    size_t n = field_len;
    while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\0')) {
        n--;
    }
    if (n >= out_len) {
        n = out_len - 1;
    }
    for (size_t i = 0; i < n; i++) {
        /* Token strings are for messages: no control characters. */
        out[i] = field[i] < 0x20 || field[i] == 0x7f ? '?' : (char)field[i];
    }
    out[n] = '\0';
}

CK_RV cachet_p11_get_attr(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
                          CK_ATTRIBUTE_TYPE type, uint8_t **out, size_t *out_len) {
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = m->C_GetAttributeValue(s, obj, &a, 1);
    if (rv != CKR_OK) {
        return rv;
    }
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > CACHET_P11_MAX_ATTR) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    uint8_t *buf = cachet_malloc(a.ulValueLen > 0 ? a.ulValueLen : 1);
    if (buf == NULL) {
        return CKR_HOST_MEMORY;
    }
    a.pValue = buf;
    rv = m->C_GetAttributeValue(s, obj, &a, 1);
    if (rv != CKR_OK || a.ulValueLen > CACHET_P11_MAX_ATTR) {
        cachet_free(buf);
        return rv != CKR_OK ? rv : CKR_ATTRIBUTE_VALUE_INVALID;
    }
    *out = buf;
    *out_len = a.ulValueLen;
    return CKR_OK;
}
