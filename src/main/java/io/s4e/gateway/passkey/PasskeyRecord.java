package io.s4e.gateway.passkey;

import java.time.Instant;
import java.util.List;

/**
 * A registered passkey as stored. toString leaves out the key material.
 *
 * @param id                     the passkey's id (what the owner sees and deletes by)
 * @param userId                 the owner
 * @param credentialId           the WebAuthn credential id
 * @param attestedCredentialData the AAGUID, credential id and COSE public key as the authenticator attested them
 * @param signCount              the last signature counter seen
 * @param uvInitialized          whether a user verification was seen with this credential
 * @param backupEligible         the authenticator's BE flag at registration
 * @param backedUp               the BS flag last seen
 * @param transports             the transports the browser reported (hints for the next sign-in)
 * @param attestationFormat      {@code none} or {@code packed}
 * @param name                   the owner's name for it
 * @param createdAt              when it was registered
 * @param lastUsedAt             when it last signed a sign-in; null when never
 */
public record PasskeyRecord(long id, long userId, byte[] credentialId, byte[] attestedCredentialData, long signCount,
                            boolean uvInitialized, boolean backupEligible, boolean backedUp, List<String> transports,
                            String attestationFormat, String name, Instant createdAt, Instant lastUsedAt) {

    @Override
    public String toString() {
        return "PasskeyRecord[id=" + id + ", userId=" + userId + ", name=" + name + "]";
    }
}
