package io.s4e.gateway.web;

import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Installs {@link EarlyRejectionEnvelope} on every connection of the public server. */
@Configuration(proxyBeanMethods = false)
public class EarlyRejectionConfiguration {

    private static final EarlyRejectionEnvelope HANDLER = new EarlyRejectionEnvelope();

    /** Adds the handler right after the HTTP codec of each new connection. */
    @Bean
    public NettyServerCustomizer earlyRejectionEnvelope() {
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, EarlyRejectionEnvelope.NAME, HANDLER);
            }
        });
    }
}
