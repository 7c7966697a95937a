package io.s4e.gateway.config;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans shared by every feature. */
@Configuration(proxyBeanMethods = false)
public class CoreConfiguration {

    /** The clock every time decision reads; replaced in tests that move time. */
    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
