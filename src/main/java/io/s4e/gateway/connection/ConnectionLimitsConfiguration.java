package io.s4e.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts the connection caps and the request deadlines on every new client connection, before any gateway code
 * runs: a connection over a cap is closed at once (nothing is read from it), every other one gets its
 * {@link RequestDeadlines} and gives its places back when it closes.
 */
@Configuration(proxyBeanMethods = false)
public class ConnectionLimitsConfiguration {

    @Bean
    public NettyServerCustomizer connectionLimits(ConnectionCaps caps, ConnectionProperties properties,
                                                  ConnectionMetrics metrics) {
        // the peer is read off the channel: the address argument of doOnChannelInit is null for a server
        return server -> server.doOnChannelInit((observer, channel, ignored) -> {
            ConnectionCaps.Admission admission = caps.admit(channel.remoteAddress());
            if (admission.refusedBy() != null) {
                metrics.refused(admission.refusedBy());
                channel.close();
                return;
            }
            channel.closeFuture().addListener(closed -> admission.release());
            addDeadlines(channel, properties, metrics);
        });
    }

    private static void addDeadlines(Channel channel, ConnectionProperties properties, ConnectionMetrics metrics) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.HttpCodec) == null) {
            return;
        }
        RequestDeadlines deadlines = new RequestDeadlines(properties, metrics);
        pipeline.addBefore(NettyPipeline.HttpCodec, RequestDeadlines.BYTES_NAME, deadlines.bytes());
        pipeline.addAfter(NettyPipeline.HttpCodec, RequestDeadlines.NAME, deadlines);
    }
}
