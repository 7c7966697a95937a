package io.s4e.gateway.account;

import java.time.Duration;

import io.s4e.gateway.user.EmailAddress;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.RequestIdLogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * Mails password reset links through Spring's {@link JavaMailSender} ({@code spring.mail.*}), as the MFA e-mail codes
 * are sent: off the event loop, bounded in time, and without the token (or the SMTP server's answer, which may quote
 * the message) in any log line or error. The link points to the console's reset page with the token in the URL
 * fragment ({@code /console/#/reset?token=…}): a fragment is never sent to a server, so the token reaches no access
 * log, and never a {@code Referer}.
 */
@Component
public class ResetMailer {

    /** The console page a reset link opens, relative to the gateway's public URL. */
    static final String RESET_PAGE = "/console/#/reset";

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(8);
    private static final Logger log = LoggerFactory.getLogger(ResetMailer.class);

    private final ObjectProvider<JavaMailSender> mail;
    private final String from;
    private final AccountProperties properties;

    public ResetMailer(ObjectProvider<JavaMailSender> mail, AccountProperties properties,
                       @Value("${s4e.mfa.mail-from:no-reply@s4e.local}") String from) {
        this.mail = mail;
        this.from = from;
        this.properties = properties;
    }

    /**
     * Mails the reset {@code token} to {@code to}.
     *
     * @return empty once the SMTP server accepted it; a 503 error when no mail server is configured, it failed, or
     *         {@code to} is not one plain address
     */
    public Mono<Void> send(String to, String token) {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            log.warn("A password reset mail was not sent: no mail server is configured (spring.mail.host)");
            return Mono.error(Errors.unavailable("No mail server is configured."));
        }
        try {
            EmailAddress.parse(to);
        }
        catch (IllegalArgumentException notPlain) {
            log.warn("A password reset mail was not sent: the account's stored address is not one plain address");
            return Mono.error(Errors.unavailable("The account's address cannot receive mail."));
        }
        return Mono.fromRunnable(() -> sender.send(message(to, token)))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(SEND_TIMEOUT)
                .transform(RequestIdLogContext.logOnError(
                        e -> log.warn("Sending a password reset mail failed ({})", e.getClass().getSimpleName())))
                .onErrorMap(e -> Errors.unavailable("The reset mail could not be sent."))
                .then();
    }

    private SimpleMailMessage message(String to, String token) {
        long minutes = properties.resetTokenTtl().toMinutes();
        String how = properties.publicUrl() != null
                ? "Open this link to choose a new password:\n\n" + properties.publicUrl() + RESET_PAGE + "?token="
                        + token + "\n\n"
                : "Open the S4E console's reset page (" + RESET_PAGE + " on the gateway's address) and enter this "
                        + "reset token:\n\n" + token + "\n\n";
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(from);
        message.setTo(to);
        message.setSubject("Reset your S4E password");
        message.setText("Someone asked to reset the password of your S4E account.\n\n" + how
                + "It works once, within " + minutes + " minutes. Your second factors stay on: signing in after the "
                + "reset still asks for them.\n\nIf you did not ask for this, ignore this mail: your password stays "
                + "as it is.");
        return message;
    }
}
