/* global window, document, location, Option */
// Lifeline operator console: plain browser JavaScript, no build step, nothing loaded from outside this server.
(() => {
  'use strict';
  const PHASES = ['warn', 'mobilize', 'respond', 'recover', 'review', 'closed'];
  const STATUSES = ['running', 'completed', 'cancelled', 'failed'];
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem('lifeline.token') || '', lang: localStorage.getItem('lifeline.lang') || 'zh-CN', incident: null, stream: null, events: 0, system: null };

  // ---- language -------------------------------------------------------------------------------------------------
  const t = (key, vars = {}) => {
    const dict = window.LIFELINE_I18N;
    const text = (dict[state.lang] && dict[state.lang][key]) || dict.en[key] || key;
    return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? '' : String(vars[k])));
  };
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t('app.title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    $('lang').value = state.lang;
    if (state.incident) renderIncident(state.incident);
    renderSystemStatus();
  }

  // ---- HTTP -----------------------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.error && body.error.code;
      this.details = body && body.error && body.error.details;
    }
  }
  async function api(method, path, body, headers = {}) {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${state.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }
  const errorText = (err) => `${t('error.prefix')} ${err.status || ''} ${err.code || ''}: ${err.message}${Array.isArray(err.details) ? ` (${err.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : ''}`;

  // ---- confirmation ---------------------------------------------------------------------------------------------
  function confirmAction(text) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.returnValue = 'cancel';
      dialog.showModal();
    });
  }

  // ---- login ----------------------------------------------------------------------------------------------------
  function claimsOf(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part));
    } catch {
      return {};
    }
  }
  async function login(token) {
    state.token = token.trim();
    try {
      await api('GET', '/v1/plans');
    } catch (err) {
      state.token = '';
      sessionStorage.removeItem('lifeline.token');
      $('login-error').textContent = err.status === 401 ? `${t('login.bad')} (${err.message})` : errorText(err);
      return;
    }
    sessionStorage.setItem('lifeline.token', state.token);
    const claims = claimsOf(state.token);
    $('who').textContent = `${claims.sub || '?'} · ${claims.role || '?'}`;
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    $('login-error').textContent = '';
    await Promise.all([loadPlans(), loadIncidents()]);
    const fromHash = location.hash.match(/^#incident=([a-z0-9-]+)$/);
    if (fromHash) openIncident(fromHash[1]);
  }
  function logout() {
    closeStream();
    state.token = '';
    state.incident = null;
    sessionStorage.removeItem('lifeline.token');
    $('app').hidden = true;
    $('incident').hidden = true;
    $('login').hidden = false;
    $('logout').hidden = true;
    $('who').textContent = '';
  }

  // ---- plans and start ------------------------------------------------------------------------------------------
  async function loadPlans() {
    const { plans } = await api('GET', '/v1/plans');
    const select = $('plan');
    select.replaceChildren(
      ...plans.map((p) => {
        const option = document.createElement('option');
        option.value = p.id;
        // Incidents run the latest approved version; a plan with none cannot start (its drafts wait for approval).
        option.disabled = p.approvedVersion === null;
        const runs = p.approvedVersion === null ? t('start.noApproved') : `v${p.approvedVersion}`;
        const draft = p.status === 'draft' ? ` ${t('start.draftWaits', { version: p.version })}` : '';
        option.textContent = `${p.id} ${runs}${draft} — ${state.lang === 'en' ? p.title.en : p.title.zh}`;
        return option;
      }),
    );
  }
  const ids = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
  async function startIncident(event) {
    event.preventDefault();
    $('start-error').textContent = '';
    const form = event.target;
    const area = {};
    if (ids(form.communities.value).length) area.communityIds = ids(form.communities.value);
    if (ids(form.districts.value).length) area.districtIds = ids(form.districts.value);
    if (form.cityWide.checked) area.cityWide = true;
    if (!Object.keys(area).length) {
      $('start-error').textContent = t('start.noArea');
      return;
    }
    const body = { planId: form.plan.value, severity: form.severity.value, area, title: form.title.value.trim(), drill: form.drill.checked };
    const areaText = [area.cityWide ? t('start.cityWide') : '', ...(area.districtIds || []), ...(area.communityIds || [])].filter(Boolean).join(', ');
    if (!(await confirmAction(t('start.confirm', { plan: body.planId, severity: body.severity, area: areaText, drill: body.drill ? t('start.drillNote') : '' })))) return;
    try {
      // One key per confirmed start: a double submit or a retry after a network error starts one incident.
      const key = form.dataset.key || `console-${crypto.randomUUID()}`;
      form.dataset.key = key;
      const started = await api('POST', '/v1/incidents', body, { 'idempotency-key': key });
      delete form.dataset.key;
      await loadIncidents();
      openIncident(started.incidentId);
    } catch (err) {
      $('start-error').textContent = errorText(err);
    }
  }

  // ---- incidents list -------------------------------------------------------------------------------------------
  function fillFilterOptions() {
    const form = $('filter-form');
    for (const p of PHASES) form.phase.append(new Option(p, p));
    for (const s of STATUSES) form.status.append(new Option(s, s));
  }
  async function loadIncidents(event) {
    if (event) event.preventDefault();
    const form = $('filter-form');
    const query = new URLSearchParams();
    for (const name of ['phase', 'severity', 'district', 'drill', 'status']) if (form[name].value) query.set(name, form[name].value);
    const body = $('incidents');
    try {
      const { incidents } = await api('GET', `/v1/incidents?${query}`);
      if (!incidents.length) {
        const row = body.insertRow();
        body.replaceChildren(row);
        row.insertCell().textContent = t('list.empty');
        return;
      }
      body.replaceChildren(
        ...incidents.map((i) => {
          const row = document.createElement('tr');
          row.dataset.id = i.incidentId;
          row.className = 'clickable';
          const link = document.createElement('a');
          link.href = `#incident=${i.incidentId}`;
          link.textContent = i.title + (i.drill ? ` [${t('drill.yes')}]` : '');
          row.insertCell().append(link);
          row.insertCell().textContent = t(`phase.${i.phase}`);
          row.insertCell().textContent = t(`status.${i.status}`);
          row.insertCell().textContent = i.severity;
          row.insertCell().textContent = new Date(i.createdAt).toLocaleString(state.lang);
          row.addEventListener('click', (e) => {
            e.preventDefault();
            openIncident(i.incidentId);
          });
          return row;
        }),
      );
    } catch (err) {
      body.replaceChildren();
      const row = body.insertRow();
      row.insertCell().textContent = errorText(err);
    }
  }

  // ---- one incident, live ---------------------------------------------------------------------------------------
  function closeStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
  }
  function openIncident(id) {
    closeStream();
    state.incident = null;
    state.events = 0;
    location.hash = `incident=${id}`;
    $('incident').hidden = false;
    $('events').replaceChildren();
    $('report').replaceChildren();
    $('cmd-result').textContent = '';
    follow(id, undefined);
  }
  /** Server-sent events over fetch (so the token stays in a header), reconnecting with Last-Event-ID. */
  async function follow(id, lastEventId) {
    const controller = new AbortController();
    state.stream = controller;
    let ended = false;
    try {
      const res = await fetch(`/v1/incidents/${id}/events`, {
        headers: { authorization: `Bearer ${state.token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        signal: controller.signal,
      });
      if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
      setLive('on');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const message = { event: 'message', data: '', id: undefined };
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) message.data += line.slice(6);
            else if (line.startsWith('id: ')) message.id = line.slice(4);
          }
          if (message.id) lastEventId = message.id;
          if (!message.data) continue;
          const data = JSON.parse(message.data);
          if (message.event === 'status') renderIncident(data);
          else if (message.event === 'event') addEvent(data);
          else if (message.event === 'end') {
            ended = true;
            setLive('end');
          }
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof ApiError && err.status < 500) {
        $('cmd-result').textContent = errorText(err);
        setLive('end');
        return;
      }
    }
    if (controller.signal.aborted || state.stream !== controller) return;
    if (!ended) setLive('off');
    // The incident may still be running (server restart, proxy timeout): come back after the last event seen.
    setTimeout(() => {
      if (state.stream === controller) follow(id, lastEventId);
    }, ended ? 10_000 : 2_000);
  }
  function setLive(mode) {
    const el = $('live');
    el.dataset.state = mode;
    el.textContent = t(`live.${mode}`);
  }
  const cell = (row, text) => (row.insertCell().textContent = text);
  function renderIncident(view) {
    state.incident = view;
    $('inc-title').textContent = view.title;
    $('inc-id').textContent = view.incidentId;
    $('inc-drill').hidden = !view.drill;
    $('inc-phase').textContent = t(`phase.${view.phase}`);
    $('inc-phase').dataset.phase = view.phase;
    $('inc-status').textContent = t(`status.${view.status}`);
    $('inc-status').dataset.status = view.status;
    $('inc-severity').textContent = view.severity;
    $('inc-plan').textContent = `${view.planId} v${view.planVersion}`;
    $('temporal-link').href = view.links.temporalUi;
    // Only with tracing on (the command-center knows the trace backend) and for an incident started while it was.
    $('trace-links').hidden = !view.links.trace;
    if (view.links.trace) {
      $('trace-link').href = view.links.trace;
      $('trace-api-link').href = view.links.traceApi;
    }
    const reached = PHASES.indexOf(view.phase);
    $('phases').replaceChildren(
      ...PHASES.map((p, i) => {
        const li = document.createElement('li');
        li.textContent = t(`phase.${p}`);
        li.dataset.phase = p;
        li.className = i < reached ? 'done' : i === reached ? 'current' : '';
        return li;
      }),
    );
    $('areas').replaceChildren(
      ...view.areas.map((a) => {
        const row = document.createElement('tr');
        const f = a.figures;
        const needs = f.needs || (f.notification && f.notification.needs);
        cell(row, a.communityId);
        cell(row, a.districtId);
        cell(row, a.lastPhase ? t(`phase.${a.lastPhase}`) : '—');
        cell(row, `${f.notification.sent} / ${f.notification.total}`);
        cell(row, `${f.supplies.reserved} / ${f.supplies.issued}${f.supplies.shortfall ? ` (−${f.supplies.shortfall})` : ''}`);
        cell(row, `${f.personnel.acknowledged} / ${f.personnel.tasks}`);
        cell(row, needs ? `${needs.open} / ${needs.closed}` : '—');
        return row;
      }),
    );
    $('timeline').replaceChildren(
      ...view.timeline.map((e) => {
        const li = document.createElement('li');
        li.textContent = `${new Date(e.at).toLocaleTimeString(state.lang)} ${e.phase ? `[${t(`phase.${e.phase}`)}] ` : ''}${e.what}${e.detail ? ` — ${e.detail}` : ''}`;
        return li;
      }),
    );
    const closed = view.phase === 'closed' || view.status !== 'running';
    for (const el of $('command-form').elements) el.disabled = closed;
  }
  function addEvent(e) {
    state.events++;
    const li = document.createElement('li');
    li.textContent = `${new Date(e.time).toLocaleTimeString(state.lang)} ${e.type}`;
    li.title = JSON.stringify(e.data);
    const list = $('events');
    list.prepend(li);
    while (list.children.length > 200) list.lastChild.remove();
  }

  // ---- commands and report --------------------------------------------------------------------------------------
  async function sendCommand(event) {
    event.preventDefault();
    const view = state.incident;
    if (!view) return;
    const form = event.target;
    const command = { type: form.type.value, reason: form.reason.value.trim() };
    if (form.severity.value && (command.type === 'escalate' || command.type === 'deescalate')) command.severity = form.severity.value;
    if (!(await confirmAction(t('cmd.confirm', { command: t(`cmd.${command.type}`), title: view.title, reason: command.reason })))) return;
    $('cmd-result').textContent = '…';
    try {
      const result = await api('POST', `/v1/incidents/${view.incidentId}/commands`, command);
      $('cmd-result').textContent = t('cmd.accepted', { phase: t(`phase.${result.phase}`), severity: result.severity });
    } catch (err) {
      $('cmd-result').textContent = errorText(err);
    }
  }
  async function loadReport() {
    const view = state.incident;
    const out = $('report');
    if (!view) return;
    try {
      // The after-action report as its contract says (contracts/src/review.ts AfterActionReport).
      const report = await api('GET', `/v1/incidents/${view.incidentId}/report`);
      const localized = (text) => (text ? (state.lang === 'en' ? text.en : text.zh) : '');
      const dl = document.createElement('dl');
      const item = (term, text, testid) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = text;
        if (testid) dd.dataset.testid = testid;
        dl.append(dt, dd);
      };
      item(t('report.outcome'), t(`report.outcome.${report.outcome}`), 'report-outcome');
      item(t('report.duration'), String(Math.round(report.durationSeconds)));
      item(t('report.timeToWarn'), String(Math.round(report.warning.timeToWarnSeconds)));
      item(t('report.reached'), `${report.warning.sent} / ${report.warning.total}`);
      const s = report.supplies.totals;
      item(t('report.supplies'), `${s.reserved} / ${s.issued} / ${s.returned} / ${s.shortfall}`);
      item(t('report.volunteers'), t('report.volunteerFigures', { hours: report.volunteers.hours ?? 0, points: report.volunteers.points ?? 0 }));
      item(t('report.findings'), report.findings.length ? report.findings.map((f) => `[${f.severity}] ${f.communityId ? `${f.communityId}: ` : ''}${localized(f.message)}`).join('\n') : t('report.noFindings'), 'report-findings');
      item(t('report.proposals'), report.proposals.length ? report.proposals.map((p) => `${p.id}: ${localized(p.title)}`).join('\n') : t('report.noFindings'), 'report-proposals');
      item(t('report.honours'), String(report.honourCandidates.length));
      const page = document.createElement('p');
      page.className = 'hint';
      page.textContent = t('report.html', { url: `/v1/incidents/${view.incidentId}/report?format=html&lang=${state.lang}` });
      const raw = document.createElement('pre');
      raw.textContent = JSON.stringify(report, null, 2);
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'JSON';
      details.append(summary, raw);
      out.replaceChildren(dl, page, details);
    } catch (err) {
      out.textContent = err.code === 'invalid_state' ? `${t('inc.noReport')} (${err.message})` : errorText(err);
    }
  }

  // ---- what is up -----------------------------------------------------------------------------------------------
  // GET /v1/status (no token needed): every service, the worker and the infrastructure; a part that is down is named.
  async function refreshSystemStatus() {
    try {
      const res = await fetch('/v1/status');
      state.system = await res.json();
    } catch {
      state.system = null;
    }
    renderSystemStatus();
  }
  function renderSystemStatus() {
    const el = $('system');
    if (!state.system || !Array.isArray(state.system.parts)) {
      el.dataset.state = 'unknown';
      el.textContent = t('system.unknown');
      return;
    }
    const down = state.system.parts.filter((p) => !p.up).map((p) => p.name);
    el.dataset.state = down.length ? 'degraded' : 'ok';
    el.textContent = down.length ? t('system.down', { parts: down.join(', ') }) : t('system.ok');
  }

  // ---- wiring ---------------------------------------------------------------------------------------------------
  $('lang').addEventListener('change', (e) => {
    state.lang = e.target.value;
    localStorage.setItem('lifeline.lang', state.lang);
    applyLanguage();
    if (state.token) loadIncidents();
  });
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    login($('token').value);
  });
  $('logout').addEventListener('click', logout);
  $('start-form').addEventListener('submit', startIncident);
  $('filter-form').addEventListener('submit', loadIncidents);
  $('command-form').addEventListener('submit', sendCommand);
  $('load-report').addEventListener('click', loadReport);
  fillFilterOptions();
  applyLanguage();
  refreshSystemStatus();
  setInterval(refreshSystemStatus, 15_000);
  if (state.token) login(state.token);
})();
