// S4E console: a small single-page client of the gateway's public endpoints. No framework, no build step.
// The session lives only in the HttpOnly `token` cookie; the page keeps the signed-in user's id, e-mail and role
// (no secret) in sessionStorage so a reload stays signed in, and an mfa_token only in memory.
'use strict';

(function () {
  const USER_KEY = 's4e.console.user';
  const ADMIN_VIEWS = ['users', 'audit'];
  // Views shown without a signed-in user besides sign-in and the MFA step (added with addView(..., {public: true})).
  const PUBLIC_VIEWS = [];

  const state = {
    config: null,
    user: null,
    mfa: null,
    flash: null,
    audit: { cursor: null, previous: [], query: '' }
  };

  const captcha = { ready: false, response: null, reset: null };

  const $ = (selector, root) => (root || document).querySelector(selector);

  // ---------------------------------------------------------------- gateway calls

  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
      this.handled = false;
    }
  }

  /**
   * Calls a gateway endpoint with the session cookie. Resolves to the JSON envelope of a success (or mfa_required);
   * rejects with an ApiError carrying the error envelope's code and message. A 401 outside sign-in means the
   * session has ended: the console returns to sign-in.
   */
  async function api(method, path, body, options) {
    const init = { method: method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (unreachable) {
      throw new ApiError(0, 'network', 'The gateway cannot be reached. Check the connection and try again.');
    }
    let json = null;
    try {
      json = await response.json();
    } catch (notJson) {
      json = null;
    }
    if (response.ok && json && json.status !== 'error') {
      return json;
    }
    const error = json && json.error ? json.error : {};
    const failure = new ApiError(response.status, error.code || 'internal_error',
      error.message || ('The gateway answered ' + response.status + '.'), error.retry_after);
    if (response.status === 401 && !(options && options.signIn)) {
      sessionEnded();
      failure.handled = true;
    }
    throw failure;
  }

  function sessionEnded() {
    forgetUser();
    state.flash = { error: 'Your session has ended. Please sign in again.' };
    go('sign-in');
  }

  // ---------------------------------------------------------------- messages

  function showError(failure) {
    if (failure && failure.handled) {
      return;
    }
    let text = typeof failure === 'string' ? failure : failure.message;
    if (failure && failure.retryAfter) {
      text += ' Try again in ' + failure.retryAfter + ' s.';
    }
    const box = $('#error');
    box.textContent = text;
    box.classList.add('shown');
  }

  function showNotice(text) {
    const box = $('#notice');
    box.textContent = text;
    box.classList.add('shown');
  }

  function clearMessages() {
    for (const id of ['#error', '#notice']) {
      $(id).textContent = '';
      $(id).classList.remove('shown');
    }
  }

  async function busy(button, work) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      return await work();
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  function confirmAction(title, text, okLabel) {
    const dialog = $('#confirm');
    $('#confirm-title').textContent = title;
    $('#confirm-text').textContent = text;
    $('#confirm-ok').textContent = okLabel;
    dialog.returnValue = '';
    return new Promise(function (resolve) {
      dialog.addEventListener('close', function () {
        resolve(dialog.returnValue === 'ok');
      }, { once: true });
      dialog.showModal();
      $('#confirm-cancel').focus();
    });
  }

  // ---------------------------------------------------------------- formatting

  function when(iso) {
    if (!iso) {
      return 'Never';
    }
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }

  function cell(row, label, content) {
    const td = document.createElement('td');
    td.dataset.label = label;
    if (content instanceof Node) {
      td.appendChild(content);
    } else {
      td.textContent = content == null ? '' : String(content);
    }
    row.appendChild(td);
    return td;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text != null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function button(text, label, onClick, className) {
    const node = element('button', text, className);
    node.type = 'button';
    if (label) {
      node.setAttribute('aria-label', label);
    }
    node.addEventListener('click', onClick);
    return node;
  }

  function option(select, value, selected) {
    const node = element('option', value);
    node.value = value;
    node.defaultSelected = value === selected;
    node.selected = value === selected;
    select.appendChild(node);
  }

  // ---------------------------------------------------------------- user and routing

  function rememberUser(user) {
    state.user = { id: user.id, email: user.email, role: user.role };
    sessionStorage.setItem(USER_KEY, JSON.stringify(state.user));
  }

  function forgetUser() {
    state.user = null;
    sessionStorage.removeItem(USER_KEY);
  }

  function allowedScopes() {
    const roles = (state.config && state.config.roles) || {};
    return (state.user && roles[state.user.role]) || [];
  }

  function isAdmin() {
    return allowedScopes().indexOf('admin') >= 0;
  }

  function go(view) {
    const target = '#/' + view;
    if (location.hash === target) {
      route();
    } else {
      location.hash = target;
    }
  }

  const VIEWS = {
    'sign-in': renderSignIn,
    mfa: renderMfa,
    keys: renderKeys,
    account: renderAccount,
    users: renderUsers,
    audit: renderAudit,
    forbidden: function () {}
  };

  // Further pages (account.js and the like) add views, or sections to a view, through window.S4EConsole before start.
  const EXTENSIONS = {};

  window.S4EConsole = {
    state: state,
    $: $,
    ApiError: ApiError,
    api: api,
    go: go,
    busy: busy,
    showError: showError,
    showNotice: showNotice,
    clearMessages: clearMessages,
    confirmAction: confirmAction,
    when: when,
    cell: cell,
    element: element,
    button: button,
    isAdmin: isAdmin,
    signedIn: signedIn,
    captcha: captcha,
    showCaptcha: showCaptcha,
    addView: function (name, renderView, options) {
      VIEWS[name] = renderView;
      if (options && options.admin) {
        ADMIN_VIEWS.push(name);
      }
      if (options && options.public) {
        PUBLIC_VIEWS.push(name);
      }
    },
    extendView: function (name, extend) {
      (EXTENSIONS[name] = EXTENSIONS[name] || []).push(extend);
    }
  };

  function route() {
    if (location.hash && location.hash.indexOf('#/') !== 0) {
      return;
    }
    let view = location.hash.slice(2);
    if (!state.user) {
      view = view === 'mfa' && state.mfa ? 'mfa' : (PUBLIC_VIEWS.indexOf(view) >= 0 ? view : 'sign-in');
    } else if (!VIEWS[view] || view === 'sign-in' || view === 'mfa' || view === 'forbidden') {
      view = 'keys';
    }
    if (ADMIN_VIEWS.indexOf(view) >= 0 && !isAdmin()) {
      view = 'forbidden';
    }
    if (view !== 'forbidden' && location.hash !== '#/' + view) {
      history.replaceState(null, '', '#/' + view);
    }
    render(view);
  }

  function render(view) {
    clearMessages();
    if (state.flash) {
      if (state.flash.error) {
        showError(state.flash.error);
      }
      if (state.flash.notice) {
        showNotice(state.flash.notice);
      }
      state.flash = null;
    }
    const signedIn = state.user != null;
    $('#nav').hidden = !signedIn;
    $('#whoami').hidden = !signedIn;
    for (const item of document.querySelectorAll('[data-admin]')) {
      item.hidden = !isAdmin();
    }
    for (const link of document.querySelectorAll('#nav a')) {
      if (link.dataset.view === view) {
        link.setAttribute('aria-current', 'page');
      } else {
        link.removeAttribute('aria-current');
      }
    }
    if (signedIn) {
      $('#who-email').textContent = state.user.email;
      $('#who-role').textContent = state.user.role;
    }
    const main = $('#main');
    main.replaceChildren($('#view-' + view).content.cloneNode(true));
    main.dataset.view = view;
    document.title = (main.querySelector('h1') || {}).textContent + ' · S4E console';
    VIEWS[view](main);
    for (const extend of EXTENSIONS[view] || []) {
      extend(main);
    }
    const heading = main.querySelector('h1');
    if (heading && document.activeElement !== $('#sign-in-email')) {
      heading.focus();
    }
  }

  // ---------------------------------------------------------------- sign-in and MFA

  function renderSignIn(root) {
    captcha.ready = false;
    const form = $('#sign-in-form', root);
    const submit = $('#sign-in-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages();
      busy(submit, async function () {
        const body = { email: form.email.value.trim(), password: form.password.value };
        try {
          if (captcha.ready) {
            const answer = await captcha.response();
            if (!answer) {
              showError('Complete the captcha, then sign in again.');
              return;
            }
            body.captcha_response = answer;
            body.vendor = state.config.captcha.vendor;
          }
          const json = await api('POST', '/api/user/auth/login', body, { signIn: true });
          form.password.value = '';
          if (json.status === 'mfa_required') {
            state.mfa = { token: json.data.mfa_token, methods: json.data.methods || [] };
            go('mfa');
            return;
          }
          signedIn(json.data.user);
        } catch (failure) {
          if (captcha.reset) {
            captcha.reset();
          }
          if (failure.code === 'captcha_failed' && !captcha.ready) {
            await showCaptcha(root, failure);
            return;
          }
          showError(failure);
        }
      });
    });
    $('#sign-in-email', root).focus();
  }

  function signedIn(user) {
    rememberUser(user);
    state.mfa = null;
    go('keys');
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.addEventListener('load', resolve);
      script.addEventListener('error', function () {
        reject(new Error('The captcha could not be loaded.'));
      });
      document.head.appendChild(script);
    });
  }

  // The gateway says whether a captcha is needed only by answering captcha_failed (the client IP may be in
  // s4e.captcha.bypass-cidrs, or captcha may be off), so the widget is loaded on that answer, never before.
  async function showCaptcha(root, failure) {
    const settings = state.config && state.config.captcha;
    if (!settings) {
      showError(failure.message + ' This console has no captcha widget configured '
        + '(s4e.console.captcha-vendor); ask an administrator.');
      return;
    }
    const box = $('#captcha', root);
    box.hidden = false;
    box.textContent = 'Loading the captcha…';
    try {
      const key = settings.site_key;
      if (settings.vendor === 'googlev3') {
        await loadScript('https://www.google.com/recaptcha/api.js?render=' + encodeURIComponent(key));
        box.textContent = 'This sign-in is protected by reCAPTCHA.';
        captcha.response = function () {
          return new Promise(function (resolve) {
            window.grecaptcha.ready(function () {
              window.grecaptcha.execute(key, { action: settings.action }).then(resolve);
            });
          });
        };
        captcha.reset = null;
      } else {
        const sources = {
          googlev2: 'https://www.google.com/recaptcha/api.js?render=explicit',
          hcaptcha: 'https://js.hcaptcha.com/1/api.js?render=explicit',
          turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'
        };
        const globals = { googlev2: 'grecaptcha', hcaptcha: 'hcaptcha', turnstile: 'turnstile' };
        await loadScript(sources[settings.vendor]);
        box.textContent = '';
        const widgets = window[globals[settings.vendor]];
        if (settings.vendor === 'googlev2') {
          await new Promise(function (resolve) { widgets.ready(resolve); });
        }
        const id = widgets.render(box, { sitekey: key });
        captcha.response = function () { return Promise.resolve(widgets.getResponse(id)); };
        captcha.reset = function () { widgets.reset(id); };
      }
      captcha.ready = true;
      showError(failure.message + ' Complete the captcha, then sign in again.');
    } catch (unavailable) {
      box.textContent = 'The captcha could not be loaded. Reload the page to try again.';
      showError(failure.message + ' ' + unavailable.message);
    }
  }

  function renderMfa(root) {
    const mfa = state.mfa;
    const form = $('#mfa-form', root);
    let first = null;
    for (const choice of root.querySelectorAll('.choice')) {
      const available = mfa.methods.indexOf(choice.dataset.method) >= 0;
      choice.hidden = !available;
      if (available && !first) {
        first = $('input', choice);
      }
    }
    if (first) {
      first.checked = true;
    }
    const sendRow = $('#mfa-send-row', root);
    const method = function () {
      const checked = form.querySelector('input[name=method]:checked');
      return checked ? checked.value : null;
    };
    const update = function () {
      sendRow.hidden = method() !== 'email';
    };
    form.addEventListener('change', update);
    update();
    const send = $('#mfa-send', root);
    send.addEventListener('click', function () {
      clearMessages();
      busy(send, async function () {
        try {
          await api('POST', '/api/user/auth/mfa/send', { mfa_token: mfa.token, method: 'email' }, { signIn: true });
          showNotice('A code is on its way to your e-mail address. It is valid for 10 minutes.');
          $('#mfa-code', root).focus();
        } catch (failure) {
          showError(failure);
        }
      });
    });
    const submit = $('#mfa-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages();
      busy(submit, async function () {
        try {
          const json = await api('POST', '/api/user/auth/mfa/verify',
            { mfa_token: mfa.token, code: form.code.value.trim(), method: method() }, { signIn: true });
          signedIn(json.data.user);
        } catch (failure) {
          form.code.value = '';
          showError(failure);
        }
      });
    });
    $('#mfa-restart', root).addEventListener('click', function () {
      state.mfa = null;
      go('sign-in');
    });
  }

  async function signOut(all) {
    try {
      await api('POST', '/api/user/auth/logout' + (all ? '?all=true' : ''), undefined, { signIn: true });
    } catch (failure) {
      if (failure.status !== 401) {
        showError(failure);
        return;
      }
    }
    forgetUser();
    state.flash = { notice: all ? 'Signed out on every device.' : 'Signed out.' };
    go('sign-in');
  }

  // ---------------------------------------------------------------- API keys

  function renderKeys(root) {
    const list = $('#key-scope-list', root);
    for (const scope of allowedScopes()) {
      const id = 'scope-' + scope.replace(/[^a-z]/g, '-');
      const wrapper = element('div', null, 'choice');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = id;
      box.name = 'scope';
      box.value = scope;
      const label = element('label', scope);
      label.htmlFor = id;
      wrapper.append(box, label);
      list.appendChild(wrapper);
    }
    $('#keys-title', root).textContent = isAdmin() ? 'All keys' : 'Your keys';
    const form = $('#create-key-form', root);
    const submit = $('#create-key-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages();
      const scopes = Array.from(form.querySelectorAll('input[name=scope]:checked')).map(function (box) {
        return box.value;
      });
      if (scopes.length === 0) {
        showError('Choose at least one scope.');
        return;
      }
      const body = { name: form.name.value.trim(), scopes: scopes };
      if (form.expires.value) {
        body.expires_at = form.expires.value + 'T23:59:59Z';
      }
      busy(submit, async function () {
        try {
          const json = await api('POST', '/api/keys', body);
          form.reset();
          showSecret(root, json.data, false);
          await loadKeys(root);
        } catch (failure) {
          showError(failure);
        }
      });
    });
    $('#new-secret-copy', root).addEventListener('click', function () {
      const input = $('#new-secret-value', root);
      const copied = function () { showNotice('The key is on the clipboard.'); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(copied, function () {
          input.select();
          showNotice('Press Ctrl+C (or ⌘C) to copy the selected key.');
        });
      } else {
        input.select();
        showNotice('Press Ctrl+C (or ⌘C) to copy the selected key.');
      }
    });
    $('#new-secret-done', root).addEventListener('click', function () {
      $('#new-secret-value', root).value = '';
      $('#new-secret', root).hidden = true;
      $('#keys-heading', root).focus();
    });
    loadKeys(root);
  }

  function showSecret(root, created, rotated) {
    const panel = $('#new-secret', root);
    $('#new-secret-name', root).textContent = created.name;
    $('#new-secret-value', root).value = created.key;
    const grace = $('#new-secret-grace', root);
    grace.hidden = !rotated;
    grace.textContent = rotated && created.previous_key_expires_at
      ? 'The previous secret keeps working until ' + when(created.previous_key_expires_at) + '.' : '';
    panel.hidden = false;
    $('#new-secret-value', root).focus();
    $('#new-secret-value', root).select();
  }

  async function loadKeys(root) {
    let json;
    try {
      json = await api('GET', '/api/keys');
    } catch (failure) {
      showError(failure);
      return;
    }
    const body = $('#keys-table tbody', root);
    body.replaceChildren();
    const keys = json.data.keys || [];
    $('#keys-empty', root).hidden = keys.length > 0;
    $('#keys-table', root).hidden = keys.length === 0;
    for (const key of keys) {
      const row = document.createElement('tr');
      row.dataset.keyId = key.id;
      const name = element('span', key.name);
      if (state.user && key.user_id !== state.user.id) {
        name.append(element('span', ' (user ' + key.user_id + ')', 'muted'));
      }
      cell(row, 'Name', name);
      cell(row, 'Key', element('code', key.prefix + '…' + key.last4));
      cell(row, 'Scopes', (key.scopes || []).join(', '));
      cell(row, 'Created', when(key.created_at));
      cell(row, 'Expires', when(key.expires_at));
      cell(row, 'Last used', when(key.last_used));
      cell(row, 'Rotation due', key.rotation_due ? 'Yes' : 'No');
      const expired = key.expires_at && new Date(key.expires_at) < new Date();
      const status = key.revoked_at ? 'Revoked' : (expired ? 'Expired' : 'Active');
      cell(row, 'Status', element('span', status, 'status status-' + status.toLowerCase()));
      const actions = element('div', null, 'row-actions');
      if (!key.revoked_at) {
        actions.append(
          button('Rotate', 'Rotate key ' + key.name, function () { rotateKey(root, key); }),
          button('Revoke', 'Revoke key ' + key.name, function () { revokeKey(root, key); }, 'danger'));
      }
      cell(row, 'Actions', actions);
      body.appendChild(row);
    }
  }

  async function revokeKey(root, key) {
    const ok = await confirmAction('Revoke ' + key.name + '?',
      'Every request with this key is refused from now on. This cannot be undone.', 'Revoke');
    if (!ok) {
      return;
    }
    clearMessages();
    try {
      await api('DELETE', '/api/keys/' + encodeURIComponent(key.id));
      showNotice('Key ' + key.name + ' is revoked.');
      await loadKeys(root);
    } catch (failure) {
      showError(failure);
    }
  }

  async function rotateKey(root, key) {
    const ok = await confirmAction('Rotate ' + key.name + '?',
      'A new secret replaces this one. The current secret keeps working for 24 hours, then stops.', 'Rotate');
    if (!ok) {
      return;
    }
    clearMessages();
    try {
      const json = await api('POST', '/api/keys/' + encodeURIComponent(key.id) + '/rotate');
      showSecret(root, json.data, true);
      await loadKeys(root);
    } catch (failure) {
      showError(failure);
    }
  }

  // ---------------------------------------------------------------- account and MFA enrolment

  function drawQr(canvas, text) {
    window.qrcode.stringToBytes = window.qrcode.stringToBytesFuncs['UTF-8'];
    const code = window.qrcode(0, 'M');
    code.addData(text, 'Byte');
    code.make();
    const modules = code.getModuleCount();
    const quiet = 4;
    const scale = 6;
    const size = (modules + 2 * quiet) * scale;
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, size, size);
    context.fillStyle = '#000000';
    for (let row = 0; row < modules; row++) {
      for (let column = 0; column < modules; column++) {
        if (code.isDark(row, column)) {
          context.fillRect((column + quiet) * scale, (row + quiet) * scale, scale, scale);
        }
      }
    }
  }

  function renderAccount(root) {
    $('#account-email', root).textContent = state.user.email;
    $('#account-role', root).textContent = state.user.role;
    $('#sign-out-all', root).addEventListener('click', async function () {
      const ok = await confirmAction('Sign out everywhere?',
        'Every session of your account ends, on this device and on all others.', 'Sign out everywhere');
      if (ok) {
        signOut(true);
      }
    });
    const setup = $('#totp-setup', root);
    setup.addEventListener('click', function () {
      clearMessages();
      busy(setup, async function () {
        try {
          const json = await api('POST', '/api/user/mfa/totp/setup');
          drawQr($('#totp-qr', root), json.data.otpauth_uri);
          $('#totp-secret', root).textContent = json.data.secret;
          $('#totp-uri', root).textContent = json.data.otpauth_uri;
          $('#totp-enrol', root).hidden = false;
          $('#totp-status', root).hidden = true;
          $('#totp-code', root).focus();
        } catch (failure) {
          showError(failure);
        }
      });
    });
    const confirmForm = $('#totp-confirm-form', root);
    const confirm = $('#totp-confirm', root);
    confirmForm.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages();
      busy(confirm, async function () {
        try {
          await api('POST', '/api/user/mfa/totp/confirm', { code: confirmForm.code.value.trim() });
          $('#totp-enrol', root).hidden = true;
          $('#totp-secret', root).textContent = '';
          $('#totp-uri', root).textContent = '';
          const status = $('#totp-status', root);
          status.textContent = 'The authenticator app is on: sign-ins now ask for its code.';
          status.hidden = false;
          setup.hidden = true;
        } catch (failure) {
          confirmForm.code.value = '';
          showError(failure);
        }
      });
    });
    const email = $('#email-enable', root);
    email.addEventListener('click', function () {
      clearMessages();
      busy(email, async function () {
        try {
          await api('POST', '/api/user/mfa/email/enable');
          const status = $('#email-status', root);
          status.textContent = 'E-mail codes are on.';
          status.hidden = false;
          email.hidden = true;
        } catch (failure) {
          showError(failure);
        }
      });
    });
  }

  // ---------------------------------------------------------------- users (admin)

  function renderUsers(root) {
    const roles = Object.keys(state.config.roles);
    for (const role of roles) {
      option($('#user-role', root), role, 'member');
    }
    for (const tier of state.config.tiers) {
      option($('#user-tier', root), tier, 'standard');
    }
    const form = $('#create-user-form', root);
    const submit = $('#create-user-submit', root);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages();
      busy(submit, async function () {
        try {
          const json = await api('POST', '/api/admin/users', {
            email: form.email.value.trim(), password: form.password.value, role: form.role.value, tier: form.tier.value
          });
          form.reset();
          showNotice('User ' + json.data.user.email + ' is created.');
          await loadUsers(root);
        } catch (failure) {
          showError(failure);
        }
      });
    });
    loadUsers(root);
  }

  async function loadUsers(root) {
    let json;
    try {
      json = await api('GET', '/api/admin/users');
    } catch (failure) {
      showError(failure);
      return;
    }
    const body = $('#users-table tbody', root);
    body.replaceChildren();
    for (const user of json.data.users || []) {
      const row = document.createElement('tr');
      row.dataset.userId = user.id;
      cell(row, 'E-mail', user.email);
      const role = document.createElement('select');
      role.setAttribute('aria-label', 'Role of ' + user.email);
      role.className = 'user-role';
      for (const name of Object.keys(state.config.roles)) {
        option(role, name, user.role);
      }
      cell(row, 'Role', role);
      const tier = document.createElement('select');
      tier.setAttribute('aria-label', 'Tier of ' + user.email);
      tier.className = 'user-tier';
      for (const name of state.config.tiers) {
        option(tier, name, user.tier);
      }
      cell(row, 'Tier', tier);
      cell(row, 'Status', element('span', user.disabled ? 'Disabled' : 'Active',
        'status status-' + (user.disabled ? 'revoked' : 'active')));
      cell(row, 'Created', when(user.created_at));
      const actions = element('div', null, 'row-actions');
      actions.append(
        button('Save', 'Save role and tier of ' + user.email, function () {
          changeUser(root, user, { role: role.value, tier: tier.value }, 'Role and tier of ' + user.email + ' saved.');
        }, 'save-user'),
        user.disabled
          ? button('Enable', 'Enable ' + user.email, function () {
            changeUser(root, user, { disabled: false }, user.email + ' is enabled.');
          }, 'enable-user')
          : button('Disable', 'Disable ' + user.email, async function () {
            const ok = await confirmAction('Disable ' + user.email + '?',
              'The user is signed out everywhere and the user\'s API keys stop working until enabled again.',
              'Disable');
            if (ok) {
              changeUser(root, user, { disabled: true }, user.email + ' is disabled.');
            }
          }, 'danger disable-user'));
      cell(row, 'Actions', actions);
      body.appendChild(row);
    }
  }

  async function changeUser(root, user, change, done) {
    clearMessages();
    try {
      await api('PATCH', '/api/admin/users/' + encodeURIComponent(user.id), change);
      showNotice(done);
      await loadUsers(root);
    } catch (failure) {
      showError(failure);
    }
  }

  // ---------------------------------------------------------------- audit log (admin)

  function renderAudit(root) {
    const form = $('#audit-filters', root);
    state.audit = { cursor: null, previous: [], query: '' };
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      state.audit = { cursor: null, previous: [], query: auditQuery(form) };
      loadAudit(root);
    });
    $('#audit-next', root).addEventListener('click', function () {
      state.audit.previous.push(state.audit.cursor);
      state.audit.cursor = state.audit.next;
      loadAudit(root);
    });
    $('#audit-prev', root).addEventListener('click', function () {
      state.audit.cursor = state.audit.previous.pop() || null;
      loadAudit(root);
    });
    state.audit.query = auditQuery(form);
    loadAudit(root);
  }

  function auditQuery(form) {
    const parameters = new URLSearchParams();
    if (form.event.value.trim()) {
      parameters.set('event', form.event.value.trim());
    }
    if (form.user_id.value.trim()) {
      parameters.set('user_id', form.user_id.value.trim());
    }
    for (const name of ['since', 'until']) {
      if (form[name].value) {
        parameters.set(name, new Date(form[name].value).toISOString());
      }
    }
    parameters.set('limit', form.limit.value);
    return parameters.toString();
  }

  async function loadAudit(root) {
    clearMessages();
    const parameters = new URLSearchParams(state.audit.query);
    if (state.audit.cursor) {
      parameters.set('cursor', state.audit.cursor);
    }
    const body = $('#audit-table tbody', root);
    let json;
    try {
      json = await api('GET', '/api/audit-log?' + parameters.toString());
    } catch (failure) {
      body.replaceChildren();
      $('#audit-next', root).disabled = true;
      $('#audit-prev', root).disabled = true;
      showError(failure);
      return;
    }
    const events = json.data.events || [];
    body.replaceChildren();
    for (const event of events) {
      const row = document.createElement('tr');
      cell(row, 'Time', when(event.time));
      cell(row, 'Event', event.event);
      cell(row, 'Outcome', event.outcome);
      cell(row, 'User', event.user_id == null ? '' : event.user_id);
      cell(row, 'Key', [event.key_id, event.key_hint].filter(Boolean).join(' '));
      cell(row, 'Client IP', event.client_ip);
      cell(row, 'Request', [event.method, event.path].filter(Boolean).join(' ')
        + (event.request_id ? ' · ' + event.request_id : ''));
      const detail = typeof event.detail === 'object' && event.detail !== null
        ? JSON.stringify(event.detail) : event.detail;
      cell(row, 'Detail', detail);
      row.title = event.user_agent || '';
      body.appendChild(row);
    }
    $('#audit-empty', root).hidden = events.length > 0;
    state.audit.next = json.data.next_cursor || null;
    $('#audit-next', root).disabled = !state.audit.next;
    $('#audit-prev', root).disabled = state.audit.previous.length === 0 && !state.audit.cursor;
  }

  // ---------------------------------------------------------------- start

  async function start() {
    $('#sign-out').addEventListener('click', function () { signOut(false); });
    $('#skip-link').addEventListener('click', function (event) {
      event.preventDefault();
      $('#main').focus();
    });
    try {
      const response = await fetch('config.json', { credentials: 'same-origin', cache: 'no-store' });
      state.config = await response.json();
    } catch (unavailable) {
      state.config = { captcha: null, scopes: [], roles: {}, tiers: [] };
      showError('The console configuration could not be loaded. Reload the page.');
    }
    try {
      const stored = JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
      state.user = stored && stored.email ? stored : null;
    } catch (invalid) {
      state.user = null;
    }
    window.addEventListener('hashchange', route);
    route();
  }

  // Deferred scripts after this one register their views first: start once the document is parsed
  // (deferred scripts all run before DOMContentLoaded).
  document.addEventListener('DOMContentLoaded', start);
}());
