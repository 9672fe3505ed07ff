/* cli/sign_triple: what `cachet sign --triple-wrap` adds to signing: the
 * recipients of the encrypted middle layer. A --to that names an existing file
 * is a certificate file; anything shaped like an address is looked up in the
 * store (as `cachet encrypt` does). */

#include "sign_triple.h"

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
    return cachet_cli_load_to(o, true, &t->to);
}

void cachet_cli_triple_encrypt_opts(const cachet_cli_opts *o, const cachet_cli_triple *t,
                                    cachet_encrypt_opts *eo) {
    *eo = (cachet_encrypt_opts){
        .recipients = t->to.certs,
        .num_recipients = t->to.num_certs,
        .cipher = o->cipher,
        .oaep = o->oaep,
        .to_addresses = t->to.addresses,
        .num_to_addresses = t->to.num_addresses,
        /* addresses bring what their owners advertised, as in `cachet encrypt` */
        .cipher_auto = t->to.num_addresses > 0 && !o->cipher_set,
    };
}

void cachet_cli_triple_free(cachet_cli_triple *t) {
    cachet_cli_to_free(&t->to);
}
