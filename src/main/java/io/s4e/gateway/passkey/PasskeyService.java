package io.s4e.gateway.passkey;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.webauthn4j.data.RegistrationData;
import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.mfa.RecentMfa;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.web.DecimalIds;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.StrictJson;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * A signed-in user's passkeys: the options to add one (behind recent MFA), adding it once the browser's response is
 * verified, listing, renaming and deleting (behind recent MFA). Every change is an audit event.
 */
@Service
public class PasskeyService {

    /** Passkeys one user may have. */
    static final int MAX_PER_USER = 20;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String REFUSED = "The passkey could not be verified.";

    private final PasskeyRepository repository;
    private final PasskeyChallenges challenges;
    private final WebAuthnCeremonies ceremonies;
    private final RecentMfa recentMfa;
    private final PasskeyMetrics metrics;
    private final WebAuthnProperties properties;

    public PasskeyService(PasskeyRepository repository, PasskeyChallenges challenges, WebAuthnCeremonies ceremonies,
                          RecentMfa recentMfa, PasskeyMetrics metrics, WebAuthnProperties properties) {
        this.repository = repository;
        this.challenges = challenges;
        this.ceremonies = ceremonies;
        this.recentMfa = recentMfa;
        this.metrics = metrics;
        this.properties = properties;
    }

    /**
     * The options for {@code navigator.credentials.create()}, with a new challenge bound to this session.
     *
     * @return the options; 403 {@code mfa_required} without recent MFA (a recent password for a user without
     *         factors); 503 when a store cannot be reached
     */
    public Mono<PasskeyViews.CreationOptions> registrationOptions(Principal user, Session session) {
        return recentMfa.require(user, session)
                .then(Mono.defer(() -> stored(repository.userHandle(user.userId()))))
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")))
                .flatMap(handle -> stored(repository.listOf(user.userId()).collectList())
                        .flatMap(existing -> challenges.issue(new PasskeyChallenges.Grant(
                                        PasskeyChallenges.Purpose.REGISTER, user.userId(), session.sid()))
                                .map(challenge -> creationOptions(user, handle, existing, challenge))))
                .flatMap(options -> Audit.passkeyRegistrationStarted(user.userId()).thenReturn(options));
    }

    private PasskeyViews.CreationOptions creationOptions(Principal user, byte[] handle, List<PasskeyRecord> existing,
                                                         byte[] challenge) {
        return new PasskeyViews.CreationOptions(
                new PasskeyViews.RelyingParty(properties.rpId(), properties.rpName()),
                new PasskeyViews.User(BASE64URL.encodeToString(handle), user.email(), user.email()),
                BASE64URL.encodeToString(challenge),
                WebAuthnCeremonies.ALGORITHMS.stream().map(alg -> new PasskeyViews.Algorithm("public-key", alg))
                        .toList(),
                PasskeyChallenges.LIFETIME.toMillis(),
                existing.stream().map(PasskeyService::descriptor).toList(),
                new PasskeyViews.Selection("preferred", false, "preferred"),
                List.of(),
                "none",
                Map.of("credProps", true));
    }

    static PasskeyViews.Descriptor descriptor(PasskeyRecord passkey) {
        return new PasskeyViews.Descriptor("public-key", BASE64URL.encodeToString(passkey.credentialId()),
                passkey.transports());
    }

    /**
     * Verifies the browser's answer to a registration challenge of this session and stores the passkey.
     *
     * @return the new passkey; 400 for a malformed body or credential; 401 when the challenge is unknown, used,
     *         expired or not this session's, or the response fails a check (origin, rp id, challenge, signature,
     *         attestation); 409 when the credential is registered already or the user has
     *         {@value #MAX_PER_USER} passkeys; 503 when a store cannot be reached
     */
    public Mono<PasskeyViews.Created> register(Principal user, Session session, PasskeyViews.RegisterRequest body) {
        return Mono.defer(() -> {
            String name = PasskeyNames.valid(body.name(), true);
            if (body.credential() == null || !body.credential().isObject()) {
                return Mono.error(Errors.invalidRequest("Field 'credential' must be a WebAuthn "
                        + "RegistrationResponseJSON object."));
            }
            return ceremonies.parseRegistration(StrictJson.MAPPER.writeValueAsString(body.credential()))
                    .flatMap(data -> grantFor(user, session, data)
                            .flatMap(challenge -> ceremonies.verifyRegistration(data, challenge)))
                    .onErrorResume(WebAuthnCeremonies.Refused.class, refused -> refuse(user, refused.reason()))
                    .flatMap(credential -> store(user, name, credential));
        });
    }

    /** The challenge of {@code data}, taken, when it was issued to this session for a registration. */
    private Mono<byte[]> grantFor(Principal user, Session session, RegistrationData data) {
        byte[] challenge = WebAuthnCeremonies.challengeOf(data.getCollectedClientData());
        return challenges.take(challenge)
                .filter(grant -> grant.purpose() == PasskeyChallenges.Purpose.REGISTER
                        && grant.userId() == user.userId() && grant.binding().equals(session.sid()))
                .map(grant -> challenge)
                .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("challenge")));
    }

    private Mono<WebAuthnCeremonies.NewCredential> refuse(Principal user, String check) {
        metrics.registration(check);
        return Audit.passkeyRefused(user.userId(), check).then(Mono.error(() -> Errors.unauthorized(REFUSED)));
    }

    private Mono<PasskeyViews.Created> store(Principal user, String name, WebAuthnCeremonies.NewCredential credential) {
        return repository.insert(user.userId(), credential.credentialId(), credential.attestedCredentialData(),
                        credential.signCount(), credential.userVerified(), credential.backupEligible(),
                        credential.backedUp(), credential.transports(), credential.attestationFormat(), name,
                        MAX_PER_USER)
                .onErrorMap(DuplicateKeyException.class,
                        taken -> Errors.of(ErrorCode.CONFLICT, "This passkey is registered already."))
                .transform(PasskeyService::stored)
                .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT,
                        "An account may have at most " + MAX_PER_USER + " passkeys. Delete one first.")))
                .doOnNext(stored -> metrics.registration("success"))
                .flatMap(stored -> Audit.passkeyAdded(user.userId(), stored.id(), stored.attestationFormat())
                        .thenReturn(new PasskeyViews.Created(Long.toString(stored.id()), stored.name(),
                                stored.createdAt())));
    }

    /**
     * The user's passkeys, oldest first.
     *
     * @return the list; 503 when PostgreSQL cannot be reached
     */
    public Mono<PasskeyViews.PasskeyList> list(Principal user) {
        return stored(repository.listOf(user.userId()).map(PasskeyViews.Passkey::of).collectList())
                .map(PasskeyViews.PasskeyList::new);
    }

    /**
     * Renames one of the user's passkeys.
     *
     * @return the passkey; 400 for a bad name; 404 when the user has no passkey {@code id}
     */
    public Mono<PasskeyViews.Passkey> rename(Principal user, String id, PasskeyViews.RenameRequest body) {
        return Mono.defer(() -> {
            long passkeyId = passkeyId(id);
            String name = PasskeyNames.valid(body.name(), false);
            return stored(repository.rename(user.userId(), passkeyId, name))
                    .switchIfEmpty(Mono.error(PasskeyService::unknown))
                    .flatMap(renamed -> Audit.passkeyRenamed(user.userId(), renamed.id())
                            .thenReturn(PasskeyViews.Passkey.of(renamed)));
        });
    }

    /**
     * Deletes one of the user's passkeys, behind recent MFA.
     *
     * @return the deleted id; 403 {@code mfa_required} without recent MFA; 404 when the user has no passkey
     *         {@code id}
     */
    public Mono<PasskeyViews.Deleted> delete(Principal user, Session session, String id) {
        return Mono.defer(() -> {
            long passkeyId = passkeyId(id);
            return recentMfa.require(user, session)
                    .then(Mono.defer(() -> stored(repository.delete(user.userId(), passkeyId))))
                    .switchIfEmpty(Mono.error(PasskeyService::unknown))
                    .flatMap(deleted -> Audit.passkeyRemoved(user.userId(), deleted.id())
                            .thenReturn(new PasskeyViews.Deleted(Long.toString(deleted.id()), true)));
        });
    }

    private static long passkeyId(String id) {
        Long parsed = DecimalIds.parse(id);
        if (parsed == null) {
            throw unknown();
        }
        return parsed;
    }

    private static GatewayException unknown() {
        return Errors.notFound("No such passkey.");
    }

    /** {@code call} with a database failure as 503. */
    static <T> Mono<T> stored(Mono<T> call) {
        return call.onErrorMap(e -> !(e instanceof GatewayException),
                e -> Errors.unavailable("Passkeys cannot be reached right now. Try again shortly."));
    }
}
