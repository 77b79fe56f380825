/* Packing station: claim, scan, act, heartbeat, end — through the REST API (/api/v1/lists/<id>/).
 *
 * Why it is built this way:
 * - Every scan and action goes into an OUTBOX kept in localStorage, each with its own scan id,
 *   and is sent one at a time in order. A network failure leaves it in the outbox and it is
 *   resent when the server answers again; the server answers a repeated scan id from its log,
 *   so nothing is lost and nothing counts twice (also across a page reload).
 * - Nothing holds: a completed order (and its message) stays on screen until the next scan, which
 *   is sent at once. What the screen keeps showing after an answer is the server's decision
 *   (`show_order`, and the `offer` of each outcome in the page config), not a list of outcome
 *   names kept here.
 * - While the server cannot be reached, every scan gets an answer at once from what the screen
 *   knows (a provisional count on the line, marked unconfirmed, "saved offline, N waiting"); the
 *   server's answer replaces it when it comes, and a difference is shown.
 * - The scan input is read by static/js/scanfield.js (any keyboard layout, Enter or Tab ends a
 *   code); what scanners add is taken off here (cleanCode): CR/LF, GS1 group separators and AIM
 *   symbology identifiers, as cfg.scanner says; the same code twice within
 *   cfg.scanner.doubleFireMs is one read (shown and counted, never a second unit).
 * - The scan input always has the focus: buttons never take it (tabindex -1, mousedown
 *   prevented) and any click or blur gives it back — except while the in-page dialog
 *   (static/js/dialog.js) is open: then it has the keys (a supervisor's badge, a reason).
 * - What needs a reason or a supervisor's approval is the server's decision: an action answered
 *   400 reason_required or 403 approval_required holds the outbox, the dialog asks, and the same
 *   request (same scan id) goes again with the reason or the approval. Reasons, approval methods
 *   and every text come from the page config.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("station-config").textContent);
  const S = cfg.strings;
  const D = window.PackerDialog;
  const $ = (id) => document.getElementById(id);
  const input = $("scan-input");
  const body = document.body;
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const key = `packer:${cfg.station}:list:${cfg.listId}`;
  // Headline and tone (colour + sound) of every outcome come from the server (sessions/outcomes.py);
  // only the page's own states (an error before any answer, all done) are named here.
  const PAGE_TONES = { error: "bad", warn: "warn", all_done: "done" };
  const toneOf = (o) => (S.outcomes[o] ? S.outcomes[o].tone : PAGE_TONES[o] || "");
  const headline = (o) => (S.outcomes[o] ? S.outcomes[o].label : o);

  let token = localStorage.getItem(key + ":token") || null;
  let outbox = load(key + ":outbox", []);
  let list = null, order = null, lastItemId = null, lastUnknown = null;
  let online = true, pumping = false, heartbeatTimer = null;
  let retryDelay = 500, offlineTimer = null, state = "claiming", ws = null;
  let history = cfg.history || [];
  let otherOrder = null;  // the order whose label was scanned while another was open (F2 opens it)
  let lastRead = { code: "", at: 0 };
  let doubleReads = Number(localStorage.getItem(key + ":double") || 0);

  function load(k, dflt) { try { return JSON.parse(localStorage.getItem(k)) || dflt; } catch (e) { return dflt; } }
  // A supervisor's approval is never written to localStorage (only kept in memory for a retry).
  function saveOutbox() {
    localStorage.setItem(key + ":outbox", JSON.stringify(outbox, (k, v) => (k === "approval" ? undefined : v)));
    showOutbox();
  }
  function fmt(template, params) {
    return template.replace(/%\((\w+)\)s/g, (m, name) => (params[name] === undefined ? m : params[name]));
  }
  function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
  function newScanId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    (window.crypto || {}).getRandomValues ? crypto.getRandomValues(b) : b.forEach((_, i) => { b[i] = Math.random() * 256; });
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function setState(s) { state = s; body.dataset.state = s; }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (k === "class") e.className = v; else e.setAttribute(k, v); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function button(label, cls, onClick, attrs) {
    const b = el("button", Object.assign({ type: "button", class: "btn " + cls, tabindex: "-1" }, attrs || {}), label);
    b.addEventListener("mousedown", (ev) => ev.preventDefault());
    b.addEventListener("click", onClick);
    return b;
  }

  /* ---------- HTTP ---------- */
  async function post(path, data, withToken) {
    const headers = { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" };
    if (withToken && token) headers["X-Claim-Token"] = token;
    const res = await fetch(cfg.api + path, {
      method: "POST", headers, body: JSON.stringify(data || {}), credentials: "same-origin", cache: "no-store",
    });
    if (res.status >= 500 || res.status === 0) throw new Error("server " + res.status);
    let payload = {};
    try { payload = await res.json(); } catch (e) { throw new Error("bad answer"); }
    return { status: res.status, data: payload };
  }

  /* ---------- connection state ---------- */
  function setOnline(value) {
    if (online === value) return;
    online = value;
    body.dataset.online = value ? "1" : "0";
    const c = $("conn");
    c.textContent = value ? S.online : S.offline;
    c.className = "conn " + (value ? "online" : "offline");
    if (!value && !offlineTimer) offlineTimer = setInterval(probe, 1500);
    if (value && offlineTimer) { clearInterval(offlineTimer); offlineTimer = null; }
  }
  async function probe() {
    if (state === "claiming") { claim(); return; }
    await heartbeat();
    pump();
  }
  function showOutbox() {
    $("outbox-count").textContent = outbox.length;
    $("outbox").classList.toggle("idle", outbox.length === 0);  // its place is kept: no jump
    body.dataset.pending = String(outbox.length);
  }

  /* ---------- claim, heartbeat, live socket ---------- */
  async function claim(takeover, approval) {
    setState("claiming");
    showStatus("claiming", S.claiming, "");
    let res;
    try {
      const body = { station: cfg.station };
      if (approval) body.approval = approval;
      res = takeover
        ? await post("takeover/", Object.assign(body, { reason: `take-over at ${cfg.station}` }))
        : await post("claim/", body);
    } catch (e) { setOnline(false); return null; }
    setOnline(true);
    if (res.status === 200) {
      await claimed(res);
      return null;
    }
    if (approval && (res.data.code === "approval_refused" || res.status === 429)) return res.data.message;
    refusedClaim(res.data, takeover);
    return null;
  }

  async function claimed(res) {
    token = res.data.token;
    localStorage.setItem(key + ":token", token);
    list = res.data.list;
    cfg.heartbeatSeconds = res.data.heartbeat_seconds || cfg.heartbeatSeconds;
    hideOverlay();
    renderProgress();
    startHeartbeat();
    connectSocket();
    if (list.open_order) {
      // The counts as they are now: another packer may have gone on while this station was out.
      if (cfg.openOrder && cfg.openOrder.id === list.open_order && !order) order = cfg.openOrder;
      const fresh = await getJSON(cfg.orderUrl.replace("999999999", list.open_order));
      if (fresh) order = fresh;
    } else if (!(order && order.status === "completed")) {
      order = null;
    }
    renderOrder();
    setState("ready");
    // Never left on "Claiming…": the open order (kept through a release) or "scan a label".
    if (order && order.status === "completed") showStatus("order_complete", headline("order_complete"), order.number);
    else if (order) showStatus("order_loaded", headline("order_loaded"), order.number);
    else showStatus("ready", S.ready, S.readyDetail);
    pump();
  }

  async function getJSON(url) {
    try {
      const r = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
      return r.ok ? await r.json() : null;
    } catch (e) { return null; }
  }

  function refusedClaim(err, takeover) {
    setState("refused");
    token = null;
    localStorage.removeItem(key + ":token");
    const actions = [];
    let title = err.message || S.refused, text = "";
    if (err.code === "list_claimed") {
      const since = err.since ? localTime(err.since) : "";
      title = fmt(S.claimedBy, { holder: err.holder, station: err.station, since });
      if (err.stale) {
        const age = err.heartbeat_at ? Math.round((Date.now() - new Date(err.heartbeat_at)) / 1000) : "";
        text = fmt(S.staleClaim, { seconds: age });
        // Offered only to those the server says may take it over; the others ask a supervisor.
        if (err.can_take_over) actions.push(button(S.takeOver, "warn big", () => claim(true), { id: "btn-takeover" }));
        else text += " " + S.askSupervisor;
      }
    } else if (err.code === "release_cooldown") {
      title = fmt(S.releasedBy, { by: err.released_by, at: localTime(err.released_at) });
      text = err.message;
      actions.push(button(S.approveReclaim, "warn big", () => approveClaim(err, takeover), { id: "btn-approve-claim" }));
      showStatus("error", S.refused, err.message);
    } else if (err.code === "list_completed") {
      ended();
      return;
    } else {
      text = "";
      actions.push(button(S.retry, "secondary", () => claim(false), { id: "btn-retry" }));
    }
    actions.push(backLink());
    showOverlay(err.code === "release_cooldown" ? "cooldown" : "refused", title, text, actions);
    if (err.code !== "release_cooldown") showStatus("error", title, "");
  }

  /* A supervisor approves claiming again during the cool-down after a force-release. */
  function approveClaim(err, takeover) {
    D.open(Object.assign(dialogBase("approval"), {
      title: S.approvalTitle, text: err.message, approval: { methods: err.approve_with || cfg.approveWith },
      submit: (result) => claim(takeover, result.approval),
    }));
  }

  function localTime(iso) {
    const opts = { dateStyle: "short", timeStyle: "short", timeZone: cfg.timeZone };
    try { return new Date(iso).toLocaleString(document.documentElement.lang || undefined, opts); }
    catch (e) { return new Date(iso).toLocaleString(); }
  }

  function startHeartbeat() {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = setInterval(heartbeat, Math.max(1, cfg.heartbeatSeconds) * 1000);
  }
  async function heartbeat() {
    if (!token || state === "ended") return;
    try {
      const res = await post("heartbeat/", {}, true);
      setOnline(true);
      if (res.status === 409 && res.data.code === "not_claim_holder") claimLost(res.data.ended);
      else if (res.status === 409 && res.data.code === "list_completed") ended(null);
    } catch (e) { setOnline(false); }
  }

  function connectSocket() {
    if (ws || !("WebSocket" in window)) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/lists/${cfg.listId}/`);
    ws.onopen = () => { body.dataset.ws = "open"; };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      document.dispatchEvent(new CustomEvent("packer:socket", { detail: msg }));  // station_bench.js
      const row = msg.row;
      if (!row || state !== "ready") return;
      if (row.released || (row.claim && row.claim.station !== cfg.station)) heartbeat();  // learns who and why
    };
    ws.onclose = () => { body.dataset.ws = "closed"; ws = null; if (state !== "ended") setTimeout(connectSocket, 2000); };
  }

  /* The claim was ended elsewhere: say by whom, when and why (the server's `ended`). */
  function claimLost(ended) {
    if (state === "lost" || state === "ended" || state === "released") return;
    setState("lost");
    token = null;
    localStorage.removeItem(key + ":token");
    D.close();
    let title = S.claimLost, text = S.claimLostDetail;
    if (ended) {
      const who = { by: ended.by || "—", at: localTime(ended.at) };
      title = fmt(ended.kind === "takeover" ? S.takenBy : ended.kind === "end" ? S.endedBy : S.releasedBy, who);
      text = ended.reason ? fmt(S.reasonWas, { reason: ended.reason }) : "";
      body.dataset.endedKind = ended.kind;
    }
    showStatus("error", title, text);
    sound("error");
    showOverlay("lost", title, text,
      [button(S.reclaim, "big", () => claim(false), { id: "btn-reclaim" }), backLink()]);
  }

  /* ---------- outbox ---------- */
  function enqueue(path, data) {
    const entry = { path, body: Object.assign({ scan_id: newScanId() }, data), queuedAt: Date.now() };
    outbox.push(entry);
    saveOutbox();
    pump();
    return entry;
  }

  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      while (outbox.length && state === "ready") {
        const entry = outbox[0];
        let res;
        try {
          res = await post(entry.path, entry.body, true);
        } catch (e) {
          setOnline(false);
          answerOffline();
          await sleep(retryDelay);
          retryDelay = Math.min(retryDelay * 2, 3000);
          continue;
        }
        retryDelay = 500;
        setOnline(true);
        if (res.status === 409 && res.data.code === "not_claim_holder") { claimLost(res.data.ended); break; }
        if (needsSignIn(res)) { signedOut(); break; }
        if (res.status === 403 && res.data.code === "approval_required") {
          res = await askApproval(res.data, entry);  // the outbox waits meanwhile
          if (res === null) {
            outbox.shift(); saveOutbox();
            showStatus("warn", S.refused, S.approvalCancelled); sound("warn");
            continue;
          }
        }
        outbox.shift();
        saveOutbox();
        if (res.status === 200) answer(res.data, entry);
        else refused(res.data);
      }
    } finally {
      pumping = false;
      body.dataset.idle = outbox.length ? "0" : "1";
    }
  }

  /* The server wants a supervisor: the dialog shows what would change (old and new SKU, the
   * units, the open orders) and sends the same request again with the approval. Resolves with
   * the final response, or null when nobody approved (Esc). */
  async function askApproval(err, entry) {
    let final = null;
    const ok = await D.open(Object.assign(dialogBase("approval"), {
      title: S.approvalTitle, text: err.message, details: approvalDetails(err),
      approval: { methods: err.approve_with || cfg.approveWith },
      submit: async (result) => {
        entry.approval = result.approval;
        let res;
        try { res = await post(entry.path, Object.assign({}, entry.body, { approval: result.approval }), true); }
        catch (e) { setOnline(false); return S.dialog.failed; }
        if (res.status === 403 || res.status === 429) return res.data.message || S.refused;
        final = res;
        return null;
      },
    }));
    return ok ? final : null;
  }

  function approvalDetails(err) {
    const m = err.mapping;
    if (!m) return [];
    const item = (x) => (x ? `${x.sku}${x.product_name ? " — " + x.product_name : ""}` : "—");
    return [[S.barcode, m.barcode], [S.packsNow, item(m.old)], [S.willPack, item(m.new)]];
  }

  function dialogBase(kind) {
    return { kind, strings: S.dialog, returnFocus: input };
  }

  /* A lost session or CSRF cookie is not a refusal of the scan: keep it and ask to sign in. */
  function needsSignIn(res) {
    return res.status === 401 || (res.status === 403 && /csrf/i.test(res.data.message || ""));
  }
  function signedOut() {
    setState("signed-out");
    const link = el("a", { class: "btn big", href: `/accounts/login/?next=${encodeURIComponent(location.pathname)}`,
      tabindex: "-1", id: "btn-sign-in" }, S.signIn);
    showOverlay("signed-out", S.signedOut, S.signedOutDetail, [link]);
  }

  /* ---------- offline: an answer at once from what the screen knows ---------- */
  /* The server's rule for item codes (profiles/normalize.normalize_sku): letters and digits, lower case. */
  function itemKey(code) { return String(code).replace(/[^\p{L}\p{N}]/gu, "").toLowerCase(); }

  /* Units the waiting scans would add, per line: shown on the line, marked unconfirmed. */
  function provisionalUnits() {
    const units = {};
    outbox.forEach((e) => { if (e.local && e.local.item) units[e.local.item] = (units[e.local.item] || 0) + 1; });
    return units;
  }

  /* Scans that cannot be sent now get their provisional answer (once each, kept in the outbox). */
  function answerOffline() {
    const fresh = outbox.filter((e) => e.path === "scan/" && !e.local);
    fresh.forEach(localAnswer);
    if (fresh.length) saveOutbox();
  }

  function localAnswer(entry) {
    const units = provisionalUnits();
    const k = itemKey(entry.body.code);
    const open = order && order.status !== "completed";
    const lines = open && k ? order.items.filter((it) => itemKey(it.sku) === k) : [];
    const line = lines.find((it) => it.packed + (units[it.id] || 0) < it.required);
    let tone = "warn", what = S.offlineUnknown;
    if (line) { tone = "ok"; what = `${line.sku} +1`; }
    else if (lines.length) what = headline("extra_item");
    entry.local = { item: line ? line.id : null, sku: line ? line.sku : "" };
    renderOrder();
    const box = $("status");
    box.className = "status t-" + tone + " provisional";
    box.dataset.outcome = "offline";
    $("status-headline").textContent = S.savedOffline;
    $("status-detail").textContent = `${entry.body.code} · ${what} · ` + fmt(S.waitingN, { n: outbox.length });
    body.dataset.lastOutcome = "offline";
    soundTone(tone, "offline");
  }

  /* The server's answer to a scan answered offline: its figures replace ours; a difference is said. */
  let offlineDiffs = [];
  function compareOffline(entry, a) {
    const packs = !!(S.outcomes[a.outcome] || {}).packs;
    const sku = packs && a.product ? a.product.sku : "";
    if (packs === !!entry.local.item && sku === entry.local.sku) return;  // as provisionally shown
    offlineDiffs = offlineDiffs.concat(fmt(S.offlineDiff, { code: entry.body.code, answer: headline(a.outcome) })).slice(-2);
    $("offline-diff").textContent = offlineDiffs.join(" · ");
    body.dataset.offlineDiff = a.outcome;
  }

  /* ---------- answers ---------- */
  function refused(err) {
    body.dataset.lastOutcome = "error";
    if (err.code === "list_completed") { ended(null); return; }
    showStatus("error", S.refused, err.message || "");
    sound("error");
  }

  function answer(a, entry) {
    const outcome = a.outcome;
    const offer = S.outcomes[outcome] ? S.outcomes[outcome].offer : "";
    body.dataset.lastOutcome = outcome;
    if (a.list) { list = a.list; renderProgress(); }
    const before = order;
    if (a.show_order) order = a.order;
    else if (!list || !order || list.open_order !== order.id) order = null;
    lastItemId = changedItem(before, order) || (before && order && before.id === order.id ? lastItemId : null);
    lastUnknown = offer === "map" && entry ? entry.body.code : null;
    otherOrder = offer === "skip" && a.other_order ? a.other_order : null;
    renderOrder();
    showStatus(outcome, headline(outcome), a.message || "");
    sound(outcome);
    if (entry && entry.body.code) showLastScan(entry.body.code, a.product);
    if (entry && entry.local) compareOffline(entry, a);
    if (a.order_completed && a.order) addHistory(a.order);
    if (otherOrder && order) {
      offerAction(fmt(S.skipAndOpen, { number: otherOrder.number }) + " (F2)", "warn", skip, "btn-offer-skip");
    } else if (offer === "reopen" && cfg.supervisor && a.order) {
      const done = a.order;
      offerAction(S.reopen, "secondary", () => action("reopen", { order: done.id }), "btn-offer-reopen");
    }
    if (a.all_done) allDone();
    document.dispatchEvent(new CustomEvent("packer:answer", { detail: a }));  // station_bench.js
  }

  /* Last scan: the code as read and, when the server names it, the product. */
  function showLastScan(code, product) {
    const last = $("last-scan");
    last.replaceChildren(el("span", { class: "code" }, code));
    last.dataset.code = code;
    if (product && product.product_name) {
      last.append(el("span", { class: "product" }, `${product.product_name} (${product.sku})`));
    }
  }

  /* A one-off button under the status line (e.g. "skip" after another order's label). */
  function offerAction(label, cls, onClick, id) {
    const b = button(label, cls + " small", () => { b.remove(); onClick(); }, { id });
    $("status-detail").append(" ", b);
  }

  function changedItem(before, after) {
    if (!before || !after || before.id !== after.id) return null;
    const old = {};
    before.items.forEach((i) => { old[i.id] = i.packed; });
    const up = after.items.find((i) => i.packed > (old[i.id] || 0));
    return up ? up.id : null;
  }

  /* ---------- rendering ---------- */
  function showStatus(outcome, headline, detail) {
    const box = $("status");
    box.className = "status t-" + toneOf(outcome);
    box.dataset.outcome = outcome;
    $("status-headline").textContent = headline;
    $("status-detail").textContent = detail || "";
    void box.offsetWidth;
    box.classList.add("flash");
  }

  function renderProgress() {
    if (!list) return;
    const done = list.completed_orders;  // a skipped order is not done
    const pct = list.orders ? Math.round((100 * done) / list.orders) : 0;
    $("progress-bar").style.width = pct + "%";
    $("progress-text").textContent = `${list.completed_orders} / ${list.orders} ${S.orders}`;
    $("progress-detail").textContent = `${list.packed_units} / ${list.required_units} ${S.units}` +
      (list.skipped_orders ? ` · ${headline("skipped")}: ${list.skipped_orders}` : "") +
      (list.needs_review_orders ? ` · ${headline("order_needs_review")}: ${list.needs_review_orders}` : "");
    body.dataset.completed = String(list.completed_orders);
  }

  function renderOrder() {
    const tbody = $("items").querySelector("tbody");
    tbody.replaceChildren();
    const ex = $("extras"), exBody = ex.querySelector("tbody");
    exBody.replaceChildren();
    ["order-courier", "order-country", "order-box", "order-type", "deadline", "order-tags"].forEach((id) => { $(id).replaceChildren(); });
    $("order-notes").classList.add("hidden");
    if (!order) {
      $("order-number").textContent = "—";
      $("order-panel").dataset.order = "";
      ex.classList.add("hidden");
      return;
    }
    $("order-panel").dataset.order = order.number;
    $("order-number").textContent = order.number;
    fact("order-courier", S.courier, order.courier);
    fact("order-country", S.country, order.country);
    fact("order-box", S.box, order.box);
    fact("order-type", S.orderType, order.order_type_label);
    renderDeadline();
    (order.tags || []).concat(order.internal_tags || []).forEach((t) => $("order-tags").append(el("span", { class: "tag" }, t)));
    if (order.reship_of) $("order-tags").append(el("span", { class: "tag reship" }, S.reship));
    const notes = [order.notes, order.system_note].filter(Boolean).join(" · ");
    if (notes) { $("order-notes").textContent = notes; $("order-notes").classList.remove("hidden"); }
    const open = order.status !== "completed";
    const units = provisionalUnits();
    let last = null;
    order.items.forEach((it) => {
      const tr = el("tr", { "data-item": it.id, "data-sku": it.sku });
      const extra = units[it.id] || 0;
      if (it.complete) tr.classList.add("line-done");
      if (it.id === lastItemId) { tr.classList.add("line-last"); last = tr; }
      const qty = el("td", { class: "qty" }, `${it.packed + extra} / ${it.required}`);
      if (extra) { tr.classList.add("unconfirmed"); qty.append(el("span", { class: "unconfirmed-mark" }, S.unconfirmed)); last = tr; }
      if (it.extras_kept) qty.append(el("span", { class: "kept" }, fmt(S.keptExtras, { n: it.extras_kept })));
      const name = el("td", { class: "name" });
      name.append(el("span", { class: "sku" }, it.sku), el("span", { class: "name-text" }, it.product_name));
      tr.append(el("td", {}, it.line_number), name, qty);
      const act = el("td", { class: "row-actions" });
      const btns = el("div", { class: "row-btns" });
      act.append(btns);
      if (open) {
        const full = it.packed >= it.required;
        btns.append(
          button(S.confirm, "small ok act-confirm", () => fillByHand("confirm", it), full ? { disabled: "" } : {}),
          button(S.undo, "small secondary act-undo", () => action("undo", { item: it.id }), it.packed ? {} : { disabled: "" }),
          button(S.forceConfirm, "small warn act-force", () => fillByHand("force_confirm", it), full ? { disabled: "" } : {}),
        );
        // Only when there is an unknown scan to map (a disabled button would take the width).
        if (lastUnknown) btns.append(button(S.mapBarcode, "small secondary act-map", () => mapBarcode(it)));
      }
      tr.append(act);
      tbody.append(tr);
    });
    const pending = (order.extras || []).filter((e) => e.pending > 0);
    ex.classList.toggle("hidden", pending.length === 0);
    pending.forEach((e) => {
      const tr = el("tr", { "data-extra": e.sku });
      tr.append(el("td", { class: "sku" }, e.sku), el("td", { class: "qty" }, "+" + e.pending));
      const act = el("td", { class: "row-actions" });
      act.append(button(S.keep, "ok act-keep", () => action("keep_extra", { sku: e.sku })),
        button(S.remove, "danger act-remove", () => action("remove_extra", { sku: e.sku })));
      tr.append(act);
      exBody.append(tr);
    });
    fitLines();
    if (last) keepInView(last);
  }

  /* The line just scanned stays in view: the lines scroll inside their panel, never the page
   * (the status and the scan input stay where they are). */
  /* The lines' panel ends at the bottom of the screen (above the action buttons): the page
   * itself does not scroll on a terminal, the lines do. */
  function fitLines() {
    const box = $("items-scroll");
    const bar = document.querySelector(".st-body > section > .actions");
    const room = window.innerHeight - box.getBoundingClientRect().top - window.scrollY
      - (bar ? bar.getBoundingClientRect().height + 24 : 24);
    box.style.maxHeight = Math.max(140, Math.floor(room)) + "px";
  }
  window.addEventListener("resize", () => { fitLines(); const l = document.querySelector("#items tr.line-last"); if (l) keepInView(l); });

  function keepInView(row) {
    const box = $("items-scroll");
    const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
    const head = $("items").tHead.getBoundingClientRect().height;
    if (r.top < b.top + head) box.scrollTop -= b.top + head - r.top;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom;
  }

  function fact(id, label, value) {
    if (!value) return;
    $(id).append(el("span", { class: "muted" }, label + " "), el("b", {}, value));
  }

  function renderDeadline() {
    const box = $("deadline");
    box.replaceChildren();
    box.className = "fact deadline";
    if (!order || !order.courier) return;
    const hhmm = cfg.deadlines[order.courier.toLowerCase()];
    if (!hhmm) return;
    const [h, m] = hhmm.split(":").map(Number);
    const mins = h * 60 + m - minutesOfDay(cfg.timeZone);
    const span = fmt(S.hoursMinutes, { h: Math.floor(Math.abs(mins) / 60), m: String(Math.abs(mins) % 60).padStart(2, "0") });
    box.append(el("span", { class: "muted" }, `${S.pickup} ${hhmm} · `),
      el("b", {}, mins >= 0 ? fmt(S.timeLeft, { time: span }) : fmt(S.late, { time: span })));
    if (mins < 0) box.classList.add("late"); else if (mins < 60) box.classList.add("soon");
  }

  /* Deadlines are wall-clock times of the warehouse (the server's TIME_ZONE), not the terminal's. */
  function minutesOfDay(timeZone) {
    try {
      const parts = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone })
        .formatToParts(new Date());
      const get = (t) => Number(parts.find((p) => p.type === t).value);
      return (get("hour") % 24) * 60 + get("minute");
    } catch (e) { const d = new Date(); return d.getHours() * 60 + d.getMinutes(); }
  }

  function addHistory(o) {
    history = history.filter((h) => h.number !== o.number);
    history.unshift({ number: o.number, at: o.completed_at || new Date().toISOString() });
    history = history.slice(0, 20);
    renderHistory();
  }
  function renderHistory() {
    const ul = $("history");
    ul.replaceChildren();
    history.forEach((h) => {
      const li = el("li");
      li.append(el("b", {}, h.number), el("span", { class: "muted" }, new Date(h.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: cfg.timeZone })));
      ul.append(li);
    });
  }

  /* ---------- overlays ---------- */
  function showOverlay(kind, title, text, actions) {
    $("end-summary").classList.add("hidden");
    $("overlay-title").textContent = title;
    $("overlay-text").textContent = text || "";
    $("overlay-actions").replaceChildren(...actions);
    $("overlay").dataset.kind = kind;
    $("overlay").classList.remove("hidden");
  }
  function hideOverlay() { $("overlay").classList.add("hidden"); $("overlay").dataset.kind = ""; }
  function backLink() {
    const a = el("a", { class: "btn secondary", href: cfg.pickUrl, tabindex: "-1" }, S.back);
    return a;
  }
  function reportLink() {
    return el("a", { class: "btn ok big", href: cfg.reportUrl, tabindex: "-1", id: "report-link" }, S.downloadReport);
  }
  function allDone() {
    body.dataset.allDone = "1";
    showStatus("all_done", S.allDone, S.allDoneDetail);
    sound("all_done");
    showOverlay("all-done", S.allDone, S.allDoneDetail, [
      button(S.endList + " (F9)", "danger big", () => endList(), { id: "btn-end-now" }),
      button("OK", "secondary", () => hideOverlay(), { id: "btn-all-done-ok" }),
    ]);
  }

  /* ---------- actions ---------- */
  function action(name, extra) {
    if (state !== "ready") return;
    enqueue("action/", Object.assign({ action: name }, extra || {}));
  }
  /* Step by step back through this station's units of the open order (the server walks its log). */
  function undoLast() {
    if (!order || order.status === "completed") { showStatus("already_zero", headline("already_zero"), S.nothingToUndo); sound("already_zero"); return; }
    action("undo", {});
  }
  /* Skip the open order; after another order's label, open that order at once. */
  function skip() {
    if (!order || order.status === "completed") { showStatus("error", S.refused, S.noOpenOrder); sound("error"); return; }
    const other = otherOrder;
    otherOrder = null;
    action("skip", { order: order.id });
    if (other) enqueue("scan/", { code: other.number });
  }
  function extraAction(name) {
    const pending = order ? (order.extras || []).find((e) => e.pending > 0) : null;
    if (!pending) { showStatus("error", S.refused, S.noExtras); sound("error"); return; }
    action(name, { sku: pending.sku });
  }
  /* Reasons and choices by function key: F1, F2, F3 … in the order the server gives them. */
  function reasonChoices(reasons, tone, needsNote) {
    return reasons.map((r, i) => ({ value: r.code, label: r.label, key: `F${i + 1}`, tone,
      needs: needsNote && r.code === "other" ? ["note"] : [] }));
  }

  /* Confirm one unit or the rest of a line by hand: always with a reason (the server's list). */
  async function fillByHand(name, item) {
    if (state !== "ready") return;
    const all = name === "force_confirm";
    const result = await D.open(Object.assign(dialogBase("reason"), {
      title: all ? fmt(S.fillTitleAll, { sku: item.sku }) : S.fillTitle,
      text: all && cfg.forceConfirmNeedsApproval ? S.fillApprovalNext : "",
      details: [[item.sku, item.product_name || ""]],
      fields: [{ name: "note", label: S.note, maxlength: 500 }],
      choices: reasonChoices(cfg.fillReasons, "ok", true),
    }));
    if (!result) return;
    action(name, { item: item.id, reason: result.choice, note: result.values.note || "" });
  }

  /* Map the last unknown scan to this line's SKU: confirmed by F1 (never by Enter). Changing a
   * known barcode comes back as approval_required and the supervisor approves in the dialog. */
  async function mapBarcode(item) {
    if (!lastUnknown || state !== "ready") return;
    const barcode = lastUnknown;
    const result = await D.open(Object.assign(dialogBase("map"), {
      title: S.mapTitle, text: fmt(S.mapConfirm, { barcode, sku: item.sku }),
      details: [[S.barcode, barcode], [S.willPack, `${item.sku}${item.product_name ? " — " + item.product_name : ""}`]],
      choices: [{ value: "map", label: S.mapChoice, key: "F1", tone: "warn" }],
    }));
    if (result) action("map", { barcode, sku: item.sku });
  }

  /* The open order cannot be finished (short, damaged, wrong stock): set it aside for a supervisor. */
  async function flagProblem() {
    if (state !== "ready") return;
    if (!order || order.status === "completed") { showStatus("error", S.refused, S.noOpenOrder); sound("error"); return; }
    const result = await D.open(Object.assign(dialogBase("problem"), {
      title: fmt(S.problemTitle, { number: order.number }), text: S.problemDetail,
      fields: [{ name: "note", label: S.problemNote, maxlength: 500 }],
      choices: reasonChoices(cfg.problemReasons, "warn", false),
    }));
    if (result) action("flag", { reason: result.choice, note: result.values.note || "" });
  }

  /* A break or a shift change: give the list back; any packer may claim it and go on. */
  async function releaseList() {
    if (state !== "ready" || outbox.length) return;
    let res;
    try { res = await post("release/", { reason: "" }, true); } catch (e) { setOnline(false); return; }
    if (res.status !== 200) { refused(res.data); return; }
    setState("released");
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    token = null;
    localStorage.removeItem(key + ":token");
    showStatus("warn", S.released, S.releasedDetail);
    showOverlay("released", S.released, S.releasedDetail,
      [button(S.reclaim, "big", () => claim(false), { id: "btn-reclaim" }), backLink()]);
  }

  async function endList() {
    if (state !== "ready" || outbox.length) return;
    let res;
    try { res = await post("end/", { force: false }, true); } catch (e) { setOnline(false); return; }
    if (res.status === 400 && res.data.open_orders) {
      res = await confirmEarlyEnd(res.data);
      if (!res) { focusScan(); return; }
    }
    if (res.status === 200) ended(res.data);
    else refused(res.data);
    focusScan();
  }

  /* Open orders: ending now is confirmed by F9 — or, when the server says a supervisor must
   * approve, by the supervisor's badge scan (or PIN) in the same dialog. */
  async function confirmEarlyEnd(err) {
    let final = null;
    const send = async (approval) => {
      let r;
      try { r = await post("end/", approval ? { force: true, approval } : { force: true }, true); }
      catch (e) { setOnline(false); return S.dialog.failed; }
      if (r.status === 403 || r.status === 429) return r.data.message || S.refused;
      final = r;
      return null;
    };
    const ok = await D.open(Object.assign(dialogBase("end"), {
      title: S.endTitle, text: err.message, list: err.open_orders.slice(0, 30),
      approval: err.needs_approval ? { methods: err.approve_with || cfg.approveWith } : null,
      approvalChoice: "end",
      choices: err.needs_approval ? [] : [{ value: "end", label: S.endChoice, key: "F9", tone: "danger" }],
      submit: (result) => send(result.approval),
    }));
    return ok ? final : null;
  }

  /* The list has ended: its summary (the server's rows), the report, and what the next scan does. */
  async function ended() {
    setState("ended");
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    token = null;
    localStorage.removeItem(key + ":token");
    showStatus("all_done", S.ended, S.endedNext);
    showOverlay("ended", S.ended, S.endedNext, [reportLink(), backLink()]);
    const data = await getJSON(cfg.summaryUrl);
    const table = $("end-summary");
    table.replaceChildren();
    ((data && data.rows) || []).forEach((r) => {
      const tr = el("tr", { "data-key": r.key });
      tr.append(el("th", {}, r.label), el("td", {}, r.value));
      table.append(tr);
    });
    table.classList.toggle("hidden", !table.children.length);
  }

  /* ---------- sound (WebAudio, unlocked by the first key or tap) ----------
     The button mutes and unmutes; the choice is kept per terminal (localStorage
     "packer:sound": "on" | "off", on by default). Muted, nothing is played. */
  let audio = null;
  const SOUND_KEY = "packer:sound";
  function soundWanted() { return localStorage.getItem(SOUND_KEY) !== "off"; }
  function showSoundButton() {
    const on = soundWanted(), b = $("btn-sound");
    b.textContent = on ? S.soundOn : S.soundOff;
    b.title = on ? S.soundMute : S.soundUnmute;
    b.setAttribute("aria-pressed", on ? "true" : "false");
    body.dataset.soundOn = on ? "1" : "0";
  }
  function unlockSound() {
    if (!soundWanted()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { /* no audio on this terminal */ }
  }
  function toggleSound() {
    localStorage.setItem(SOUND_KEY, soundWanted() ? "off" : "on");
    if (soundWanted()) unlockSound();
    else if (audio && audio.state === "running") audio.suspend();
    showSoundButton();
  }
  function tone(freq, start, dur, type, gain) {
    const o = audio.createOscillator(), g = audio.createGain();
    o.type = type || "sine"; o.frequency.value = freq;
    g.gain.setValueAtTime(gain || 0.25, audio.currentTime + start);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + dur);
    o.connect(g); g.connect(audio.destination);
    o.start(audio.currentTime + start); o.stop(audio.currentTime + start + dur + 0.02);
  }
  function sound(outcome) { soundTone(toneOf(outcome), outcome); }
  function soundTone(t, name) {
    body.dataset.sound = name;
    if (!soundWanted() || !audio || audio.state !== "running") return;
    body.dataset.played = name;
    if (t === "ok") tone(880, 0, 0.12);
    else if (t === "info") { tone(660, 0, 0.1); tone(880, 0.11, 0.12); }
    else if (t === "done") [523, 659, 784, 1047].forEach((f, i) => tone(f, i * 0.09, 0.16));
    else if (t === "bad") tone(150, 0, 0.45, "square", 0.2);
    else if (t === "warn") { tone(440, 0, 0.12, "triangle", 0.3); tone(440, 0.18, 0.12, "triangle", 0.3); }
    else tone(600, 0, 0.06, "sine", 0.15);
  }

  /* ---------- input and focus ---------- */
  function focusScan() {
    if (D.isOpen()) return;  // the dialog has the keys
    if (document.activeElement !== input) input.focus({ preventScroll: true });
  }
  /* What the scanner meant: its terminator, GS1 group separators and AIM symbology identifier
   * (e.g. "]C1", "]E0", "]Q3") taken off, as the terminal's settings say (cfg.scanner). */
  function cleanCode(raw) {
    const sc = cfg.scanner || {};
    let code = String(raw).replace(/[\r\n\t]/g, "");
    if (sc.stripGroupSeparator) code = code.replace(/\x1d/g, "");
    code = code.trim();
    if (sc.stripAim) code = code.replace(/^\][A-Za-z][0-9A-Za-z]/, "");
    return code.trim();
  }

  /* The same code again within doubleFireMs is the scanner firing twice: one read, not two units. */
  function doubleFire(code, ev) {
    // The key event's own time: a busy page handling two reads late must not join them.
    const now = ev && ev.timeStamp ? ev.timeStamp : performance.now();
    const again = code === lastRead.code && now - lastRead.at < (cfg.scanner || {}).doubleFireMs;
    lastRead = { code, at: now };
    if (!again) return false;
    doubleReads += 1;
    localStorage.setItem(key + ":double", String(doubleReads));
    showDoubleReads();
    return true;
  }
  function showDoubleReads() {
    const box = $("double-reads");
    box.textContent = doubleReads ? fmt(S.doubleReads, { n: doubleReads }) : "";
    body.dataset.doubleReads = String(doubleReads);
  }

  /* A list barcode (LIST-<id>): the list it opens, or null. */
  function listOfBarcode(code) {
    const m = new RegExp(cfg.listBarcodePattern, "i").exec(code);
    return m ? Number(m[1]) : null;
  }

  /* After the list ended: a list barcode opens that list; anything else is told what to do. */
  function scanAfterEnd(code) {
    const id = listOfBarcode(code);
    if (id) { location.href = cfg.listUrl.replace("999999999", id); return; }
    showStatus("error", S.ended, fmt(S.endedScan, { code }));
    sound("error");
  }

  function onScan(raw, ev) {
    const code = cleanCode(raw);
    if (!code) return;
    if (doubleFire(code, ev)) return;
    if (state === "ended") { showLastScan(code, null); scanAfterEnd(code); return; }
    showLastScan(code, null);
    // Command barcodes (CMD:…) run the button's function here, never go out as a scan.
    if (window.PackerCommands && window.PackerCommands.handle(code)) return;
    if (state !== "ready" && state !== "claiming") { showStatus("error", S.refused, S.notNow); sound("error"); return; }
    const entry = { path: "scan/", body: { code, scan_id: newScanId() }, queuedAt: Date.now() };
    outbox.push(entry);
    if (!online) localAnswer(entry);
    saveOutbox();
    pump();
  }

  // The one scanner reader (static/js/scanfield.js): Enter or Tab ends a code, and keys typed
  // under a Cyrillic layout are rebuilt from the physical keys.
  window.PackerScan.attach(input, { onScan: (raw, ev) => onScan(raw, ev) });
  input.addEventListener("blur", () => setTimeout(focusScan, 0));
  document.addEventListener("click", () => setTimeout(focusScan, 0));
  window.addEventListener("focus", focusScan);
  document.addEventListener("keydown", (ev) => {
    unlockSound();
    if (D.isOpen()) return;
    if (ev.key === "F2") { ev.preventDefault(); skip(); }
    else if (ev.key === "F4") { ev.preventDefault(); undoLast(); }
    else if (ev.key === "F9") { ev.preventDefault(); endList(); }
    else if (ev.key === "F6") { ev.preventDefault(); extraAction("keep_extra"); }
    else if (ev.key === "F7") { ev.preventDefault(); extraAction("remove_extra"); }
    else if (ev.key === "F8") { ev.preventDefault(); releaseList(); }
    else if (ev.key === "F10") { ev.preventDefault(); flagProblem(); }
    else if (ev.key === "Escape") {
      input.value = "";
      if (state === "ended") { location.href = cfg.pickUrl; return; }
      hideOverlayIfInfo();
    }
    if (document.activeElement !== input) focusScan();
  });
  document.addEventListener("pointerdown", unlockSound);
  function hideOverlayIfInfo() { if ($("overlay").dataset.kind === "all-done") hideOverlay(); }
  document.querySelectorAll("button, a.btn").forEach((b) => {
    b.setAttribute("tabindex", "-1");
    b.addEventListener("mousedown", (ev) => ev.preventDefault());
  });
  $("btn-skip").addEventListener("click", skip);
  $("btn-undo").addEventListener("click", undoLast);
  $("btn-end").addEventListener("click", endList);
  $("btn-release").addEventListener("click", releaseList);
  $("btn-problem").addEventListener("click", flagProblem);
  $("btn-sound").addEventListener("click", toggleSound);
  window.addEventListener("online", () => { probe(); });
  setInterval(() => { if (order) renderDeadline(); }, 30000);

  /* What static/js/station_bench.js (commands, printing, boxes) uses: the same functions the
   * buttons and keys call, so a command barcode does exactly what they do. */
  window.PackerStation = {
    skip, undoLast, endList, releaseList, extraAction, flagProblem, action, showStatus, sound, fmt,
    order: () => order, ready: () => state === "ready", post, button,
  };

  body.dataset.online = "1";
  showSoundButton();
  renderHistory();
  showDoubleReads();
  showOutbox();
  focusScan();
  claim(false);
})();
