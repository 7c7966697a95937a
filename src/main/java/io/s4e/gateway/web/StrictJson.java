package io.s4e.gateway.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON reader of the gateway's own endpoints (never of forwarded bodies, which the gateway does not parse).
 * Stricter than Jackson's defaults, so a body means one thing only:
 * <ul>
 *   <li>a key given twice in one object is refused ({@link StreamReadFeature#STRICT_DUPLICATE_DETECTION}), so
 *       {@code {"scopes":["admin"],"scopes":["read:assets"]}} cannot mean one thing to a proxy in front and another
 *       here;</li>
 *   <li>a field the request type does not have is refused ({@link DeserializationFeature#FAIL_ON_UNKNOWN_PROPERTIES});</li>
 *   <li>no scalar is coerced: a number must be a JSON number without fraction or exponent where an integer is read,
 *       a boolean {@code true} or {@code false}, a string a JSON string (not a number), an instant an ISO-8601
 *       string (never epoch seconds);</li>
 *   <li>a string holding a lone UTF-16 surrogate (a {@code \ud800} escape with no pair) is refused: it has no UTF-8
 *       form and would be stored or hashed as something else;</li>
 *   <li>nothing may follow the value ({@link DeserializationFeature#FAIL_ON_TRAILING_TOKENS}).</li>
 * </ul>
 */
public final class StrictJson {

    /** Message of the failure for a lone surrogate, recognised by {@link JsonBodies}. */
    static final String LONE_SURROGATE = "lone UTF-16 surrogate";
    /** Message of the failure for a non-string token where a string is read. */
    static final String NOT_A_STRING = "not a JSON string";
    /** Message of the failure for an instant that is not an ISO-8601 string. */
    static final String NOT_AN_INSTANT = "not an ISO-8601 instant string";

    /** The mapper; thread-safe. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
            .disable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfigDefaults(config -> {
                for (CoercionInputShape shape : CoercionInputShape.values()) {
                    config.setCoercion(shape, CoercionAction.Fail);
                }
                config.setAcceptBlankAsEmpty(false);
            })
            .withCoercionConfig(LogicalType.Integer, StrictJson::refuseScalars)
            .withCoercionConfig(LogicalType.Float, StrictJson::refuseScalars)
            .withCoercionConfig(LogicalType.Boolean, StrictJson::refuseScalars)
            .withCoercionConfig(LogicalType.Textual, StrictJson::refuseScalars)
            .withCoercionConfig(LogicalType.DateTime, StrictJson::refuseScalars)
            .addModule(new SimpleModule("s4e-strict")
                    .addDeserializer(String.class, new StrictString())
                    .addDeserializer(Instant.class, new StrictInstant()))
            .build();

    private StrictJson() {
    }

    private static void refuseScalars(tools.jackson.databind.cfg.MutableCoercionConfig config) {
        for (CoercionInputShape shape : CoercionInputShape.values()) {
            config.setCoercion(shape, CoercionAction.Fail);
        }
    }

    /** A JSON string, nothing else, without lone surrogates. */
    private static final class StrictString extends StdScalarDeserializer<String> {

        StrictString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                throw MismatchedInputException.from(p, String.class, NOT_A_STRING);
            }
            String text = p.getString();
            if (TextRules.hasLoneSurrogate(text)) {
                throw MismatchedInputException.from(p, String.class, LONE_SURROGATE);
            }
            return text;
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }
    }

    /** An ISO-8601 instant as a JSON string ({@link Instant#parse}, offsets allowed), never a number. */
    private static final class StrictInstant extends StdScalarDeserializer<Instant> {

        StrictInstant() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                throw MismatchedInputException.from(p, Instant.class, NOT_AN_INSTANT);
            }
            try {
                return Instant.parse(p.getString());
            }
            catch (DateTimeParseException malformed) {
                throw MismatchedInputException.from(p, Instant.class, NOT_AN_INSTANT);
            }
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.DateTime;
        }
    }
}
