package io.s4e.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.support.EchoUpstream;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * The gateway with working defaults for a first run ({@code ./mvnw spring-boot:test-run}): the {@code demo} profile
 * (routes of the S4E API, a demo admin user and key) in front of a demo upstream on 127.0.0.1:9090 that echoes what
 * it receives, against the machine's PostgreSQL ({@code test} database) and Redis. When either cannot be reached it
 * says what to install or start and exits with status 2, before Spring starts; once ready it prints the demo
 * credentials and requests to try.
 */
public final class DemoGateway {

    public static final String ADMIN_EMAIL = "admin@demo.local";
    public static final String ADMIN_PASSWORD = "demo-password-change-me";
    public static final String ADMIN_KEY = "s4e_live_DemoAdminKeyForLocalRuns014cTa52";

    private DemoGateway() {
    }

    public static void main(String[] args) {
        List<String> problems = new ArrayList<>();
        postgresProblem("127.0.0.1", 5432).ifPresent(problems::add);
        redisProblem("127.0.0.1", 6379).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            System.err.println(missingServices(problems));
            System.exit(2);
        }
        int upstreamPort = Integer.getInteger("demo.upstream.port", 9090);
        EchoUpstream upstream = EchoUpstream.start(upstreamPort);
        LoggerFactory.getLogger(DemoGateway.class).info("Demo upstream (echo) listening on {}", upstream.url());
        SpringApplication.from(GatewayApplication::main)
                .withAdditionalProfiles("demo")
                .with(ReadyBanner.class)
                .run(args);
    }

    /** Prints what to try once the gateway is ready. */
    public static class ReadyBanner implements ApplicationListener<ApplicationReadyEvent> {
        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            Environment env = event.getApplicationContext().getEnvironment();
            System.out.println(welcome(env.getProperty("local.server.port", "8080"),
                    env.getProperty("local.management.port", "8081"), env.getProperty("demo.upstream.port", "9090")));
        }
    }

    /** The message printed once the gateway is ready. */
    public static String welcome(String port, String managementPort, String upstreamPort) {
        String base = "http://localhost:" + port;
        return String.join("\n",
                "",
                "================================================================================",
                " s4e-gateway is ready on " + base + " (management: http://localhost:" + managementPort + ")",
                "   demo upstream (echoes what it receives): http://127.0.0.1:" + upstreamPort,
                "   demo admin:   " + ADMIN_EMAIL + " / " + ADMIN_PASSWORD,
                "   demo API key: " + ADMIN_KEY,
                "   (demo secrets: never use them anywhere else)",
                "",
                " Try:",
                "   curl -i " + base + "/api/assets/1 -H 'Authorization: Bearer " + ADMIN_KEY + "'",
                "   curl -i " + base + "/api/assets/1        # 401 in the S4E error envelope",
                "   curl -s " + base + "/api/user/auth/login -H 'Content-Type: application/json' \\",
                "        -d '{\"email\":\"" + ADMIN_EMAIL + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}'",
                "   curl -s http://localhost:" + managementPort + "/actuator/health/readiness",
                "   curl -s http://localhost:" + managementPort + "/actuator/openapi",
                "================================================================================",
                "");
    }

    /** The message printed instead of a stack trace when a service is missing. */
    public static String missingServices(List<String> problems) {
        StringBuilder message = new StringBuilder("\ns4e-gateway (demo) cannot start:\n");
        problems.forEach(p -> message.append("  - ").append(p).append('\n'));
        message.append("""
                The demo needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth, database test) and Redis on
                127.0.0.1:6379. For example:
                  Debian/Ubuntu: sudo apt-get install postgresql redis-server
                                 sudo service postgresql start && sudo service redis-server start
                                 sudo -u postgres createdb test   (and trust auth for 127.0.0.1 in pg_hba.conf)
                  macOS:         brew install postgresql@16 redis && brew services start postgresql@16 redis
                  Docker:        docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16
                                 docker run -d -p 6379:6379 redis:7
                """);
        return message.toString();
    }

    /** What keeps the demo from using PostgreSQL at {@code host:port} (database test, user postgres), if anything. */
    public static java.util.Optional<String> postgresProblem(String host, int port) {
        String where = host + ":" + port;
        String url = "jdbc:postgresql://" + where + "/test?connectTimeout=2";
        try (Connection ignored = DriverManager.getConnection(url, "postgres", "")) {
            return java.util.Optional.empty();
        }
        catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08")) {
                return java.util.Optional.of("PostgreSQL is not reachable on " + where + " (is it installed and running?)");
            }
            if (state.equals("3D000")) {
                return java.util.Optional.of("PostgreSQL has no database `test` (create it: createdb -U postgres test)");
            }
            return java.util.Optional.of("PostgreSQL on " + where + " refused user postgres without a password ("
                    + e.getMessage() + "): allow trust auth for 127.0.0.1");
        }
    }

    /** What keeps the demo from using Redis at {@code host:port}, if anything. */
    public static java.util.Optional<String> redisProblem(String host, int port) {
        String where = host + ":" + port;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[64];
            int n = in.read(answer);
            String reply = n <= 0 ? "" : new String(answer, 0, n, StandardCharsets.US_ASCII).trim();
            return reply.startsWith("+PONG") ? java.util.Optional.empty()
                    : java.util.Optional.of("Redis on " + where + " did not answer PING (" + reply + ")");
        }
        catch (IOException e) {
            return java.util.Optional.of("Redis is not reachable on " + where + " (is it installed and running?)");
        }
    }
}
