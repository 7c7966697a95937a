package io.s4e.gateway;

import io.s4e.gateway.support.EchoUpstream;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;

/**
 * The gateway with working defaults for a first run ({@code ./mvnw spring-boot:test-run}): the {@code demo} profile
 * (routes of the S4E API, a demo admin user and key) in front of a demo upstream on 127.0.0.1:9090 that echoes what
 * it receives, against the machine's PostgreSQL ({@code test} database) and Redis.
 */
public final class DemoGateway {

    private DemoGateway() {
    }

    public static void main(String[] args) {
        int upstreamPort = Integer.getInteger("demo.upstream.port", 9090);
        EchoUpstream upstream = EchoUpstream.start(upstreamPort);
        LoggerFactory.getLogger(DemoGateway.class).info("Demo upstream (echo) listening on {}", upstream.url());
        SpringApplication.from(GatewayApplication::main)
                .withAdditionalProfiles("demo")
                .run(args);
    }
}
