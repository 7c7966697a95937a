package io.s4e.gateway.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.PreInterruptCallback;
import org.junit.jupiter.api.extension.PreInterruptContext;

/**
 * When a test times out (junit-platform.properties), prints PostgreSQL's busy sessions next to JUnit's thread dump:
 * what each is waiting for and on which statement, so a hang on a lock or an open transaction names itself.
 */
public final class HangReport implements PreInterruptCallback {

    @Override
    public void beforeThreadInterrupt(PreInterruptContext interrupted, ExtensionContext context) {
        StringBuilder report = new StringBuilder("Timed out: ")
                .append(context.getDisplayName()).append(" in ")
                .append(context.getTestClass().map(Class::getName).orElse("?"))
                .append("\nPostgreSQL sessions not idle:\n");
        String url = "jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT
                + "/postgres?connectTimeout=5&socketTimeout=10";
        try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, "");
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("""
                     SELECT pid, datname, state, wait_event_type, wait_event, now() - xact_start AS in_transaction,
                            left(regexp_replace(query, '\\s+', ' ', 'g'), 200) AS query
                     FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'""")) {
            while (rows.next()) {
                report.append("  pid=").append(rows.getInt("pid"))
                        .append(" db=").append(rows.getString("datname"))
                        .append(" state=").append(rows.getString("state"))
                        .append(" wait=").append(rows.getString("wait_event_type")).append('/')
                        .append(rows.getString("wait_event"))
                        .append(" in_transaction=").append(rows.getString("in_transaction"))
                        .append(" query=").append(rows.getString("query")).append('\n');
            }
        }
        catch (Exception e) {
            report.append("  (PostgreSQL could not be asked: ").append(e.getMessage()).append(")\n");
        }
        System.out.println(report);
    }
}
