package io.s4e.gateway.cluster;

/**
 * The {@link InvalidationBus} topics: what one replica tells the others to forget. Kept here, beside the bus, so a
 * publisher and its listeners share a name without depending on each other.
 */
public final class InvalidationTopics {

    /** An API key changed (created, revoked, rotated): the message is the key's hash. */
    public static final String KEY = "key";

    /** A user changed (role, tier, disabled): the message is the user id. */
    public static final String USER = "user";

    private InvalidationTopics() {
    }
}
