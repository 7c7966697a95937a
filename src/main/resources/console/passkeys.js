// S4E console: passkeys (docs/passkeys.md). Adds "Sign in with a passkey" to the sign-in page, the passkey choice to
// the MFA step, and the passkey list with "Add a passkey" to the Account page, through window.S4EConsole.
// WebAuthn options and answers travel in their Level 3 JSON forms; binary fields are base64url.
'use strict';

(function () {
  const C = window.S4EConsole;
  const $ = C.$;

  const supported = typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

  // ---------------------------------------------------------------- JSON forms <-> ArrayBuffers

  function toBuffer(base64url) {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '==='.slice((base64.length + 3) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: toBuffer(d.id), transports: d.transports && d.transports.length ? d.transports : undefined };
    });
  }

  function creationOptions(json) {
    if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return {
      rp: json.rp,
      user: { id: toBuffer(json.user.id), name: json.user.name, displayName: json.user.displayName },
      challenge: toBuffer(json.challenge),
      pubKeyCredParams: json.pubKeyCredParams,
      timeout: json.timeout,
      excludeCredentials: descriptors(json.excludeCredentials),
      authenticatorSelection: json.authenticatorSelection,
      attestation: json.attestation,
      extensions: json.extensions
    };
  }

  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return {
      challenge: toBuffer(json.challenge),
      timeout: json.timeout,
      rpId: json.rpId,
      allowCredentials: descriptors(json.allowCredentials),
      userVerification: json.userVerification
    };
  }

  /** The Level 3 JSON form of a PublicKeyCredential: its own toJSON() when the browser has one. */
  function credentialJson(credential) {
    if (typeof credential.toJSON === 'function') {
      return credential.toJSON();
    }
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  }

  /** What to tell the user when the browser's WebAuthn call ended without a credential. */
  function browserFailure(failure) {
    if (failure && failure.name === 'NotAllowedError') {
      return 'The passkey request was cancelled or timed out.';
    }
    if (failure && failure.name === 'InvalidStateError') {
      return 'This device already holds a passkey for your account.';
    }
    return 'The browser could not use a passkey' + (failure && failure.message ? ': ' + failure.message : '.');
  }

  /** Asks the browser for an assertion with the request options JSON; resolves to its JSON form. */
  async function assertion(optionsJson) {
    const credential = await navigator.credentials.get({ publicKey: requestOptions(optionsJson) });
    return credentialJson(credential);
  }

  /** Runs a passkey sign-in (second factor when mfaToken is set, else password-free) and signs the user in. */
  async function signInWithPasskey(mfaToken) {
    const body = mfaToken ? { mfa_token: mfaToken } : {};
    const options = await C.api('POST', '/api/user/auth/passkey/options', body, { signIn: true });
    let credential;
    try {
      credential = await assertion(options.data);
    } catch (failure) {
      C.showError(browserFailure(failure));
      return;
    }
    body.credential = credential;
    const json = await C.api('POST', '/api/user/auth/passkey/verify', body, { signIn: true });
    C.signedIn(json.data.user);
  }

  // ---------------------------------------------------------------- sign-in page

  C.extendView('sign-in', function (root) {
    if (!supported) {
      return;
    }
    const form = $('#sign-in-form', root);
    form.parentNode.appendChild($('#tpl-passkey-sign-in').content.cloneNode(true));
    const start = $('#passkey-sign-in', root);
    start.addEventListener('click', function () {
      C.clearMessages();
      C.busy(start, async function () {
        try {
          await signInWithPasskey(null);
        } catch (failure) {
          C.showError(failure);
        }
      });
    });
  });

  // ---------------------------------------------------------------- MFA step

  C.extendView('mfa', function (root) {
    const mfa = C.state.mfa;
    if (!mfa || mfa.methods.indexOf('passkey') < 0) {
      return;
    }
    const form = $('#mfa-form', root);
    form.parentNode.insertBefore($('#tpl-passkey-mfa').content.cloneNode(true), form.nextSibling);
    const codeMethods = mfa.methods.filter(function (m) { return m !== 'passkey'; });
    if (codeMethods.length === 0) {
      // only a passkey: no code to type; keep "Start over"
      for (const part of form.querySelectorAll('fieldset, #mfa-send-row, label[for=mfa-code], #mfa-code, #mfa-submit')) {
        part.hidden = true;
      }
      $('#mfa-code', root).required = false;
      form.parentNode.appendChild($('#mfa-restart', root).parentNode);
    }
    const use = $('#mfa-passkey', root);
    if (!supported) {
      use.disabled = true;
      use.textContent = 'This browser does not support passkeys';
      return;
    }
    use.addEventListener('click', function () {
      C.clearMessages();
      C.busy(use, async function () {
        try {
          await signInWithPasskey(mfa.token);
        } catch (failure) {
          C.showError(failure);
        }
      });
    });
  });

  // ---------------------------------------------------------------- Account page

  C.extendView('account', function (root) {
    root.appendChild($('#tpl-passkeys-section').content.cloneNode(true));
    const form = $('#passkey-add-form', root);
    const add = $('#passkey-add', root);
    if (!supported) {
      $('#passkeys-unsupported', root).hidden = false;
      add.disabled = true;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      C.clearMessages();
      C.busy(add, async function () {
        try {
          const options = await C.api('POST', '/api/user/passkeys/register/options');
          let credential;
          try {
            credential = await navigator.credentials.create({ publicKey: creationOptions(options.data) });
          } catch (failure) {
            C.showError(browserFailure(failure));
            return;
          }
          const created = await C.api('POST', '/api/user/passkeys',
            { name: form.name.value.trim() || 'Passkey', credential: credentialJson(credential) });
          C.showNotice('Passkey "' + created.data.name + '" added. You can now sign in with it.');
          await loadPasskeys(root);
        } catch (failure) {
          C.showError(failure);
        }
      });
    });
    loadPasskeys(root);
  });

  async function loadPasskeys(root) {
    let json;
    try {
      json = await C.api('GET', '/api/user/passkeys');
    } catch (failure) {
      C.showError(failure);
      return;
    }
    const passkeys = json.data.passkeys;
    const table = $('#passkeys-table', root);
    const body = $('tbody', table);
    body.replaceChildren();
    for (const passkey of passkeys) {
      const row = document.createElement('tr');
      row.dataset.passkeyId = passkey.id;
      C.cell(row, 'Name', passkey.name).classList.add('passkey-name');
      C.cell(row, 'Added', C.when(passkey.created_at));
      C.cell(row, 'Last used', C.when(passkey.last_used_at));
      const actions = C.element('div', null, 'row-actions');
      actions.append(
        C.button('Rename', 'Rename passkey ' + passkey.name, function () { renameRow(root, row, passkey); }),
        C.button('Delete', 'Delete passkey ' + passkey.name, function () { deletePasskey(root, passkey); }, 'danger'));
      C.cell(row, 'Actions', actions);
      body.appendChild(row);
    }
    table.hidden = passkeys.length === 0;
    $('#passkeys-empty', root).hidden = passkeys.length > 0;
  }

  function renameRow(root, row, passkey) {
    const nameCell = row.querySelector('.passkey-name');
    const editor = C.element('form', null, 'passkey-rename');
    const input = C.element('input');
    input.name = 'name';
    input.maxLength = 64;
    input.required = true;
    input.value = passkey.name;
    input.setAttribute('aria-label', 'New name of passkey ' + passkey.name);
    const save = C.element('button', 'Save', 'primary');
    save.type = 'submit';
    editor.append(input, save);
    editor.addEventListener('submit', function (event) {
      event.preventDefault();
      C.clearMessages();
      C.busy(save, async function () {
        try {
          await C.api('PATCH', '/api/user/passkeys/' + encodeURIComponent(passkey.id), { name: input.value.trim() });
          C.showNotice('Passkey renamed.');
          await loadPasskeys(root);
        } catch (failure) {
          C.showError(failure);
        }
      });
    });
    nameCell.replaceChildren(editor);
    input.focus();
  }

  async function deletePasskey(root, passkey) {
    C.clearMessages();
    const ok = await C.confirmAction('Delete passkey', 'Delete the passkey "' + passkey.name + '"? It can no longer '
      + 'sign you in. Remove it from the device too.', 'Delete passkey');
    if (!ok) {
      return;
    }
    try {
      await C.api('DELETE', '/api/user/passkeys/' + encodeURIComponent(passkey.id));
      C.showNotice('Passkey "' + passkey.name + '" deleted.');
      await loadPasskeys(root);
    } catch (failure) {
      C.showError(failure);
    }
  }
}());
