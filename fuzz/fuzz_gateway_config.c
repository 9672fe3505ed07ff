/* Oracle for cachetd_config_parse_string (cachetd.conf):
 * - any input gives a configuration or an error of the form "NAME:LINE: ..." or
 *   "NAME: ...", never a crash;
 * - an accepted configuration printed with cachetd_config_print loads back, and
 *   prints the same text again (print and parse agree on every key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"

#include "fuzz_util.h"

static char *print_to_string(const cachetd_config *cfg) {
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    REQUIRE(fp != NULL);
    cachetd_config_print(cfg, fp);
    REQUIRE(fclose(fp) == 0);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 16384) {
        return 0;
    }
    char *text = malloc(size + 1);
    REQUIRE(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    char err[512] = "";
    cachetd_config *cfg = cachetd_config_parse_string(text, "fuzz.conf", err, sizeof(err));
    free(text);
    if (cfg == NULL) {
        REQUIRE(strncmp(err, "fuzz.conf", 9) == 0);
        return 0;
    }
    char *first = print_to_string(cfg);
    cachetd_config_free(cfg);
    char err2[512] = "";
    cachetd_config *again = cachetd_config_parse_string(first, "printed.conf", err2, sizeof(err2));
    if (again == NULL) {
        fprintf(stderr, "printed configuration does not load: %s\n%s\n", err2, first);
        abort();
    }
    char *second = print_to_string(again);
    REQUIRE(strcmp(first, second) == 0);
    cachetd_config_free(again);
    free(first);
    free(second);
    return 0;
}
