package io.s4e.gateway.passkey;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * Request and answer bodies of the passkey endpoints. Options use the WebAuthn Level 3 JSON forms
 * ({@code PublicKeyCredentialCreationOptionsJSON}, {@code PublicKeyCredentialRequestOptionsJSON}): binary values are
 * base64url without padding.
 */
public final class PasskeyViews {

    private PasskeyViews() {
    }

    /** The body of {@code POST /api/user/passkeys}. toString leaves out the credential. */
    public record RegisterRequest(String name, JsonNode credential) {

        @Override
        public String toString() {
            return "RegisterRequest[name=" + name + "]";
        }
    }

    /** The body of {@code PATCH /api/user/passkeys/{id}}. */
    public record RenameRequest(String name) {
    }

    /** The body of {@code POST /api/user/auth/passkey/options}. toString hides the token. */
    public record LoginOptionsRequest(String mfa_token) {

        @Override
        public String toString() {
            return "LoginOptionsRequest[mfa_token=" + (mfa_token == null ? "none" : "<hidden>") + "]";
        }
    }

    /** The body of {@code POST /api/user/auth/passkey/verify}. toString hides the token and the credential. */
    public record LoginVerifyRequest(String mfa_token, JsonNode credential) {

        @Override
        public String toString() {
            return "LoginVerifyRequest[mfa_token=" + (mfa_token == null ? "none" : "<hidden>") + "]";
        }
    }

    /** One passkey as its owner sees it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Passkey(String id, String name, @JsonProperty("created_at") Instant createdAt,
                          @JsonProperty("last_used_at") Instant lastUsedAt) {

        static Passkey of(PasskeyRecord passkey) {
            return new Passkey(Long.toString(passkey.id()), passkey.name(), passkey.createdAt(),
                    passkey.lastUsedAt());
        }
    }

    /** The answer of a new passkey. */
    public record Created(String id, String name, @JsonProperty("created_at") Instant createdAt) {
    }

    /** The owner's passkeys. */
    public record PasskeyList(List<Passkey> passkeys) {
    }

    /** The answer of a deleted passkey. */
    public record Deleted(String id, boolean deleted) {
    }

    /** {@code PublicKeyCredentialRpEntity}. */
    public record RelyingParty(String id, String name) {
    }

    /** {@code PublicKeyCredentialUserEntityJSON}: {@code id} is the random user handle. */
    public record User(String id, String name, String displayName) {
    }

    /** {@code PublicKeyCredentialParameters}. */
    public record Algorithm(String type, long alg) {
    }

    /** {@code PublicKeyCredentialDescriptorJSON}. */
    public record Descriptor(String type, String id, List<String> transports) {
    }

    /** {@code AuthenticatorSelectionCriteria}. */
    public record Selection(String residentKey, boolean requireResidentKey, String userVerification) {
    }

    /** {@code PublicKeyCredentialCreationOptionsJSON}. */
    public record CreationOptions(RelyingParty rp, User user, String challenge, List<Algorithm> pubKeyCredParams,
                                  long timeout, List<Descriptor> excludeCredentials,
                                  Selection authenticatorSelection, List<String> hints, String attestation,
                                  Map<String, Object> extensions) {
    }

    /** {@code PublicKeyCredentialRequestOptionsJSON}. */
    public record RequestOptions(String challenge, long timeout, String rpId, List<Descriptor> allowCredentials,
                                 String userVerification, List<String> hints) {
    }
}
