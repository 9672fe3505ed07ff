/* cli/sign_triple: what `cachet sign --triple-wrap` adds to signing: the
 * recipients of the encrypted middle layer. A --to that names an existing file
 * is a certificate file; anything shaped like an address is looked up in the
 * store (as `cachet encrypt` does). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sign_triple.h"

/* looks_like_address: local@domain with no slash (a path that does not exist
 * is reported as a missing file, not looked up). */
static bool looks_like_address(const char *s) {
    const char *at = strchr(s, '@');
    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strchr(s, '/') == NULL;
}

/* check_combination: the options a triple wrap cannot honour, named. */
static int check_combination(const cachet_cli_opts *o) {
    if (!o->triple_wrap) {
        const char *bad = o->num_to > 0   ? "--to"
                          : o->cipher_set ? "--cipher"
                          : o->oaep       ? "--oaep"
                                          : NULL;
        if (bad != NULL) {
            return cachet_cli_usage_error(o->cmd,
                                          "%s names the encryption of a triple wrap: add "
                                          "--triple-wrap (or use `cachet encrypt`)",
                                          bad);
        }
        return -1;
    }
    /* --format der|pem implies --raw: named first, as given */
    const char *bad = o->format_set && o->format != CACHET_FORMAT_SMIME ? "--format"
                      : o->raw                                          ? "--raw"
                      : o->detached                                     ? "--detached"
                      : o->empty                                        ? "--empty"
                                                                        : NULL;
    if (bad != NULL) {
        return cachet_cli_usage_error(o->cmd,
                                      "--triple-wrap writes an S/MIME message signed, encrypted "
                                      "and signed again (RFC 2634 section 1.1); %s does not apply",
                                      bad);
    }
    if (o->num_to == 0) {
        return cachet_cli_usage_error(o->cmd,
                                      "--triple-wrap needs at least one --to CERT (a certificate "
                                      "file, or an address looked up in the store) to encrypt to");
    }
    return -1;
}

int cachet_cli_triple_prepare(cachet_cli_opts *o, cachet_cli_triple *t) {
    int r = check_combination(o);
    if (r >= 0 || !o->triple_wrap) {
        return r;
    }
    t->certs = calloc(o->num_to, sizeof(*t->certs));
    t->addresses = calloc(o->num_to, sizeof(*t->addresses));
    if (t->certs == NULL || t->addresses == NULL) {
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; i < o->num_to; i++) {
        struct stat sb;
        if (stat(o->to[i], &sb) != 0 && looks_like_address(o->to[i])) {
            t->addresses[t->num_addresses++] = o->to[i];
            continue;
        }
        FILE *f = fopen(o->to[i], "rb");
        if (f == NULL) {
            cachet_cli_errorf(o->cmd, "cannot open recipient certificate %s: %s", o->to[i],
                              strerror(errno));
            return CACHET_EXIT_USAGE;
        }
        fclose(f);
        cachet_error err = {0};
        if (cachet_cert_load_file(o->to[i], &t->certs[t->num_certs], &err) != CACHET_OK) {
            cachet_cli_error(o->cmd, "loading a recipient certificate", &err);
            return CACHET_EXIT_USAGE;
        }
        t->num_certs++;
    }
    if (t->num_addresses > 0) {
        o->need_store = true;
    }
    return -1;
}

void cachet_cli_triple_encrypt_opts(const cachet_cli_opts *o, const cachet_cli_triple *t,
                                    cachet_encrypt_opts *eo) {
    *eo = (cachet_encrypt_opts){
        .recipients = t->certs,
        .num_recipients = t->num_certs,
        .cipher = o->cipher,
        .oaep = o->oaep,
        .to_addresses = t->addresses,
        .num_to_addresses = t->num_addresses,
        /* addresses bring what their owners advertised, as in `cachet encrypt` */
        .cipher_auto = t->num_addresses > 0 && !o->cipher_set,
    };
}

void cachet_cli_triple_free(cachet_cli_triple *t) {
    for (size_t i = 0; i < t->num_certs; i++) {
        cachet_cert_free(t->certs[i]);
    }
    free(t->certs);
    free((void *)t->addresses);
    memset(t, 0, sizeof(*t));
}
