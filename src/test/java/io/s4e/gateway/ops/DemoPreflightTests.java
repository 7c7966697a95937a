package io.s4e.gateway.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;

import io.s4e.gateway.DemoGateway;
import io.s4e.gateway.support.TestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first run ({@code ./mvnw spring-boot:test-run}) checks PostgreSQL and Redis before starting and names what is
 * missing instead of failing with a stack trace; when ready it prints the demo credentials and requests to try.
 */
class DemoPreflightTests {

    @Test
    void preflightWhenServicesRunThenNoProblem() {
        assertThat(DemoGateway.postgresProblem(TestDatabase.HOST, TestDatabase.PORT)).isEmpty();
        assertThat(DemoGateway.redisProblem("127.0.0.1", 6379)).isEmpty();
    }

    @Test
    void preflightWhenNothingListensThenProblemNamesTheServiceAndAddress() throws IOException {
        int closed = closedPort();
        assertThat(DemoGateway.postgresProblem("127.0.0.1", closed)).hasValueSatisfying(p -> assertThat(p)
                .contains("PostgreSQL is not reachable on 127.0.0.1:" + closed));
        assertThat(DemoGateway.redisProblem("127.0.0.1", closed)).hasValueSatisfying(p -> assertThat(p)
                .contains("Redis is not reachable on 127.0.0.1:" + closed));
    }

    @Test
    void preflightWhenRedisPortAnswersSomethingElseThenSaysSo() {
        // PostgreSQL does not speak the Redis protocol: whatever it answers is not +PONG
        assertThat(DemoGateway.redisProblem(TestDatabase.HOST, TestDatabase.PORT))
                .hasValueSatisfying(p -> assertThat(p).contains("did not answer PING"));
    }

    @Test
    void messageWhenServicesMissingThenSaysWhatToInstallAndStart() {
        String message = DemoGateway.missingServices(List.of("Redis is not reachable on 127.0.0.1:6379"));
        assertThat(message).contains("Redis is not reachable").contains("apt-get install postgresql redis-server")
                .contains("brew install").contains("docker run").doesNotContain("Exception");
    }

    @Test
    void welcomeWhenReadyThenCredentialsKeyAndCurl() {
        assertThat(DemoGateway.welcome("8080", "8081", "9090"))
                .contains(DemoGateway.ADMIN_EMAIL).contains(DemoGateway.ADMIN_PASSWORD).contains(DemoGateway.ADMIN_KEY)
                .contains("curl -i http://localhost:8080/api/assets/1 -H 'Authorization: Bearer "
                        + DemoGateway.ADMIN_KEY + "'")
                .contains("http://localhost:8081/actuator/health/readiness").contains("http://127.0.0.1:9090");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
