// Second factors in the console: factor state and turning factors off, recovery codes (shown once, download as
// text), a recovery code on the MFA step of sign-in, and an admin's MFA reset of a user. Loaded after app.js; adds
// to its views through window.S4EConsole.
(function () {
  'use strict';

  const C = window.S4EConsole;
  const $ = C.$;

  function fromTemplate(id) {
    return document.getElementById(id).content.cloneNode(true);
  }

  // ---------------------------------------------------------------- Account: factors and recovery codes

  C.extendView('account', function (root) {
    root.appendChild(fromTemplate('factors-account'));
    const view = { totp: null, email: null, left: null };

    function show() {
      $('#factor-totp-state', root).textContent = view.totp == null ? 'unknown' : (view.totp ? 'on' : 'off');
      $('#factor-email-state', root).textContent = view.email == null ? 'unknown' : (view.email ? 'on' : 'off');
      $('#factor-totp-off', root).hidden = view.totp === false;
      $('#factor-email-off', root).hidden = view.email === false;
      const left = $('#recovery-left', root);
      left.textContent = view.left == null ? '' : (view.left === 1 ? '1 unused recovery code left.'
        : view.left + ' unused recovery codes left.');
      $('#recovery-generate', root).textContent = view.left ? 'Regenerate recovery codes' : 'Generate recovery codes';
    }

    async function load() {
      try {
        const json = await C.api('GET', '/api/user/me');
        const mfa = json.data.mfa || {};
        view.totp = !!mfa.totp;
        view.email = !!mfa.email;
        view.left = typeof mfa.recovery_codes_left === 'number' ? mfa.recovery_codes_left : null;
      } catch (failure) {
        if (failure.status !== 404) {
          C.showError(failure);
        }
      }
      show();
    }

    function turnOff(factor, path, title, text) {
      const control = $('#factor-' + factor + '-off', root);
      control.addEventListener('click', async function () {
        C.clearMessages();
        const ok = await C.confirmAction(title, text, 'Turn off');
        if (!ok) {
          return;
        }
        await C.busy(control, async function () {
          try {
            const json = await C.api('DELETE', path);
            view.totp = json.data.totp_enabled;
            view.email = json.data.email_enabled;
            view.left = json.data.recovery_codes_left;
            show();
            C.showNotice(factor === 'totp' ? 'The authenticator app is off.' : 'E-mail codes are off.');
          } catch (failure) {
            C.showError(failure);
          }
        });
      });
    }

    turnOff('totp', '/api/user/mfa/totp', 'Turn off the authenticator app?',
      'Sign-ins no longer ask for its code, and its secret is deleted. With no second factor left, your recovery codes are deleted too.');
    turnOff('email', '/api/user/mfa/email', 'Turn off e-mail codes?',
      'Sign-ins no longer offer a code by e-mail. With no second factor left, your recovery codes are deleted too.');

    let codes = [];
    const generate = $('#recovery-generate', root);
    generate.addEventListener('click', async function () {
      C.clearMessages();
      if (view.left) {
        const ok = await C.confirmAction('Replace your recovery codes?',
          'Every recovery code you have now stops working. Store the new ones.', 'Regenerate');
        if (!ok) {
          return;
        }
      }
      await C.busy(generate, async function () {
        try {
          const json = await C.api('POST', '/api/user/mfa/recovery-codes');
          codes = json.data.codes;
          const list = $('#recovery-list', root);
          list.replaceChildren();
          for (const code of codes) {
            const item = document.createElement('li');
            item.appendChild(C.element('code', code, 'recovery-code'));
            list.appendChild(item);
          }
          $('#recovery-new', root).hidden = false;
          view.left = codes.length;
          show();
          $('#recovery-download', root).focus();
        } catch (failure) {
          C.showError(failure);
        }
      });
    });

    $('#recovery-download', root).addEventListener('click', function () {
      const text = 'S4E recovery codes for ' + C.state.user.email + '\n'
        + 'Each code signs you in once instead of your second factor. A new set replaces these.\n\n'
        + codes.join('\n') + '\n';
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 's4e-recovery-codes.txt';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });

    $('#recovery-done', root).addEventListener('click', function () {
      codes = [];
      $('#recovery-list', root).replaceChildren();
      $('#recovery-new', root).hidden = true;
      generate.focus();
    });

    show();
    load();
  });

  // ---------------------------------------------------------------- sign-in: a recovery code on the MFA step

  C.extendView('mfa', function (root) {
    const mfa = C.state.mfa;
    if (!mfa || (mfa.methods || []).indexOf('recovery_code') < 0) {
      return;
    }
    const form = $('#mfa-form', root);
    $('fieldset', form).appendChild(fromTemplate('factors-mfa-choice'));
    const input = $('#mfa-code', root);
    const label = root.querySelector('label[for=mfa-code]');
    const digits = { label: label.textContent, pattern: input.getAttribute('pattern'),
      maxLength: input.getAttribute('maxlength'), inputMode: input.getAttribute('inputmode') };
    function update() {
      const recovery = $('#mfa-method-recovery', root).checked;
      label.textContent = recovery ? 'Recovery code' : digits.label;
      if (recovery) {
        input.setAttribute('pattern', '[A-Za-z0-9 -]{10,13}');
        input.setAttribute('maxlength', '13');
        input.setAttribute('inputmode', 'text');
        input.setAttribute('autocomplete', 'off');
      } else {
        input.setAttribute('pattern', digits.pattern);
        input.setAttribute('maxlength', digits.maxLength);
        input.setAttribute('inputmode', digits.inputMode);
        input.setAttribute('autocomplete', 'one-time-code');
      }
    }
    form.addEventListener('change', update);
    update();
  });

  // ---------------------------------------------------------------- Users (admin): reset a user's MFA

  C.extendView('users', function (root) {
    const body = $('#users-table tbody', root);
    function addResets() {
      for (const row of body.querySelectorAll('tr')) {
        const actions = row.querySelector('.row-actions');
        if (!actions || actions.querySelector('.reset-mfa')) {
          continue;
        }
        const email = row.querySelector('td').textContent;
        const id = row.dataset.userId;
        actions.appendChild(C.button('Reset MFA', 'Reset MFA of ' + email, async function (event) {
          const control = event.currentTarget;
          C.clearMessages();
          const ok = await C.confirmAction('Reset MFA of ' + email + '?',
            'Every second factor and recovery code of the user is removed and the user is signed out everywhere. '
            + 'The next sign-in needs only the password.', 'Reset MFA');
          if (!ok) {
            return;
          }
          await C.busy(control, async function () {
            try {
              const json = await C.api('POST', '/api/admin/users/' + encodeURIComponent(id) + '/mfa/reset');
              C.showNotice('MFA of ' + email + ' is reset; ' + json.data.sessions_ended
                + (json.data.sessions_ended === 1 ? ' session' : ' sessions') + ' ended.');
            } catch (failure) {
              C.showError(failure);
            }
          });
        }, 'danger reset-mfa'));
      }
    }
    new MutationObserver(addResets).observe(body, { childList: true });
    addResets();
  });
}());
