package io.s4e.gateway.account;

import io.s4e.gateway.mfa.MfaRepository;
import io.s4e.gateway.mfa.RecoveryCodes;
import io.s4e.gateway.passkey.PasskeyRepository;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The summary of an account's second factors that {@code GET /api/user/me} shows (CONTRACT §10), in one place: TOTP
 * and e-mail codes from {@link MfaRepository}, the number of passkeys ({@link #passkeys}) and of unused recovery
 * codes ({@link #recoveryCodesLeft}).
 */
@Component
public class AccountFactors {

    /**
     * The factors of one account.
     *
     * @param totp              whether TOTP is enabled
     * @param email             whether e-mail codes are enabled
     * @param passkeys          how many passkeys are registered
     * @param recoveryCodesLeft how many recovery codes are still unused
     */
    public record Summary(boolean totp, boolean email, int passkeys, int recoveryCodesLeft) {
    }

    private final MfaRepository mfa;
    private final PasskeyRepository passkeys;
    private final RecoveryCodes recoveryCodes;

    public AccountFactors(MfaRepository mfa, PasskeyRepository passkeys, RecoveryCodes recoveryCodes) {
        this.mfa = mfa;
        this.passkeys = passkeys;
        this.recoveryCodes = recoveryCodes;
    }

    /**
     * The factors of user {@code userId}.
     *
     * @return the summary; empty when there is no such user
     */
    public Mono<Summary> of(long userId) {
        return mfa.settings(userId)
                .flatMap(settings -> Mono.zip(passkeys(userId), recoveryCodesLeft(userId))
                        .map(counts -> new Summary(settings.totpEnabled(), settings.emailEnabled(), counts.getT1(),
                                counts.getT2())));
    }

    /** How many passkeys user {@code userId} has registered. */
    Mono<Integer> passkeys(long userId) {
        return passkeys.countOf(userId).map(Long::intValue);
    }

    /** How many recovery codes of user {@code userId} are unused. */
    Mono<Integer> recoveryCodesLeft(long userId) {
        return recoveryCodes.remaining(userId);
    }
}
