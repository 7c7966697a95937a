package io.s4e.gateway.ops;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The OpenAPI document of the gateway's own endpoints (login, MFA, refresh, logout, keys, users, audit), served on the
 * management port as {@code /actuator/openapi}. The document is written by hand, next to the code it describes
 * ({@code openapi/s4e-gateway.yaml}): the endpoints are functional routes, which generators can only describe
 * by path, and a test keeps the document and the routes in step.
 */
@Component
@Endpoint(id = "openapi")
public class OpenApiEndpoint {

    /** Where the document lives on the classpath. */
    public static final String LOCATION = "openapi/s4e-gateway.yaml";

    /** Media type of the document (RFC 9512). */
    public static final String MEDIA_TYPE = "application/yaml";

    private final Resource document = new ClassPathResource(LOCATION);

    /** The document, as YAML. */
    @ReadOperation(produces = MEDIA_TYPE)
    public Resource document() {
        return document;
    }
}
