/* store*.c: private helpers shared by the files implementing include/cachet/store.h. */
#ifndef CACHET_SMIME_STORE_INTERNAL_H
#define CACHET_SMIME_STORE_INTERNAL_H

#include "smime/internal.h"

/* The most certificates one import takes (a CA bundle fits). */
#define CACHET_STORE_IMPORT_MAX_CERTS 1000

/* cachet_store_info_from_record copies |rec| into |out| (emails duplicated). */
bool cachet_store_info_from_record(const cachet_db_cert *rec, cachet_cert_info *out);
/* cachet_store_infos_from_records converts |num| records into a new array. */
cachet_status cachet_store_infos_from_records(const cachet_db_cert *recs, size_t num,
                                              cachet_cert_info **out, cachet_error *err);

/* cachet_store_parse_certs appends every certificate of |data| (PEM, DER
 * certificate, DER/BER certs-only ContentInfo, S/MIME certs-only message) to
 * |out|; any certificate that does not parse fails the whole input. */
cachet_status cachet_store_parse_certs(const uint8_t *data, size_t len, const char *source,
                                       cachet_cert_list *out, cachet_error *err);

/* cachet_store_put_certs stores |certs| (the first with |key_ref_first|, may be
 * NULL) with |origin|, counting new and known ones into |res| (may be NULL).
 * Every record is made before the first write, so a certificate the record
 * code refuses stores nothing. */
cachet_status cachet_store_put_certs(cachet_store *st, cachet_cert *const *certs, size_t num,
                                     cachet_db_origin origin, const char *key_ref_first,
                                     cachet_import_result *res, cachet_error *err);

/* cachet_store_load_cert_file reads every certificate of a PEM/DER file into
 * |list| (at least one, else CACHET_ERR_KEY). */
cachet_status cachet_store_load_cert_file(const char *path, cachet_cert_list *list,
                                          cachet_error *err);

/* cachet_store_abs_path writes |path| made absolute (against the working
 * directory; not resolved otherwise) into |out|. */
bool cachet_store_abs_path(const char *path, char *out, size_t out_len);

#endif
