package io.s4e.gateway.connection;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.util.ReferenceCountUtil;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.ErrorEnvelopeHandler;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.RequestIds;

/**
 * The deadlines of one client connection (CONTRACT §13):
 * <ul>
 * <li>the whole request head must arrive within {@code header-timeout}, counted from the connection's start or from
 * the first byte of a keep-alive request, however slowly it trickles (a read does not extend it);</li>
 * <li>a request body may pause at most {@code body-idle-timeout} between two reads;</li>
 * <li>an idle keep-alive connection waits at most {@code keep-alive-idle-timeout} for its next request.</li>
 * </ul>
 * Past a deadline the connection is closed, after a 408 {@code request_timeout} envelope when no answer to the
 * request has started yet and the client sent some of it (a connection that never sent a byte is closed silently).
 * <p>
 * Two handlers share this state: {@link #bytes()}, right before the HTTP codec, sees every read (so a head's first
 * byte and each body read), and this one, right after the codec, sees decoded request heads and body ends and the
 * responses written. A head that never completes is never decoded, so it never reaches the gateway's filters or the
 * upstream. Everything runs on the connection's event loop; one timer is kept, moved earlier only when a deadline
 * comes closer and otherwise re-checked when it fires, so a request costs no timer operations in the common case.
 */
final class RequestDeadlines extends ChannelDuplexHandler {

    /** Pipeline name of the handler after the HTTP codec. */
    static final String NAME = "s4e.requestDeadlines";
    /** Pipeline name of the handler before the HTTP codec. */
    static final String BYTES_NAME = "s4e.requestBytes";

    private static final long NO_DEADLINE = Long.MIN_VALUE;
    private static final long CLOSE_GRACE_MILLIS = 1000;
    private static final int SWITCHING_PROTOCOLS = 101;

    private enum Reading {
        /** Between requests. */
        NONE,
        /** A request head (or the first one of a new connection). */
        HEAD,
        /** A request body. */
        BODY
    }

    private final long headerNanos;
    private final long bodyIdleNanos;
    private final long keepAliveNanos;
    private final ConnectionMetrics metrics;

    private ChannelHandlerContext ctx;
    private Reading reading = Reading.HEAD;
    private boolean headBytes;
    private long headStartedAt;
    private long lastReadAt;
    private long idleSince;
    private long requestsStarted;
    private long responsesStarted;
    private long responsesDone;
    private ScheduledFuture<?> timer;
    private long timerAt;
    private boolean expired;

    RequestDeadlines(ConnectionProperties properties, ConnectionMetrics metrics) {
        this.headerNanos = properties.headerTimeout().toNanos();
        this.bodyIdleNanos = properties.bodyIdleTimeout().toNanos();
        this.keepAliveNanos = properties.keepAliveIdleTimeout().toNanos();
        this.metrics = metrics;
    }

    /** The handler to put right before the HTTP codec: it sees the raw reads. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
                if (msg instanceof ByteBuf buffer && buffer.isReadable()) {
                    read();
                }
                context.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        headStartedAt = System.nanoTime();
        rearm();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        cancel();
        super.channelInactive(context);
    }

    /** A read of any bytes, before decoding. */
    private void read() {
        long now = System.nanoTime();
        switch (reading) {
            case NONE -> {
                reading = Reading.HEAD;
                headBytes = true;
                headStartedAt = now;
                rearm();
            }
            case HEAD -> headBytes = true;
            case BODY -> lastReadAt = now;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
        if (expired) {
            // what the decoder makes of a request cut by a deadline: nothing to handle, and nothing to log per client
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            requestsStarted++;
            reading = Reading.BODY;
            headBytes = false;
            lastReadAt = System.nanoTime();
        }
        if (msg instanceof LastHttpContent) {
            reading = Reading.NONE;
            idleSince = System.nanoTime();
        }
        if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
            rearm();
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().code() == SWITCHING_PROTOCOLS) {
            // no longer HTTP (a WebSocket): its frames are not request heads, and no HTTP deadline applies
            context.write(msg, promise);
            stepAside(context);
            return;
        }
        boolean informational = msg instanceof HttpResponse response && response.status().code() < 200;
        if (!informational) {
            if (msg instanceof HttpResponse) {
                responsesStarted++;
            }
            if (msg instanceof LastHttpContent) {
                responsesDone++;
                if (reading == Reading.NONE && responsesDone >= requestsStarted) {
                    idleSince = System.nanoTime();
                    rearm();
                }
            }
        }
        context.write(msg, promise);
    }

    private void stepAside(ChannelHandlerContext context) {
        expired = true;
        cancel();
        if (context.pipeline().get(BYTES_NAME) != null) {
            context.pipeline().remove(BYTES_NAME);
        }
        context.pipeline().remove(this);
    }

    /** The nanoTime at which the current deadline passes, or {@link #NO_DEADLINE}. */
    private long deadline() {
        return switch (reading) {
            case HEAD -> headStartedAt + headerNanos;
            case BODY -> lastReadAt + bodyIdleNanos;
            case NONE -> requestsStarted - responsesDone > 0 ? NO_DEADLINE : idleSince + keepAliveNanos;
        };
    }

    /** Schedules the timer when the current deadline comes before the scheduled one (or none is scheduled). */
    private void rearm() {
        long deadline = deadline();
        if (expired || deadline == NO_DEADLINE) {
            return;
        }
        if (timer != null && deadline - timerAt >= 0) {
            return;
        }
        cancel();
        schedule(deadline);
    }

    private void schedule(long deadline) {
        timerAt = deadline;
        timer = ctx.executor().schedule(this::check, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The timer fired: expire when the current deadline passed, else wait for it. */
    private void check() {
        timer = null;
        if (expired || !ctx.channel().isActive()) {
            return;
        }
        long deadline = deadline();
        if (deadline == NO_DEADLINE) {
            return;
        }
        if (System.nanoTime() - deadline >= 0) {
            expire();
        } else {
            schedule(deadline);
        }
    }

    private void expire() {
        expired = true;
        boolean nothingAnswering = responsesStarted == responsesDone;
        switch (reading) {
            case HEAD -> {
                metrics.closed(ConnectionMetrics.Deadline.HEADER_TIMEOUT);
                closeAnswering(headBytes && nothingAnswering && responsesStarted == requestsStarted,
                        "The request head did not arrive in time.");
            }
            case BODY -> {
                metrics.closed(ConnectionMetrics.Deadline.BODY_TIMEOUT);
                closeAnswering(nothingAnswering && responsesStarted == requestsStarted - 1,
                        "The request body stopped arriving.");
            }
            case NONE -> {
                metrics.closed(ConnectionMetrics.Deadline.KEEP_ALIVE_TIMEOUT);
                ctx.channel().close();
            }
        }
    }

    private void closeAnswering(boolean answer, String message) {
        if (!answer) {
            ctx.channel().close();
            return;
        }
        ctx.writeAndFlush(timeoutEnvelope(message)).addListener(ChannelFutureListener.CLOSE);
        // a client that reads nothing cannot hold the connection by leaving the answer unsent
        ctx.executor().schedule(() -> ctx.channel().close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static FullHttpResponse timeoutEnvelope(String message) {
        String json = ErrorEnvelopeHandler.envelope(Errors.of(ErrorCode.REQUEST_TIMEOUT, message));
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(RequestIds.HEADER, RequestIds.create());
        return response;
    }
}
