package io.s4e.gateway.user;

import java.util.List;
import java.util.Set;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.principal.Scopes;
import io.s4e.gateway.session.SessionRevocations;
import io.s4e.gateway.web.DecimalIds;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * Creates, lists and changes users on behalf of an admin (a principal with the {@code admin} scope). Passwords are
 * stored only as Argon2id hashes. A change of role or of disabled is applied to the user's API keys on every replica
 * at once, and a disabled or re-roled user's sessions end; the last active admin can be neither demoted nor disabled.
 */
@Service
public class UserService {

    /** The most users one list answer holds, newest first. */
    static final int MAX_LIST = 1000;
    static final Set<String> TIERS = Set.of("standard", "premium", "enterprise");
    private static final String DEFAULT_TIER = "standard";

    private final UserRepository repository;
    private final PasswordHasher hasher;
    private final RoleScopes roleScopes;
    private final InvalidationBus bus;
    private final SessionRevocations sessions;
    private final PasswordPolicy policy;

    public UserService(UserRepository repository, PasswordHasher hasher, RoleScopes roleScopes, InvalidationBus bus,
                       SessionRevocations sessions, PasswordPolicy policy) {
        this.policy = policy;
        this.repository = repository;
        this.hasher = hasher;
        this.roleScopes = roleScopes;
        this.bus = bus;
        this.sessions = sessions;
    }

    /**
     * Creates a user with an Argon2id hash of its password.
     *
     * @return the new user; 400 for an invalid body ({@code weak_password} for a password the
     *         {@linkplain PasswordPolicy policy} refuses), 403 for a caller that is not an admin, 409 when a user has an
     *         e-mail with the same canonical form ({@link EmailAddress#canonical(String)}: any case, compatibility
     *         twins such as full-width letters)
     */
    public Mono<UserViews.User> create(Principal caller, UserViews.CreateRequest request) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            String email = validEmail(request.email());
            policy.check(request.password(), email, "password");
            String role = validRole(request.role(), true);
            String tier = request.tier() == null ? DEFAULT_TIER : validTier(request.tier());
            return hasher.hash(request.password())
                    .flatMap(hash -> repository.insertIfAbsent(email, hash, role, tier))
                    .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT,
                            "A user with this email exists.")))
                    .map(UserService::view)
                    .flatMap(user -> Audit.userCreated(caller, user.id(), user.role(), user.tier()).thenReturn(user));
        });
    }

    /**
     * The users, newest first, at most {@link #MAX_LIST}.
     *
     * @return the list; 403 for a caller that is not an admin
     */
    public Mono<UserViews.UserList> list(Principal caller) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            return repository.list(MAX_LIST)
                    .map(UserService::view)
                    .collectList()
                    .map(UserViews.UserList::new);
        });
    }

    /**
     * Changes a user's role, tier or disabled flag. A change of role or disabled invalidates the user's cached API
     * key verdicts on every replica; disabling or a new role also ends the user's sessions.
     *
     * @return the changed user; 400 for an invalid body, 403 for a caller that is not an admin, 404 for an unknown
     *         id, 409 when the change would leave no active admin, 503 when the sessions could not be ended (the
     *         change is stored: repeating the request ends them)
     */
    public Mono<UserViews.User> update(Principal caller, String id, UserViews.UpdateRequest request) {
        return Mono.defer(() -> {
            requireAdmin(caller);
            long userId = parseId(id);
            validUpdate(request);
            return repository.findById(userId)
                    .switchIfEmpty(Mono.error(() -> Errors.notFound("No user with this id.")))
                    .flatMap(before -> apply(before, request))
                    .flatMap(user -> Audit.userChanged(caller, user.id(), user.disabled() && request.disabled() != null,
                            request.role(), request.tier(), request.disabled()).thenReturn(user));
        });
    }

    private Mono<UserViews.User> apply(UserRecord before, UserViews.UpdateRequest request) {
        return repository.updateKeepingAnAdmin(before.id(), request.role(), request.tier(), request.disabled(),
                        adminRoles())
                .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT,
                        "This is the last active admin: it cannot be disabled or lose the admin role.")))
                .flatMap(after -> propagate(before, after, request).thenReturn(view(after)));
    }

    /**
     * Re-verifies the user's keys everywhere (and drops its cached tier, so a new tier reaches rate limits at once)
     * and ends its sessions, as far as the change requires.
     */
    private Mono<Void> propagate(UserRecord before, UserRecord after, UserViews.UpdateRequest request) {
        boolean roleChanged = !before.role().equals(after.role());
        boolean disabledChanged = before.disabled() != after.disabled();
        boolean tierChanged = !before.tier().equals(after.tier());
        Mono<Void> invalidate = roleChanged || disabledChanged || tierChanged || request.disabled() != null
                ? bus.publish(InvalidationTopics.USER, String.valueOf(after.id()))
                : Mono.empty();
        Mono<Void> endSessions = roleChanged || after.disabled()
                ? sessions.revokeAll(after.id()).then()
                : Mono.empty();
        return invalidate.then(endSessions);
    }

    private List<String> adminRoles() {
        return roleScopes.roles().stream()
                .filter(role -> roleScopes.allowedFor(role).contains(Scopes.ADMIN))
                .toList();
    }

    /** Refuses (403) a principal without the {@code admin} scope. */
    static void requireAdmin(Principal caller) {
        caller.requireAdmin("Managing users");
    }

    /** The id in the path: only the canonical spelling ({@link DecimalIds}), anything else is an unknown id. */
    private static long parseId(String id) {
        Long parsed = DecimalIds.parse(id);
        if (parsed == null) {
            throw Errors.notFound("No user with this id.");
        }
        return parsed;
    }

    private void validUpdate(UserViews.UpdateRequest request) {
        if (request.role() == null && request.tier() == null && request.disabled() == null) {
            throw Errors.invalidRequest("Give at least one of 'role', 'tier' and 'disabled'.");
        }
        validRole(request.role(), false);
        if (request.tier() != null) {
            validTier(request.tier());
        }
    }

    private static String validEmail(String email) {
        try {
            return EmailAddress.parse(email).address();
        }
        catch (IllegalArgumentException invalid) {
            throw Errors.invalidRequest("Field 'email' must be one plain e-mail address: " + invalid.getMessage()
                    + ".");
        }
    }

    private String validRole(String role, boolean required) {
        if (role == null && !required) {
            return null;
        }
        if (!roleScopes.isRole(role)) {
            throw Errors.invalidRequest("Field 'role' must be one of " + String.join(", ", roleScopes.roles().stream()
                    .sorted().toList()) + ".");
        }
        return role;
    }

    private static String validTier(String tier) {
        if (!TIERS.contains(tier)) {
            throw Errors.invalidRequest("Field 'tier' must be one of enterprise, premium, standard.");
        }
        return tier;
    }

    private static UserViews.User view(UserRecord user) {
        return new UserViews.User(user.id(), user.email(), user.role(), user.tier(), user.disabled(),
                user.createdAt());
    }
}
