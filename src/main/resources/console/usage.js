// S4E console: usage of each API key, the admins' Security page, and the audit log's filter choices (CONTRACT §12).
// Charts are inline SVG built from the JSON here (no script from elsewhere, no inline style: colours are classes in
// app.css); every chart has a table view of the same numbers.
'use strict';

(function () {
  const C = window.S4EConsole;
  const $ = C.$;
  const SVG = 'http://www.w3.org/2000/svg';
  const USAGE_SERIES = [
    { key: 'allowed', label: 'Allowed', className: 'series-allowed' },
    { key: 'refused', label: 'Refused', className: 'series-refused' },
    { key: 'limited', label: 'Limited', className: 'series-limited' }
  ];
  const REASON_LABELS = {
    unauthorized: 'Unauthorized (401)',
    token_expired: 'Token expired (401)',
    forbidden: 'Forbidden (403)',
    mfa_required: 'MFA required (403)',
    rate_limited: 'Rate limited (429)'
  };
  const LOCKOUT_KINDS = {
    login: 'Sign-in locked (e-mail)',
    mfa: 'MFA locked (account)',
    refused_keys: 'Address blocked (refused API keys)'
  };

  // ---------------------------------------------------------------- charts

  function bucketLabel(iso, hourly) {
    const text = new Date(iso).toISOString();
    return hourly ? text.slice(5, 10) + ' ' + text.slice(11, 16) : text.slice(11, 16);
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const name of Object.keys(attributes || {})) {
      node.setAttribute(name, String(attributes[name]));
    }
    return node;
  }

  /**
   * Draws stacked bars, one per bucket, into container: series[i].key names each bucket's value (read by value()),
   * stacked bottom to top in the order given. Each bar group carries its numbers as data-* attributes and a title.
   */
  function drawStacked(container, buckets, series, value, hourly, label) {
    const width = Math.max(buckets.length, 1) * 10;
    let peak = 0;
    for (const bucket of buckets) {
      let total = 0;
      for (const s of series) {
        total += value(bucket, s.key);
      }
      peak = Math.max(peak, total);
    }
    const chart = svg('svg', {
      viewBox: '0 0 ' + width + ' 100', preserveAspectRatio: 'none', role: 'img', focusable: 'false',
      class: 'chart', 'aria-label': label
    });
    chart.appendChild(svg('line', { x1: 0, y1: 99.5, x2: width, y2: 99.5, class: 'chart-baseline' }));
    buckets.forEach(function (bucket, i) {
      const group = svg('g', { class: 'bar', 'data-start': bucket.start });
      let y = 100;
      const parts = [];
      for (const s of series) {
        const n = value(bucket, s.key);
        group.setAttribute('data-' + s.key.replace(/_/g, '-'), n);
        if (n > 0) {
          const height = peak === 0 ? 0 : (n / peak) * 96;
          y -= height;
          group.appendChild(svg('rect', { x: i * 10 + 1, y: y, width: 8, height: height, class: s.className }));
        }
        parts.push(n + ' ' + s.label.toLowerCase());
      }
      const title = svg('title');
      title.textContent = bucketLabel(bucket.start, hourly) + ' UTC: ' + parts.join(', ');
      group.appendChild(title);
      chart.appendChild(group);
    });
    container.replaceChildren(chart);
    return peak;
  }

  function countCell(row, label, n) {
    const td = C.cell(row, label, String(n));
    td.className = 'num';
    return td;
  }

  // ---------------------------------------------------------------- usage of a key

  async function showUsage(root, key) {
    let panel = $('#usage-panel', root);
    if (!panel) {
      const keysCard = $('#keys-table', root).closest('section');
      keysCard.after($('#usage-panel').content.cloneNode(true));
      panel = $('#usage-panel', root);
      $('#usage-close', panel).addEventListener('click', function () {
        const opener = root.querySelector('.usage-open[data-key-id="' + panel.dataset.keyId + '"]');
        panel.remove();
        if (opener) {
          opener.focus();
        }
      });
      $('#usage-window', panel).addEventListener('change', function () {
        loadUsage(panel);
      });
    }
    panel.dataset.keyId = key.id;
    panel.dataset.keyName = key.name;
    $('#usage-title', panel).textContent = 'Usage of ' + key.name;
    await loadUsage(panel);
    $('#usage-title', panel).focus();
  }

  async function loadUsage(panel) {
    const window_ = $('#usage-window', panel).value;
    let json;
    try {
      json = await C.api('GET', '/api/keys/' + encodeURIComponent(panel.dataset.keyId) + '/usage?window='
        + encodeURIComponent(window_));
    } catch (failure) {
      C.showError(failure);
      return;
    }
    const data = json.data;
    const hourly = data.bucket === 'hour';
    const buckets = data.buckets || [];
    const totals = { allowed: 0, refused: 0, limited: 0 };
    const body = $('#usage-table tbody', panel);
    body.replaceChildren();
    for (const bucket of buckets) {
      totals.allowed += bucket.allowed;
      totals.refused += bucket.refused;
      totals.limited += bucket.limited;
      const row = document.createElement('tr');
      const th = C.element('th', bucketLabel(bucket.start, hourly));
      th.scope = 'row';
      th.dataset.label = 'Start (UTC)';
      row.appendChild(th);
      countCell(row, 'Allowed', bucket.allowed);
      countCell(row, 'Refused', bucket.refused);
      countCell(row, 'Limited', bucket.limited);
      countCell(row, 'Total', bucket.allowed + bucket.refused + bucket.limited);
      body.appendChild(row);
    }
    const foot = document.createElement('tr');
    const th = C.element('th', 'Total');
    th.scope = 'row';
    th.dataset.label = 'Window';
    foot.appendChild(th);
    countCell(foot, 'Allowed', totals.allowed).classList.add('total-allowed');
    countCell(foot, 'Refused', totals.refused).classList.add('total-refused');
    countCell(foot, 'Limited', totals.limited).classList.add('total-limited');
    countCell(foot, 'Total', totals.allowed + totals.refused + totals.limited).classList.add('total-all');
    $('#usage-table tfoot', panel).replaceChildren(foot);
    const all = totals.allowed + totals.refused + totals.limited;
    const label = 'Requests of ' + panel.dataset.keyName + ' per ' + (hourly ? 'hour' : 'minute') + ': '
      + totals.allowed + ' allowed, ' + totals.refused + ' refused, ' + totals.limited + ' limited';
    const peak = drawStacked($('#usage-chart', panel), buckets, USAGE_SERIES, function (b, k) { return b[k]; },
      hourly, label);
    $('#usage-caption', panel).textContent = label;
    $('#usage-summary', panel).textContent = all === 0 ? 'No requests with this key in this window.'
      : all + ' requests: ' + totals.allowed + ' allowed, ' + totals.refused + ' refused, ' + totals.limited
        + ' limited; at most ' + peak + ' per ' + (hourly ? 'hour' : 'minute') + '.';
    if (buckets.length) {
      $('#usage-from', panel).textContent = C.when(buckets[0].start);
      $('#usage-to', panel).textContent = C.when(buckets[buckets.length - 1].start);
    }
  }

  /** Adds a Usage button to each key row the keys page renders (its rows arrive after the list call). */
  function extendKeys(root) {
    const body = $('#keys-table tbody', root);
    const decorate = function () {
      for (const row of body.querySelectorAll('tr[data-key-id]')) {
        const actions = row.querySelector('.row-actions');
        if (!actions || actions.querySelector('.usage-open')) {
          continue;
        }
        const name = row.querySelector('td[data-label="Name"] span');
        const key = { id: row.dataset.keyId, name: name ? name.firstChild.textContent : row.dataset.keyId };
        const open = C.button('Usage', 'Usage of key ' + key.name, function () {
          C.busy(open, function () { return showUsage(root, key); });
        });
        open.classList.add('usage-open');
        open.dataset.keyId = key.id;
        actions.prepend(open);
      }
    };
    new MutationObserver(decorate).observe(body, { childList: true });
    decorate();
  }

  // ---------------------------------------------------------------- security page

  function reasonLabel(reason) {
    return REASON_LABELS[reason] || reason;
  }

  function renderSecurity(root) {
    $('#security-window', root).addEventListener('change', function () { loadSecurity(root); });
    const refresh = $('#security-refresh', root);
    refresh.addEventListener('click', function () {
      C.busy(refresh, function () { return loadSecurity(root); });
    });
    loadSecurity(root);
  }

  async function loadSecurity(root) {
    let json;
    try {
      json = await C.api('GET', '/api/admin/security?window=' + encodeURIComponent($('#security-window', root).value));
    } catch (failure) {
      C.showError(failure);
      return;
    }
    const data = json.data;
    const hourly = data.bucket === 'hour';
    const reasons = data.reasons || [];
    const series = reasons.map(function (reason, i) {
      return { key: reason, label: reasonLabel(reason), className: 'series-reason-' + (REASON_LABELS[reason] ? reason : 'other-' + (i % 3)) };
    });
    const buckets = data.refusals || [];
    let all = 0;
    for (const reason of reasons) {
      all += (data.totals || {})[reason] || 0;
    }
    const label = 'Refused requests per ' + (hourly ? 'hour' : 'minute') + ' by reason: '
      + (reasons.length ? reasons.map(function (r) { return data.totals[r] + ' ' + reasonLabel(r); }).join(', ') : 'none');
    const peak = drawStacked($('#security-chart', root), buckets, series,
      function (b, k) { return (b.reasons || {})[k] || 0; }, hourly, label);
    $('#security-summary', root).textContent = all === 0 ? 'No refused requests in this window.'
      : all + ' refused requests; at most ' + peak + ' per ' + (hourly ? 'hour' : 'minute') + '.';
    if (buckets.length) {
      $('#security-from', root).textContent = C.when(buckets[0].start);
      $('#security-to', root).textContent = C.when(buckets[buckets.length - 1].start);
    }
    const legend = $('#security-legend', root);
    legend.replaceChildren();
    for (const s of series) {
      const item = document.createElement('li');
      item.append(C.element('span', null, 'swatch ' + s.className), s.label);
      legend.appendChild(item);
    }
    securityTable(root, buckets, series, hourly, data.totals || {});
    sourceTable(root, '#security-ips', '#security-ips-empty', data.top_client_ips || [], 'client_ip', 'Client IP');
    sourceTable(root, '#security-hints', '#security-hints-empty', data.top_key_hints || [], 'key_hint', 'Key');
    lockoutTable(root, data.lockouts || []);
  }

  function securityTable(root, buckets, series, hourly, totals) {
    const head = $('#security-table thead tr', root);
    head.replaceChildren();
    for (const title of ['Start (UTC)'].concat(series.map(function (s) { return s.label; }), ['Total'])) {
      const th = C.element('th', title);
      th.scope = 'col';
      head.appendChild(th);
    }
    const body = $('#security-table tbody', root);
    body.replaceChildren();
    let all = 0;
    for (const bucket of buckets) {
      const row = document.createElement('tr');
      const th = C.element('th', bucketLabel(bucket.start, hourly));
      th.scope = 'row';
      th.dataset.label = 'Start (UTC)';
      row.appendChild(th);
      for (const s of series) {
        countCell(row, s.label, (bucket.reasons || {})[s.key] || 0);
      }
      countCell(row, 'Total', bucket.total || 0);
      all += bucket.total || 0;
      body.appendChild(row);
    }
    const foot = document.createElement('tr');
    const th = C.element('th', 'Total');
    th.scope = 'row';
    th.dataset.label = 'Window';
    foot.appendChild(th);
    for (const s of series) {
      countCell(foot, s.label, totals[s.key] || 0).dataset.reason = s.key;
    }
    countCell(foot, 'Total', all).classList.add('total-all');
    $('#security-table tfoot', root).replaceChildren(foot);
  }

  function sourceTable(root, table, empty, rows, field, label) {
    const body = $(table + ' tbody', root);
    body.replaceChildren();
    for (const source of rows) {
      const row = document.createElement('tr');
      C.cell(row, label, C.element('code', source[field]));
      countCell(row, 'Refusals', source.count);
      body.appendChild(row);
    }
    $(empty, root).hidden = rows.length > 0;
    $(table, root).hidden = rows.length === 0;
  }

  function lockoutTable(root, lockouts) {
    const body = $('#security-lockouts tbody', root);
    body.replaceChildren();
    for (const lockout of lockouts) {
      const row = document.createElement('tr');
      row.dataset.lockoutId = lockout.id;
      C.cell(row, 'Kind', LOCKOUT_KINDS[lockout.kind] || lockout.kind);
      C.cell(row, 'Locked', lockout.subject || '');
      C.cell(row, 'Until', C.when(lockout.until));
      const what = (lockout.subject || lockout.kind);
      const lift = C.button('Lift', 'Lift the lockout of ' + what, function () { liftLockout(root, lockout, what); },
        'danger');
      const actions = C.element('div', null, 'row-actions');
      actions.appendChild(lift);
      C.cell(row, 'Actions', actions);
      body.appendChild(row);
    }
    $('#security-lockouts-empty', root).hidden = lockouts.length > 0;
    $('#security-lockouts', root).hidden = lockouts.length === 0;
  }

  async function liftLockout(root, lockout, what) {
    const ok = await C.confirmAction('Lift the lockout of ' + what + '?',
      'Its failed attempts are forgotten on every replica and the next attempt is decided afresh.', 'Lift');
    if (!ok) {
      return;
    }
    try {
      await C.api('DELETE', '/api/admin/security/lockouts/' + encodeURIComponent(lockout.id));
    } catch (failure) {
      C.showError(failure);
      return;
    }
    await loadSecurity(root);
    C.showNotice('The lockout of ' + what + ' is lifted.');
  }

  // ---------------------------------------------------------------- audit log filter choices

  function localInput(date) {
    const pad = function (n) { return String(n).padStart(2, '0'); };
    return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T'
      + pad(date.getHours()) + ':' + pad(date.getMinutes());
  }

  function apply(form) {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  }

  async function extendAudit(root) {
    const form = $('#audit-filters', root);
    const eventInput = $('#audit-event', root);
    const select = document.createElement('select');
    select.id = 'audit-event';
    select.name = 'event';
    const any = C.element('option', 'All events');
    any.value = '';
    select.appendChild(any);
    eventInput.replaceWith(select);
    const userField = $('#audit-user', root);
    userField.closest('div').after($('#audit-choices').content.cloneNode(true));
    const users = $('#audit-user-email', root);
    users.addEventListener('change', function () {
      userField.value = users.value;
    });
    userField.addEventListener('input', function () {
      users.value = Array.from(users.options).some(function (o) { return o.value === userField.value; })
        ? userField.value : '';
    });
    for (const preset of root.querySelectorAll('[data-preset]')) {
      preset.addEventListener('click', function () {
        const hours = { '1h': 1, '24h': 24, '7d': 168 }[preset.dataset.preset];
        form.since.value = hours ? localInput(new Date(Date.now() - hours * 3600000)) : '';
        form.until.value = '';
        apply(form);
      });
    }
    narrowOnClick(root, form, select);
    try {
      const [events, list] = await Promise.all([C.api('GET', '/api/audit-log/events'),
        C.api('GET', '/api/admin/users')]);
      for (const name of events.data.events || []) {
        const option = C.element('option', name);
        option.value = name;
        select.appendChild(option);
      }
      const sorted = (list.data.users || []).slice().sort(function (a, b) { return a.email.localeCompare(b.email); });
      for (const user of sorted) {
        const option = C.element('option', user.email);
        option.value = String(user.id);
        users.appendChild(option);
      }
      users.value = userField.value;
    } catch (failure) {
      C.showError(failure);
    }
  }

  /** Turns each row's event and user into buttons that narrow the filter to them. */
  function narrowOnClick(root, form, select) {
    const body = $('#audit-table tbody', root);
    const decorate = function () {
      for (const row of body.querySelectorAll('tr:not([data-narrowed])')) {
        row.dataset.narrowed = 'true';
        const eventCell = row.querySelector('td[data-label="Event"]');
        const userCell = row.querySelector('td[data-label="User"]');
        if (eventCell && eventCell.textContent) {
          const name = eventCell.textContent;
          eventCell.replaceChildren(C.button(name, 'Show only ' + name + ' events', function () {
            select.value = name;
            apply(form);
          }, 'link narrow-event'));
        }
        if (userCell && userCell.textContent) {
          const id = userCell.textContent;
          userCell.replaceChildren(C.button(id, 'Show only events of user ' + id, function () {
            form.user_id.value = id;
            const users = $('#audit-user-email', root);
            users.value = Array.from(users.options).some(function (o) { return o.value === id; }) ? id : '';
            apply(form);
          }, 'link narrow-user'));
        }
      }
    };
    new MutationObserver(decorate).observe(body, { childList: true });
    decorate();
  }

  C.addView('security', renderSecurity, { admin: true });
  C.extendView('keys', extendKeys);
  C.extendView('audit', extendAudit);
}());
