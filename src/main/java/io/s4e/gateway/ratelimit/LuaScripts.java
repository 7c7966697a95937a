package io.s4e.gateway.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of the rate limits, read from {@code ratelimit/*.lua} once when the class loads and hashed then, so
 * no request reads a file or computes a digest on an event loop.
 */
final class LuaScripts {

    private LuaScripts() {
    }

    /** The script in {@code ratelimit/<name>.lua}, returning {@code type}. */
    static <T> RedisScript<T> load(String name, Class<T> type) {
        try (InputStream in = new ClassPathResource("ratelimit/" + name + ".lua").getInputStream()) {
            RedisScript<T> script = RedisScript.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), type);
            script.getSha1();
            return script;
        }
        catch (IOException unreadable) {
            throw new UncheckedIOException("The rate-limit script " + name + " cannot be read", unreadable);
        }
    }
}
