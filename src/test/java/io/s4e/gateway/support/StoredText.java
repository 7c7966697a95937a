package io.s4e.gateway.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Searches everything the gateway stored in the test database for a string: every column of every table of schema
 * {@code public}, whatever its type, read as text. For proving a secret was never written anywhere.
 */
public final class StoredText {

    private StoredText() {
    }

    /**
     * The places ({@code table.column}) holding {@code needle} anywhere in their text form.
     *
     * @return an empty list when it is stored nowhere
     */
    public static List<String> placesHolding(String needle) {
        List<String> places = new ArrayList<>();
        try (Connection c = TestInfrastructure.get().database.connect()) {
            for (String[] column : columns(c)) {
                if (holds(c, column[0], column[1], needle)) {
                    places.add(column[0] + "." + column[1]);
                }
            }
            return places;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every (table, column) of schema {@code public}; at least the gateway's own tables. */
    public static List<String[]> columns() {
        try (Connection c = TestInfrastructure.get().database.connect()) {
            return columns(c);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String[]> columns(Connection c) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT c.table_name, c.column_name "
                + "FROM information_schema.columns c JOIN information_schema.tables t "
                + "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                + "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
                + "ORDER BY c.table_name, c.ordinal_position");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                columns.add(new String[] { rs.getString(1), rs.getString(2) });
            }
        }
        return columns;
    }

    private static boolean holds(Connection c, String table, String column, String needle) throws SQLException {
        String sql = "SELECT EXISTS (SELECT 1 FROM public." + quote(table) + " WHERE strpos(lower("
                + quote(column) + "::text), lower(?)) > 0)";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, needle);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
