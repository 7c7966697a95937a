package io.s4e.gateway.passkey;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.CollectedClientDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.AttestationStatement;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.attestation.statement.PackedAttestationStatement;
import com.webauthn4j.data.client.ClientDataType;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A software WebAuthn authenticator for the tests: one EC P-256 credential made with the JDK, its messages
 * (client data, authenticator data, attestation object) built with webauthn4j's own converters, answers in the
 * Level 3 JSON forms. Every field a test may want to spoil (origin, rp id, counter, signature, user handle) can be
 * set before an answer is made.
 */
final class SoftAuthenticator {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectConverter converter = new ObjectConverter();
    private final KeyPair keys;
    final byte[] credentialId = new byte[32];
    byte[] userHandle;
    long counter;

    /** The origin the "browser" puts into client data; default the gateway's default origin. */
    String origin = "http://localhost:8080";
    /** The rp id whose hash goes into authenticator data. */
    String rpId = "localhost";
    /** Whether the authenticator says it verified the user. */
    boolean userVerified = true;
    /** When true the next signature is made over other bytes than the ones sent. */
    boolean spoilSignature;
    /** When true, registrations carry a packed self attestation instead of none. */
    boolean packedSelfAttestation;
    /** When true, the packed self attestation's signature is spoiled. */
    boolean spoilAttestation;

    SoftAuthenticator() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            this.keys = generator.generateKeyPair();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        RANDOM.nextBytes(credentialId);
    }

    String credentialIdBase64() {
        return B64.encodeToString(credentialId);
    }

    /** A {@code RegistrationResponseJSON} answering {@code options} (a {@code PublicKeyCredentialCreationOptionsJSON}). */
    String register(JsonNode options) {
        byte[] challenge = DECODE.decode(options.path("challenge").asString());
        userHandle = DECODE.decode(options.path("user").path("id").asString());
        byte[] clientData = clientData(ClientDataType.WEBAUTHN_CREATE, challenge);
        AttestedCredentialData attested = new AttestedCredentialData(AAGUID.ZERO, credentialId,
                EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
        byte flags = (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_AT
                | (userVerified ? AuthenticatorData.BIT_UV : 0));
        AuthenticatorData<RegistrationExtensionAuthenticatorOutput> authenticatorData =
                new AuthenticatorData<>(sha256(rpId), flags, counter, attested);
        byte[] authenticatorBytes = new AuthenticatorDataConverter(converter).convert(authenticatorData);
        AttestationStatement statement = new NoneAttestationStatement();
        if (packedSelfAttestation) {
            byte[] signed = concat(authenticatorBytes, sha256(clientData));
            if (spoilAttestation) {
                signed[0] ^= 1;
            }
            statement = new PackedAttestationStatement(COSEAlgorithmIdentifier.ES256, sign(signed), null);
        }
        byte[] attestationObject = new AttestationObjectConverter(converter)
                .convertToBytes(new AttestationObject(authenticatorData, statement));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("clientDataJSON", B64.encodeToString(clientData));
        response.put("attestationObject", B64.encodeToString(attestationObject));
        response.put("transports", List.of("internal"));
        return credential(response);
    }

    /** An {@code AuthenticationResponseJSON} answering {@code options}; the counter moves on by one first. */
    String authenticate(JsonNode options) {
        counter++;
        return authenticateWithCounter(options, counter);
    }

    /** An {@code AuthenticationResponseJSON} answering {@code options} with the signature counter {@code count}. */
    String authenticateWithCounter(JsonNode options, long count) {
        byte[] challenge = DECODE.decode(options.path("challenge").asString());
        byte[] clientData = clientData(ClientDataType.WEBAUTHN_GET, challenge);
        byte flags = (byte) (AuthenticatorData.BIT_UP | (userVerified ? AuthenticatorData.BIT_UV : 0));
        byte[] authenticatorBytes = new AuthenticatorDataConverter(converter)
                .convert(new AuthenticatorData<>(sha256(rpId), flags, count));
        byte[] signed = concat(authenticatorBytes, sha256(clientData));
        if (spoilSignature) {
            signed[signed.length - 1] ^= 1;
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("clientDataJSON", B64.encodeToString(clientData));
        response.put("authenticatorData", B64.encodeToString(authenticatorBytes));
        response.put("signature", B64.encodeToString(sign(signed)));
        if (userHandle != null) {
            response.put("userHandle", B64.encodeToString(userHandle));
        }
        return credential(response);
    }

    private String credential(Map<String, Object> response) {
        Map<String, Object> credential = new LinkedHashMap<>();
        credential.put("id", credentialIdBase64());
        credential.put("rawId", credentialIdBase64());
        credential.put("type", "public-key");
        credential.put("response", response);
        credential.put("authenticatorAttachment", "platform");
        credential.put("clientExtensionResults", Map.of());
        return JSON.writeValueAsString(credential);
    }

    private byte[] clientData(ClientDataType type, byte[] challenge) {
        return new CollectedClientDataConverter(converter).convertToBytes(new CollectedClientData(type,
                new DefaultChallenge(challenge), new Origin(origin), false, null));
    }

    private byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(keys.getPrivate());
            signature.update(data);
            return signature.sign();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
