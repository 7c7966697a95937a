package io.s4e.gateway.web;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;

/**
 * Gives the S4E envelope and a request id to the few answers the HTTP server writes before any gateway code runs: a
 * request line or headers over the limits (Netty's 413/414/431) and a request target that is not a URI (400). It
 * sits right after the HTTP codec and rewrites only empty 400/413/414/431 responses that carry no
 * {@code X-Request-ID}: every response the gateway itself writes carries one.
 * <p>
 * A request the codec could not decode gets its request id when it is read, before Reactor Netty handles it: the
 * {@code Decoding failed} warning Reactor Netty logs then carries that id (MDC {@code requestId}), and the envelope
 * answers with the same id. Other requests only pass an {@code instanceof} check here.
 */
@ChannelHandler.Sharable
public final class EarlyRejectionEnvelope extends ChannelDuplexHandler {

    /** The pipeline name of this handler. */
    public static final String NAME = "s4e.earlyRejectionEnvelope";

    private static final String REWRITING = "s4e.rewriting";
    private static final AttributeKey<String> FAILED_REQUEST_ID = AttributeKey.valueOf("s4e.failedRequestId");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isFailure()) {
            String requestId = RequestIds.create();
            ctx.channel().attr(FAILED_REQUEST_ID).set(requestId);
            RequestIdLogContext.log(requestId, () -> ctx.fireChannelRead(msg));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && isEarlyRejection(response)) {
            boolean full = msg instanceof FullHttpResponse;
            String requestId = ctx.channel().attr(FAILED_REQUEST_ID).getAndSet(null);
            FullHttpResponse envelope = envelope(response, requestId == null ? RequestIds.create() : requestId);
            if (full) {
                ((FullHttpResponse) msg).release();
            } else {
                ctx.channel().attr(io.netty.util.AttributeKey.<Boolean>valueOf(REWRITING)).set(Boolean.TRUE);
            }
            ctx.write(envelope, promise);
            return;
        }
        if (msg instanceof LastHttpContent last
                && Boolean.TRUE.equals(ctx.channel().attr(io.netty.util.AttributeKey.<Boolean>valueOf(REWRITING))
                        .getAndSet(null))) {
            // the envelope above was already complete: drop the empty end of the original response
            last.release();
            promise.setSuccess();
            return;
        }
        ctx.write(msg, promise);
    }

    private static boolean isEarlyRejection(HttpResponse response) {
        int status = response.status().code();
        if (status != 400 && status != 413 && status != 414 && status != 431) {
            return false;
        }
        if (response.headers().contains(RequestIds.HEADER)) {
            return false;
        }
        String length = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        boolean emptyFull = response instanceof FullHttpResponse full && !full.content().isReadable();
        return emptyFull || "0".equals(length);
    }

    private static FullHttpResponse envelope(HttpResponse original, String requestId) {
        HttpResponseStatus status = original.status();
        String message = switch (status.code()) {
            case 413 -> "The request is too large.";
            case 414 -> "The request target is too long.";
            case 431 -> "The request headers are too large.";
            default -> "The request could not be parsed.";
        };
        GatewayException error = Errors.of(ErrorCode.INVALID_REQUEST,
                org.springframework.http.HttpStatusCode.valueOf(status.code()), message);
        ByteBuf body = Unpooled.copiedBuffer(ErrorEnvelopeHandler.envelope(error), StandardCharsets.UTF_8);
        FullHttpResponse envelope = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        envelope.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(RequestIds.HEADER, requestId);
        String connection = original.headers().get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            envelope.headers().set(HttpHeaderNames.CONNECTION, connection);
        }
        return envelope;
    }
}
