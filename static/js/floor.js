/* Floor view: stations, waiting lists, the day's figures, courier pick-ups and alerts.
 *
 * Everything shown comes from the server (sessions/reads/floor_view.py): a snapshot on every
 * (re)connect and every `resyncSeconds`, per change the rows of the stations it touched and,
 * when orders or claims changed, the summary; per station heartbeat only the claim's time.
 * States, tones and words come from the page config. Between messages a CONNECTED page lets
 * durations tick on the server's clock (skew from `server_now`) and applies the moments the
 * server named (`stale_at`). A DISCONNECTED page freezes at the last server time it heard,
 * says "Disconnected — as of HH:MM" and decides nothing from its own clock.
 * Force-release and reassign ask in the in-page dialog (static/js/dialog.js); alerts are
 * acknowledged for the floor and sound unless this supervisor muted their kind. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("floor-config").textContent);
  const S = cfg.strings;
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const $ = (id) => document.getElementById(id);
  const rows = new Map();      // list id -> claimed list row (floor_rows)
  const stations = new Map();  // station id -> station row
  let summary = { waiting: [], kpis: {}, couriers: [], alerts: [] };
  let skew = 0, lastServer = null, lastServerIso = null, connected = false, ws = null, retry = 500;
  let everClosed = false;      // "Connecting…" until the first socket closes
  const heard = new Set();     // alert keys already announced
  const muted = new Set(cfg.alertKinds.filter((k) => k.muted).map((k) => k.kind));
  const kinds = Object.fromEntries(cfg.alertKinds.map((k) => [k.kind, k]));
  let audio = null;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : v);
    });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(t, p) { return t.replace(/%\((\w+)\)s/g, (m, n) => (p[n] === undefined ? m : p[n])); }
  // Server timestamps carry the warehouse's offset: their clock time is the warehouse's.
  function hhmm(iso) { return iso ? iso.substring(11, 16) : "—"; }
  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return fmt(S.seconds, { s });
    if (s < 3600) return fmt(S.minutes, { m: Math.floor(s / 60) });
    return fmt(S.hours, { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  }
  // The server's "now": ticking while connected, frozen at the last message when not.
  function now() { return connected ? Date.now() + skew : (lastServer ? lastServer.getTime() : Date.now() + skew); }
  function heardFrom(serverNow) {
    if (!serverNow) return;
    lastServer = new Date(serverNow);
    lastServerIso = serverNow;
    skew = lastServer - Date.now();
  }

  /* ---------- applying messages ---------- */
  function applySnapshot(msg) {
    rows.clear(); (msg.rows || []).forEach((r) => rows.set(r.id, r));
    stations.clear(); (msg.stations || []).forEach((s) => stations.set(s.id, s));
    if (msg.summary) summary = msg.summary;
    heardFrom(msg.server_now);
    render();
  }
  function applyFloor(msg) {
    (msg.stations || []).forEach((s) => stations.set(s.id, s));
    if (msg.summary) summary = msg.summary;
    heardFrom(msg.server_now);
    render();
  }
  function applyRow(row) {
    if (row.released) rows.delete(row.id); else rows.set(row.id, row);
    heardFrom(row.server_now);
    render();
  }
  function applyHeartbeat(msg) {
    const row = rows.get(msg.list_id);
    if (row && row.claim) Object.assign(row.claim, msg.claim);
    stations.forEach((s) => {
      if (!s.list || s.list.id !== msg.list_id) return;
      s.heartbeat_at = msg.claim.heartbeat_at;
      s.stale_at = new Date(new Date(msg.claim.heartbeat_at).getTime() + cfg.staleAfterSeconds * 1000).toISOString();
      s.state = msg.claim.stale ? cfg.staleState : s.live_state;
    });
    heardFrom(msg.server_now);
    render();
  }

  /* The state to show: the server's, or stale once the moment it named has passed (only
   * while connected: a disconnected page does not know whether a heartbeat came). */
  function shownState(s) {
    if (connected && s.list && s.stale_at && now() > new Date(s.stale_at).getTime()) return cfg.staleState;
    return s.state;
  }

  /* ---------- rendering ---------- */
  function render() {
    renderLive(); renderKpis(); renderAlerts(); renderCutoffs(); renderStations(); renderWaiting();
  }

  function renderLive() {
    const live = $("live");
    const down = !connected && everClosed;
    live.textContent = connected ? S.live : (down && lastServerIso ? fmt(S.disconnected, { time: hhmm(lastServerIso) }) : S.connecting);
    live.classList.toggle("down", down);
  }

  function renderKpis() {
    const k = summary.kpis || {};
    $("kpi-orders").textContent = k.orders_packed ?? 0;
    $("kpi-units").textContent = k.units_packed ?? 0;
    $("kpi-errors").textContent = k.wrong_scans ?? 0;
    $("kpi-pace").textContent = k.pace ?? 0;
  }

  function allAlerts() {
    const out = [];
    stations.forEach((s) => (s.alerts || []).forEach((a) => out.push(a)));
    (summary.alerts || []).forEach((a) => out.push(a));
    return out;
  }

  function renderAlerts() {
    const list = $("alert-list");
    const alerts = allAlerts();
    list.replaceChildren();
    let fresh = false;
    alerts.forEach((a) => {
      const id = `${a.kind}|${a.key}`;
      if (!heard.has(id)) { heard.add(id); if (!muted.has(a.kind)) fresh = true; }
      const li = el("li", { class: `alert t-${a.tone}`, "data-kind": a.kind, "data-key": a.key });
      const kind = kinds[a.kind] || { label: a.kind, text: "" };
      const params = Object.assign({}, a.params);
      if (params.problem) params.problem = cfg.problems[params.problem] || params.problem;
      li.append(el("span", { class: "badge t-" + a.tone }, kind.label), el("span", { class: "alert-text" }, fmt(kind.text, params)));
      const ack = el("button", { type: "button", class: "btn small secondary act-ack" }, S.acknowledge);
      ack.addEventListener("click", () => acknowledge(a, ack));
      li.append(ack);
      list.append(li);
    });
    $("alert-count").textContent = alerts.length;
    $("alerts").classList.toggle("has-alerts", alerts.length > 0);
    $("alerts-empty").classList.toggle("hidden", alerts.length > 0);
    if (fresh) beep();
  }

  async function acknowledge(a, button) {
    button.disabled = true;
    const res = await post("/floor/alerts/ack/", { kind: a.kind, key: a.key });
    if (res && res.ok) {
      stations.forEach((s) => { s.alerts = (s.alerts || []).filter((x) => !(x.kind === a.kind && x.key === a.key)); });
      summary.alerts = (summary.alerts || []).filter((x) => !(x.kind === a.kind && x.key === a.key));
      renderAlerts();
    } else button.disabled = false;
  }

  function renderMutes() {
    const box = $("mute-list");
    box.replaceChildren();
    cfg.alertKinds.forEach((k) => {
      const label = el("label", { class: "mute" });
      const cb = el("input", { type: "checkbox", "data-kind": k.kind, checked: !muted.has(k.kind) });
      cb.addEventListener("change", async () => {
        const res = await post("/floor/alerts/mute/", { kind: k.kind, muted: cb.checked ? "0" : "1" });
        if (res && res.ok) { if (cb.checked) muted.delete(k.kind); else muted.add(k.kind); }
        else cb.checked = !cb.checked;
      });
      label.append(cb, document.createTextNode(" " + k.label));
      box.append(label);
    });
  }

  function renderCutoffs() {
    const box = $("cutoffs");
    box.replaceChildren();
    const clients = summary.couriers || [];
    if (!clients.length) { box.append(el("p", { class: "muted" }, S.couriersEmpty)); return; }
    clients.forEach((c) => {
      const card = el("div", { class: "cutoff-client panel", "data-client": c.client });
      card.append(el("h3", {}, c.name && c.name !== c.client ? `${c.client} — ${c.name}` : c.client));
      c.couriers.forEach((k) => {
        const look = cfg.cutoff[k.status] || { label: k.status, tone: "info" };
        const line = el("div", { class: `cutoff t-${look.tone}`, "data-courier": k.courier, "data-status": k.status });
        line.append(
          el("b", { class: "courier" }, k.courier),
          el("span", { class: "pickup" }, fmt(S.pickup, { time: k.pickup_label })),
          el("span", { class: "left" }, fmt(S.left, { orders: k.orders_left, units: k.units_left })),
          el("span", { class: "pace" }, fmt(S.pace, { pace: k.pace })),
          el("span", { class: "projected" }, fmt(S.projected, { time: k.projected_label })),
          el("span", { class: "badge cutoff-status t-" + look.tone }, look.label));
        card.append(line);
      });
      box.append(card);
    });
  }

  function progress(l) {
    const wrap = el("div", { class: "list-progress" });
    const pct = l.orders ? Math.round(100 * (l.completed_orders + l.skipped_orders) / l.orders) : 0;
    const bar = el("div", { class: "bar" }); bar.append(el("span", { style: `width:${pct}%` }));
    wrap.append(bar, el("div", { class: "muted progress-text" },
      `${l.completed_orders}/${l.orders} ${S.orders} · ${l.packed_units}/${l.required_units} ${S.units}`));
    return wrap;
  }

  function renderStations() {
    const box = $("stations");
    box.replaceChildren();
    if (!stations.size) { box.append(el("p", { class: "muted" }, S.noStations)); return; }
    Array.from(stations.values()).forEach((s) => box.append(stationCard(s)));
  }

  function stationCard(s) {
    const state = shownState(s);
    const look = cfg.states[state] || { label: state, tone: "info" };
    const card = el("article", { class: `station-card st-${look.tone}`, "data-station": s.id,
      "data-state": state, "data-list": s.list ? s.list.id : null });
    const head = el("header", { class: "card-head" });
    head.append(el("b", { class: "station" }, s.name), el("span", { class: `badge state t-${look.tone}` }, look.label));
    card.append(head, el("div", { class: "worker" }, s.worker || S.noWorker));
    if (s.list) {
      const l = s.list;
      const name = el("div", { class: "list" });
      name.append(el("a", { href: `/sessions/lists/${l.id}/`, title: S.details }, l.name),
        el("span", { class: "muted" }, ` ${l.client} · ${l.session_external_id}`));
      card.append(name, progress(l));
      const o = s.open_order;
      const order = el("div", { class: "open-order" + (o && o.too_long ? " too-long" : "") });
      if (o) {
        const open = o.started_at ? (now() - new Date(o.started_at).getTime()) / 1000 : null;
        order.append(el("b", {}, o.number), document.createTextNode(" "),
          el("span", { class: "open-for" }, open === null ? "" : fmt(S.openFor, { time: duration(open) })));
      } else order.textContent = S.noOrder;
      card.append(order);
    } else {
      card.append(el("div", { class: "list muted" }, S.noList));
    }
    const figures = el("div", { class: "figures" });
    figures.append(el("span", { class: "pace" }, fmt(S.pace, { pace: s.pace })));
    figures.append(el("span", { class: "errors" + (s.wrong_window ? " has" : "") },
      fmt(S.wrongRate, { rate: s.wrong_rate === null ? "—" : `${s.wrong_rate}%` })));
    if (s.wrong_streak) figures.append(el("span", { class: "badge t-bad streak" }, fmt(S.streak, { n: s.wrong_streak })));
    if (s.flagged) figures.append(el("span", { class: "badge t-warn flagged" }, fmt(S.flagged, { n: s.flagged })));
    card.append(figures);
    const row = s.list ? rows.get(s.list.id) : null;
    const last = el("div", { class: "last-scan" });
    if (row && row.last_scan) {
      const o = row.last_scan.outcome;
      const known = cfg.outcomes[o] || { label: o, tone: "info" };
      last.append(el("b", { class: "code" }, row.last_scan.code || "—"), document.createTextNode(" "),
        el("span", { class: "badge t-" + known.tone, "data-outcome": o }, known.label));
    } else {
      last.append(el("span", { class: "muted activity" },
        s.last_activity ? fmt(S.lastActivity, { time: hhmm(s.last_activity) }) : S.noActivity));
    }
    card.append(last);
    if (s.heartbeat_at) {
      card.append(el("div", { class: "muted hb" }, fmt(S.heartbeat, { time: duration((now() - new Date(s.heartbeat_at).getTime()) / 1000) })));
    }
    if (s.list) {
      const actions = el("div", { class: "card-actions" });
      if (state === cfg.staleState) actions.append(el("a", { class: "btn small warn act-takeover", href: `/station/lists/${s.list.id}/` }, S.takeOver));
      const re = el("button", { type: "button", class: "btn small secondary act-reassign" }, S.reassign);
      re.addEventListener("click", () => reassign(s.list, s));
      const fr = el("button", { type: "button", class: "btn small danger act-release" }, S.forceRelease);
      fr.addEventListener("click", () => forceRelease(s.list, s));
      actions.append(re, fr);
      card.append(actions);
    }
    return card;
  }

  function renderWaiting() {
    const box = $("waiting");
    box.replaceChildren();
    const lists = summary.waiting || [];
    $("waiting-count").textContent = lists.length;
    if (!lists.length) { box.append(el("p", { class: "muted", id: "waiting-empty" }, S.waitingEmpty)); return; }
    lists.forEach((w) => {
      const item = el("article", { class: "waiting-list", "data-list": w.id, "data-status": w.status });
      const name = el("div", { class: "list" });
      name.append(el("a", { href: `/sessions/lists/${w.id}/` }, w.name),
        el("span", { class: "muted" }, ` ${w.client} · ${w.session_external_id}`),
        el("span", { class: "badge" }, cfg.waiting.statuses[w.status] || w.status));
      item.append(name, progress(w));
      if (w.open_order) item.append(el("div", { class: "open-order" }, fmt(S.openOrder, { number: w.open_order })));
      if (w.let_go) {
        const g = w.let_go;
        const why = el("div", { class: "let-go", "data-kind": g.kind });
        why.append(document.createTextNode(fmt(S.letGo, { label: cfg.waiting.letGo[g.kind] || g.kind, by: g.by || "—", time: hhmm(g.at) })));
        if (g.reason) why.append(el("span", { class: "muted" }, ` “${g.reason}”`));
        item.append(why);
      }
      const actions = el("div", { class: "card-actions" });
      const assign = el("button", { type: "button", class: "btn small secondary act-assign" }, S.assign);
      assign.addEventListener("click", () => reassign(w, null));
      actions.append(assign);
      item.append(actions);
      box.append(item);
    });
  }

  /* ---------- actions ---------- */
  async function post(url, data) {
    try {
      const res = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: new URLSearchParams(data),
      });
      return { ok: res.ok, data: await res.json().catch(() => ({})) };
    } catch (e) { return null; }
  }

  async function postJson(url, data) {
    let res;
    try {
      res = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify(data),
      });
    } catch (e) { return S.dialog.failed; }
    const body = await res.json().catch(() => ({}));
    return res.ok ? null : (body.message || String(res.status));
  }

  function forceRelease(list, s) {
    window.PackerDialog.open({
      kind: "force-release", strings: S.dialog,
      title: fmt(S.forceReleaseTitle, { list: list.name }),
      text: fmt(S.forceReleaseText, { holder: s.worker || "—", station: s.name }),
      fields: [{ name: "reason", label: S.reasonPrompt, required: true, maxlength: 1000 }],
      choices: [{ value: "release", label: S.forceRelease, key: "F8", tone: "danger", needs: ["reason"] }],
      submit: (result) => postJson(`/api/v1/lists/${list.id}/force-release/`, { reason: result.values.reason }),
    });
  }

  /* Reassign a held list, or assign a waiting one: the station and packer are chosen here,
   * never this PC. */
  function reassign(list, s) {
    window.PackerDialog.open({
      kind: "reassign", strings: S.dialog,
      title: fmt(S.reassignTitle, { list: list.name }),
      text: S.reassignText,
      fields: [
        { name: "station", label: S.station, options: cfg.choices.stations },
        { name: "worker", label: S.worker, options: cfg.choices.workers },
        { name: "reason", label: S.reassignReason, maxlength: 1000 },
      ],
      choices: [{ value: "reassign", label: s ? S.reassign : S.assign, key: "F8", tone: "warn", needs: ["station", "worker"] }],
      submit: (result) => postJson(`/api/v1/lists/${list.id}/reassign/`, {
        station: result.values.station, worker: Number(result.values.worker), reason: result.values.reason }),
    });
  }

  /* ---------- sound: a short two-tone alarm, once the page has been touched ---------- */
  function beep() {
    if (!audio) return;
    const t = audio.currentTime;
    [880, 660].forEach((f, i) => {
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = f; g.gain.value = 0.15;
      o.connect(g); g.connect(audio.destination);
      o.start(t + i * 0.18); o.stop(t + i * 0.18 + 0.15);
    });
    document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
  }
  function enableSound() {
    if (!audio && window.AudioContext) audio = new window.AudioContext();
  }
  document.addEventListener("pointerdown", enableSound, { once: true });
  document.addEventListener("keydown", enableSound, { once: true });

  function refreshReviews(row) {
    const outcome = row && row.last_scan ? row.last_scan.outcome : null;
    if (outcome && cfg.reviewOutcomes.includes(outcome) && window.htmx && $("reviews")) {
      window.htmx.trigger("#reviews", "refresh");
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/floor/`);
    ws.onopen = () => { retry = 500; };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === "snapshot") { connected = true; document.body.dataset.ws = "open"; applySnapshot(msg); }
      else if (msg.type === "update") { applyRow(msg.row); refreshReviews(msg.row); }
      else if (msg.type === "floor") applyFloor(msg);
      else if (msg.type === "heartbeat") applyHeartbeat(msg);
    };
    ws.onclose = () => {
      connected = false;
      everClosed = true;
      document.body.dataset.ws = "closed";
      render();
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  renderMutes();
  applySnapshot(JSON.parse($("floor-state").textContent));
  setInterval(() => render(), 1000);
  // A fresh snapshot now and then repairs anything lost and brings alerts time raises.
  setInterval(() => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "refresh" }));
  }, cfg.resyncSeconds * 1000);
  connect();
})();
