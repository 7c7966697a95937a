package io.s4e.gateway.passkey;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.webauthn4j.WebAuthnAuthenticationManager;
import com.webauthn4j.WebAuthnRegistrationManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticatorTransport;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.attestation.statement.none.NoneAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.packed.PackedAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.certpath.NullCertPathTrustworthinessVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.self.DefaultSelfAttestationTrustworthinessVerifier;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.NotAllowedCredentialIdException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import com.webauthn4j.verifier.exception.VerificationException;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * The WebAuthn checks, done by webauthn4j (CBOR, COSE keys, attestation statements and signatures are its work):
 * parsing the Level 3 JSON forms of a registration and an authentication response, and verifying them against the
 * relying party ({@link WebAuthnProperties}) and the challenge they answer. Attestation {@code none} is accepted;
 * {@code packed} is verified (its signature by the credential's own key for self attestation, by the certificate for
 * full attestation, whose chain is not checked against trust anchors); other formats are refused. Parsing and
 * signature checks run on the bounded elastic scheduler, off the event loops.
 */
@Component
public class WebAuthnCeremonies {

    /** The algorithms offered to authenticators, preferred first: ES256, EdDSA, RS256. */
    static final List<Long> ALGORITHMS = List.of(-7L, -8L, -257L);

    private final ObjectConverter converter = new ObjectConverter();
    private final AttestedCredentialDataConverter attestedData = new AttestedCredentialDataConverter(converter);
    private final WebAuthnRegistrationManager registrations = new WebAuthnRegistrationManager(
            List.of(new NoneAttestationStatementVerifier(), new PackedAttestationStatementVerifier()),
            new NullCertPathTrustworthinessVerifier(), new DefaultSelfAttestationTrustworthinessVerifier(),
            List.of(), converter);
    private final WebAuthnAuthenticationManager authentications = new WebAuthnAuthenticationManager(List.of(),
            converter);
    private final Set<Origin> origins;
    private final String rpId;
    private final List<PublicKeyCredentialParameters> algorithms;

    public WebAuthnCeremonies(WebAuthnProperties properties) {
        this.origins = properties.origins().stream().map(Origin::new).collect(Collectors.toUnmodifiableSet());
        this.rpId = properties.rpId();
        this.algorithms = ALGORITHMS.stream()
                .map(alg -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY,
                        COSEAlgorithmIdentifier.create(alg)))
                .toList();
    }

    /** A verified new credential, ready to be stored. */
    public record NewCredential(byte[] credentialId, byte[] attestedCredentialData, long signCount,
                                boolean userVerified, boolean backupEligible, boolean backedUp,
                                List<String> transports, String attestationFormat) {
    }

    /** A verified assertion: what is stored after it. */
    public record Assertion(long signCount, boolean userVerified, boolean backedUp) {
    }

    /** Why a response was refused; recorded in the audit log and metrics. */
    public static final class Refused extends RuntimeException {

        private final String reason;

        public Refused(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /**
     * Parses a {@code RegistrationResponseJSON}.
     *
     * @return the response; a 400 error when it is not one
     */
    public Mono<RegistrationData> parseRegistration(String json) {
        return Mono.fromCallable(() -> {
            try {
                RegistrationData data = registrations.parse(json);
                if (data.getCollectedClientData() == null || data.getCollectedClientData().getChallenge() == null
                        || data.getAttestationObject() == null) {
                    throw invalid("RegistrationResponseJSON");
                }
                return data;
            }
            catch (RuntimeException unreadable) {
                throw invalid("RegistrationResponseJSON");
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Parses an {@code AuthenticationResponseJSON}.
     *
     * @return the response; a 400 error when it is not one
     */
    public Mono<AuthenticationData> parseAuthentication(String json) {
        return Mono.fromCallable(() -> {
            try {
                AuthenticationData data = authentications.parse(json);
                if (data.getCollectedClientData() == null || data.getCollectedClientData().getChallenge() == null
                        || data.getCredentialId() == null || data.getAuthenticatorData() == null) {
                    throw invalid("AuthenticationResponseJSON");
                }
                return data;
            }
            catch (RuntimeException unreadable) {
                throw invalid("AuthenticationResponseJSON");
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The challenge a parsed response answers. */
    public static byte[] challengeOf(CollectedClientData clientData) {
        return clientData.getChallenge().getValue();
    }

    /**
     * Verifies a registration response against {@code challenge}, the origins and the rp id.
     *
     * @return the new credential; a {@link Refused} error naming what failed
     */
    public Mono<NewCredential> verifyRegistration(RegistrationData data, byte[] challenge) {
        return Mono.fromCallable(() -> {
            try {
                registrations.verify(data, new RegistrationParameters(serverProperty(challenge), algorithms, false,
                        true));
            }
            catch (VerificationException | IllegalArgumentException | NullPointerException refused) {
                throw new Refused(reasonOf(refused));
            }
            AuthenticatorData<?> authenticatorData = data.getAttestationObject().getAuthenticatorData();
            AttestedCredentialData credential = authenticatorData.getAttestedCredentialData();
            List<String> transports = data.getTransports() == null ? List.of()
                    : data.getTransports().stream().map(AuthenticatorTransport::getValue).sorted().toList();
            return new NewCredential(credential.getCredentialId(), attestedData.convert(credential),
                    authenticatorData.getSignCount(), authenticatorData.isFlagUV(), authenticatorData.isFlagBE(),
                    authenticatorData.isFlagBS(), transports, data.getAttestationObject().getFormat());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Verifies an authentication response of {@code passkey} against {@code challenge}, the origins, the rp id and
     * the stored signature counter (which must grow, unless it and the new one are both zero).
     *
     * @param userVerificationRequired whether the authenticator must have verified the user (PIN, biometrics)
     * @return what to store; a {@link Refused} error naming what failed
     */
    public Mono<Assertion> verifyAuthentication(AuthenticationData data, byte[] challenge, PasskeyRecord passkey,
                                                boolean userVerificationRequired) {
        return Mono.fromCallable(() -> {
            if (!Arrays.equals(data.getCredentialId(), passkey.credentialId())) {
                throw new Refused("credential");
            }
            AttestedCredentialData credential = attestedData.convert(passkey.attestedCredentialData());
            CredentialRecordImpl record = new CredentialRecordImpl(new NoneAttestationStatement(),
                    passkey.uvInitialized(), passkey.backupEligible(), passkey.backedUp(), passkey.signCount(),
                    credential, null, null, null, null);
            try {
                authentications.verify(data, new AuthenticationParameters(serverProperty(challenge), record,
                        List.of(passkey.credentialId()), userVerificationRequired, true));
            }
            catch (VerificationException | IllegalArgumentException | NullPointerException refused) {
                throw new Refused(reasonOf(refused));
            }
            AuthenticatorData<?> authenticatorData = data.getAuthenticatorData();
            return new Assertion(authenticatorData.getSignCount(), authenticatorData.isFlagUV(),
                    authenticatorData.isFlagBS());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private ServerProperty serverProperty(byte[] challenge) {
        return ServerProperty.builder()
                .origins(origins)
                .rpId(rpId)
                .challenge(new DefaultChallenge(challenge))
                .build();
    }

    private static String reasonOf(RuntimeException refused) {
        if (refused instanceof BadOriginException) {
            return "origin";
        }
        if (refused instanceof BadRpIdException) {
            return "rp_id";
        }
        if (refused instanceof BadChallengeException) {
            return "challenge";
        }
        if (refused instanceof BadSignatureException) {
            return "signature";
        }
        if (refused instanceof MaliciousCounterValueException) {
            return "counter";
        }
        if (refused instanceof UserNotVerifiedException) {
            return "user_verification";
        }
        if (refused instanceof NotAllowedCredentialIdException) {
            return "credential";
        }
        return "invalid";
    }

    private static RuntimeException invalid(String form) {
        return Errors.invalidRequest("Field 'credential' must be a WebAuthn " + form + ".");
    }
}
