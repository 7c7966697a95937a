package io.s4e.gateway.web;

import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Netty settings of the public server that must hold before any gateway code runs: {@link EarlyRejectionEnvelope} on
 * every connection, and forwarding headers never rewriting the request.
 */
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

    /** Reactor Netty's messages about HTTP requests (its decoding warnings) with control characters escaped. */
    @Bean
    public NettyServerCustomizer escapedHttpMessageLogs() {
        return server -> server.httpMessageLogFactory(EscapingHttpMessageLogFactory.INSTANCE);
    }

    /**
     * Turns Reactor Netty's handling of {@code Forwarded} / {@code X-Forwarded-*} off, whatever
     * {@code server.forward-headers-strategy} says. Spring Boot turns it on by itself on Kubernetes, and it believes
     * those headers from any peer: the remote address, host and path prefix of the request would then be the
     * client's to choose (a forged {@code X-Forwarded-For} inside {@code s4e.captcha.bypass-cidrs} skips the captcha;
     * {@code X-Forwarded-Prefix} changes the path the route policy decides on). The client IP is resolved by
     * {@link ClientIps} from the socket peer and {@code s4e.trusted-proxies} only.
     */
    @Bean
    public NettyServerCustomizer ignoreForwardingHeaders() {
        return server -> server.forwarded(false);
    }
}
