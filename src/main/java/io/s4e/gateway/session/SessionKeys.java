package io.s4e.gateway.session;

import io.s4e.gateway.cluster.RedisKeyProperties;

import org.springframework.stereotype.Component;

/**
 * The Redis layout of sessions, in one place: a hash per session ({@code <prefix>session:<sid>}, expiring with the
 * session) and a set of session ids per user ({@code <prefix>user-sessions:<userId>}), so all of a user's sessions
 * can be ended at once.
 */
@Component
public class SessionKeys {

    private final String prefix;

    public SessionKeys(RedisKeyProperties keys) {
        this.prefix = keys.keyPrefix();
    }

    /** The key of session {@code sid}. */
    public String session(String sid) {
        return prefix + "session:" + sid;
    }

    /** The key counting the refreshes of login chain {@code chain} in the current minute. */
    public String refreshes(String chain) {
        return prefix + "session-refreshes:" + chain;
    }

    /** The key of the set of session ids of {@code userId}. */
    public String userSessions(long userId) {
        return prefix + "user-sessions:" + userId;
    }
}
