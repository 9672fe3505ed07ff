/* The store suite shared by both backends: test_store_sqlite.c and
 * test_store_postgres.c set |suite_backend| (how to make a fresh, empty store
 * URL and run raw SQL on it behind the store's back) and list SUITE_CASES in
 * their test table, so both backends prove the same semantics. */
#ifndef CACHET_TEST_STORE_SUITE_H
#define CACHET_TEST_STORE_SUITE_H

#include "test_store_cases_records.h"
#include "test_store_cases_state.h"

#define SUITE_CASES                                                                                \
    TEST_CASE(put_then_get_returns_every_field),                                                   \
        TEST_CASE(get_by_prefix_finds_unique_and_refuses_ambiguous),                               \
        TEST_CASE(origin_only_moves_up_on_put),                                                    \
        TEST_CASE(set_origin_sets_any_origin_and_reports_unknown),                                 \
        TEST_CASE(key_ref_is_kept_replaced_and_cleared),                                           \
        TEST_CASE(emails_of_a_stored_certificate_are_merged),                                      \
        TEST_CASE(find_by_email_ignores_domain_case_not_local_case),                               \
        TEST_CASE(find_by_subject_and_list_are_ordered), TEST_CASE(empty_store_lists_nothing),     \
        TEST_CASE(remove_deletes_record_and_addresses), TEST_CASE(caps_keep_the_newest_seen),      \
        TEST_CASE(crl_is_replaced_only_by_a_newer_one),                                            \
        TEST_CASE(schema_version_and_kind_are_reported),                                           \
        TEST_CASE(reopened_store_keeps_everything),                                                \
        TEST_CASE(bad_records_are_refused_before_writing),                                         \
        TEST_CASE(corrupted_records_are_refused_on_read), TEST_CASE(newer_schema_is_refused),      \
        TEST_CASE(two_processes_writing_at_once_store_each_once)

#endif
