package io.s4e.gateway.audit;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A graceful shutdown writes every queued audit event before the connection pool closes. */
class AuditShutdownIntegrationTests {

    @Test
    void closeWhenEventsQueuedThenEveryOneIsWritten() {
        String prefix = "shutdown-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
        int total = 40;
        SecondGateway gateway = SecondGateway.start(Map.of(
                "s4e.audit.flush-interval", "1h",
                "s4e.audit.batch-size", "5000"));
        try {
            AuditHttp http = new AuditHttp(gateway.port());
            for (int i = 0; i < total; i++) {
                assertThat(http.get("/api/assets/" + i, prefix + i, null).status()).isEqualTo(401);
            }
            MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
            assertThat(meters.find("s4e.audit.queue.depth").gauge().value()).isEqualTo(total);
            assertThat(AuditRows.countByRequestIdPrefix(prefix)).isZero();
        }
        finally {
            gateway.close();
        }
        assertThat(AuditRows.countByRequestIdPrefix(prefix)).isEqualTo(total);
    }
}
