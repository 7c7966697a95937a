package io.s4e.gateway.credential;

/** Where a credential travelled, in the order of CONTRACT §2. */
public enum Carrier {
    /** {@code Authorization: Bearer <value>}. */
    AUTHORIZATION_BEARER,
    /** {@code X-API-Key: <value>}. */
    API_KEY_HEADER,
    /** Cookie {@code token}. */
    COOKIE,
    /** Query parameter {@code token}. */
    QUERY
}
