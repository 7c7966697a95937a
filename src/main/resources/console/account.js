// S4E console: account self-service (CONTRACT §10): forgotten password, reset from the e-mailed link, password
// change and the session list on the Account page. Loaded after app.js; registers through window.S4EConsole.
'use strict';

(function () {
  const C = window.S4EConsole;
  const $ = C.$;

  // A reset link opens #/reset?token=pwr_…. The token is taken out of the address at once (before the console
  // routes) and kept only in memory: it stays out of the history and of anything that copies the address. It was
  // never sent to a server (a fragment is not) and is never in a Referer (fragments never are; the page also says
  // no-referrer).
  // The link may also open in a tab that shows the console already (only the fragment changes): this listener is
  // registered before the console's own, so the console routes to the clean #/reset.
  let resetToken = null;
  function takeResetToken() {
    const match = /^#\/reset\?(.*)$/.exec(location.hash);
    if (!match) {
      return;
    }
    const token = new URLSearchParams(match[1]).get('token');
    resetToken = token && /^pwr_[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
    history.replaceState(null, '', location.pathname + location.search + '#/reset');
  }
  takeResetToken();
  window.addEventListener('hashchange', takeResetToken);

  // ------------------------------------------------------------ sign-in: the way to the forgot page

  C.extendView('sign-in', function (root) {
    const back = C.element('p', null, 'forgot-link');
    const link = C.element('a', 'Forgot password?');
    link.href = '#/forgot';
    link.id = 'forgot-password';
    back.appendChild(link);
    $('section', root).appendChild(back);
  });

  // ------------------------------------------------------------ forgot

  C.addView('forgot', function (root) {
    C.captcha.ready = false;
    const form = $('#forgot-form', root);
    const submit = $('#forgot-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      C.clearMessages();
      C.busy(submit, async function () {
        const body = { email: form.email.value.trim() };
        try {
          if (C.captcha.ready) {
            const answer = await C.captcha.response();
            if (!answer) {
              C.showError('Complete the captcha, then send again.');
              return;
            }
            body.captcha_response = answer;
            body.vendor = C.state.config.captcha.vendor;
          }
          const json = await C.api('POST', '/api/user/auth/password/forgot', body, { signIn: true });
          const sent = $('#forgot-sent', root);
          sent.textContent = json.data.message;
          sent.hidden = false;
          form.hidden = true;
        } catch (failure) {
          if (C.captcha.reset) {
            C.captcha.reset();
          }
          if (failure.code === 'captcha_failed' && !C.captcha.ready) {
            await C.showCaptcha(root, failure);
            return;
          }
          C.showError(failure);
        }
      });
    });
    $('#forgot-email', root).focus();
  }, { public: true });

  // ------------------------------------------------------------ reset from the e-mailed link

  C.addView('reset', function (root) {
    const form = $('#reset-form', root);
    const submit = $('#reset-submit', root);
    $('#reset-token-row', root).hidden = resetToken != null;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      C.clearMessages();
      const token = resetToken || form.token.value.trim();
      if (!token) {
        C.showError('Enter the reset token from the e-mail.');
        return;
      }
      if (form.password.value !== form.again.value) {
        C.showError('The two new passwords differ.');
        return;
      }
      C.busy(submit, async function () {
        try {
          await C.api('POST', '/api/user/auth/password/reset', { token: token, new_password: form.password.value },
            { signIn: true });
          resetToken = null;
          form.reset();
          C.state.flash = { notice: 'Your password is changed and every session of your account has ended. '
            + 'Sign in with the new password.' };
          if (C.state.user) {
            C.state.user = null;
            sessionStorage.removeItem('s4e.console.user');
          }
          C.go('sign-in');
        } catch (failure) {
          if (failure.status === 401) {
            resetToken = null;
            $('#reset-token-row', root).hidden = false;
          }
          C.showError(failure);
        }
      });
    });
  }, { public: true });

  // ------------------------------------------------------------ account: password change and sessions

  C.extendView('account', function (root) {
    root.appendChild($('#account-password').content.cloneNode(true));
    root.appendChild($('#account-sessions').content.cloneNode(true));
    const form = $('#password-form', root);
    const submit = $('#password-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      C.clearMessages();
      if (form.password.value !== form.again.value) {
        C.showError('The two new passwords differ.');
        return;
      }
      C.busy(submit, async function () {
        try {
          const json = await C.api('POST', '/api/user/password',
            { current_password: form.current.value, new_password: form.password.value }, { signIn: true });
          form.reset();
          const ended = json.data.sessions_ended;
          C.showNotice('Your password is changed. ' + (ended === 1 ? '1 other session has'
            : ended + ' other sessions have') + ' ended; this one stays signed in.');
          await loadSessions(root);
        } catch (failure) {
          form.current.value = '';
          C.showError(failure);
        }
      });
    });
    loadSessions(root);
  });

  function device(agent) {
    if (!agent) {
      return 'Unknown device';
    }
    const browser = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox'
      : /Chrom(e|ium)\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : null;
    const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS'
      : /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : null;
    return browser || system ? [browser, system].filter(Boolean).join(' on ') : agent.slice(0, 60);
  }

  async function loadSessions(root) {
    let json;
    try {
      json = await C.api('GET', '/api/user/sessions');
    } catch (failure) {
      C.showError(failure);
      return;
    }
    const sessions = json.data || [];
    const body = $('#sessions-table tbody', root);
    body.replaceChildren();
    $('#sessions-empty', root).hidden = sessions.length > 0;
    for (const session of sessions) {
      const row = document.createElement('tr');
      row.dataset.sessionId = session.id;
      if (session.current) {
        row.classList.add('current-session');
      }
      const name = C.element('span', device(session.user_agent));
      name.title = session.user_agent || '';
      if (session.current) {
        name.append(' ', C.element('span', 'This device', 'status status-active this-device'));
      }
      C.cell(row, 'Device', name);
      C.cell(row, 'Client IP', session.client_ip || '');
      C.cell(row, 'Signed in', C.when(session.created_at));
      C.cell(row, 'Last seen', C.when(session.last_seen_at));
      C.cell(row, 'Factors', (session.amr || []).indexOf('mfa') >= 0 ? 'Password and second factor' : 'Password');
      const actions = C.element('div', null, 'row-actions');
      actions.append(C.button('Sign out this device', 'Sign out ' + device(session.user_agent)
        + (session.current ? ' (this device)' : ''), function () { endSession(root, session); }, 'danger end-session'));
      C.cell(row, 'Actions', actions);
      body.appendChild(row);
    }
  }

  async function endSession(root, session) {
    const ok = await C.confirmAction('Sign out this device?', session.current
      ? 'This is the device you are using: you will have to sign in again here.'
      : 'That device has to sign in again to use your account.', 'Sign out');
    if (!ok) {
      return;
    }
    C.clearMessages();
    try {
      await C.api('DELETE', '/api/user/sessions/' + encodeURIComponent(session.id));
      if (session.current) {
        C.state.user = null;
        sessionStorage.removeItem('s4e.console.user');
        C.state.flash = { notice: 'This device is signed out.' };
        C.go('sign-in');
        return;
      }
      C.showNotice('The device is signed out.');
      await loadSessions(root);
    } catch (failure) {
      C.showError(failure);
    }
  }
}());
