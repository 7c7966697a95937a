package io.s4e.gateway.mfa;

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
 * Mails login codes through Spring's {@link JavaMailSender} ({@code spring.mail.*}). Sending blocks, so it runs on
 * the bounded elastic scheduler. Neither the code nor the SMTP server's answer (which may quote the message) is
 * logged or put in an error.
 */
@Component
public class EmailCodeSender {

    /** Longest wait for the SMTP exchange, beyond the socket timeouts of {@code spring.mail.properties}. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(8);

    private static final Logger log = LoggerFactory.getLogger(EmailCodeSender.class);
    private static final String UNAVAILABLE = "The e-mail code could not be sent. Try again shortly or use another "
            + "method.";

    private final ObjectProvider<JavaMailSender> mail;
    private final String from;

    public EmailCodeSender(ObjectProvider<JavaMailSender> mail, @Value("${s4e.mfa.mail-from:no-reply@s4e.local}")
                           String from) {
        this.mail = mail;
        this.from = from;
    }

    /**
     * Mails {@code code} to {@code to}.
     *
     * @return empty once the SMTP server accepted the message; 503 {@code service_unavailable} when no mail server
     *         is configured or it refused or could not be reached, or when {@code to} is not one plain address (an
     *         address stored before the strict rules, such as {@code x<a@evil.example>}, would be delivered
     *         elsewhere than it seems to say: nothing is sent, and an admin must correct it)
     */
    public Mono<Void> send(String to, String code) {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            return Mono.error(Errors.unavailable("E-mail codes are not available: no mail server is configured."));
        }
        try {
            EmailAddress.parse(to);
        }
        catch (IllegalArgumentException notPlain) {
            log.warn("An MFA e-mail code was not sent: the account's stored address is not one plain address ({})",
                    notPlain.getMessage());
            return Mono.error(Errors.unavailable("E-mail codes cannot be sent to this account's address. "
                    + "Ask an admin to correct it."));
        }
        return Mono.fromRunnable(() -> sender.send(message(to, code)))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(SEND_TIMEOUT)
                .transform(RequestIdLogContext.logOnError(
                        e -> log.warn("Sending an MFA e-mail code failed ({})", e.getClass().getSimpleName())))
                .onErrorMap(e -> Errors.unavailable(UNAVAILABLE))
                .then();
    }

    private SimpleMailMessage message(String to, String code) {
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(from);
        message.setTo(to);
        message.setSubject("Your S4E login code");
        message.setText("Your S4E login code is " + code + ". It is valid for 10 minutes.\n\n"
                + "If you did not try to log in, change your password.");
        return message;
    }
}
