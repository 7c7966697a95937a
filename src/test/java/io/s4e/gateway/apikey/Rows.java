package io.s4e.gateway.apikey;

import io.s4e.gateway.support.TestData;

/** Small reads of the test database, for assertions on what is stored. */
final class Rows {

    private Rows() {
    }

    /** The number of rows of {@code table}. */
    static long count(String table) {
        return number("SELECT count(*) FROM " + table);
    }

    /** The first column of the first row of {@code sql}, as a number. */
    static long number(String sql, Object... parameters) {
        return Long.parseLong(TestData.queryString(sql, parameters));
    }

    /** A column of the key {@code id}, as text (null when SQL NULL). */
    static String keyColumn(String id, String column) {
        return TestData.queryString("SELECT " + column + "::text FROM api_keys WHERE id = ?", id);
    }
}
