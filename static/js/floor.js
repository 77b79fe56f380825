/* Floor view: rows of every claimed list, replaced from the WebSocket.
 * The socket sends a full snapshot on every (re)connect (the database's true state), one
 * fresh row per change and, per station heartbeat, only the claim's new heartbeat time;
 * heartbeat ages tick locally between messages. A force-release asks for its reason in the
 * in-page dialog (static/js/dialog.js), taken by F8, and shows a refusal there; the flagged
 * orders' panel (htmx) is refreshed when a flag or a review comes by. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("floor-config").textContent);
  const S = cfg.strings;
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const tbody = document.querySelector("#floor-table tbody");
  const rows = new Map();
  let skew = 0, ws = null, retry = 500;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (k === "class") e.className = v; else e.setAttribute(k, v); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(t, p) { return t.replace(/%\((\w+)\)s/g, (m, n) => (p[n] === undefined ? m : p[n])); }

  function age(row) {
    if (!row.claim) return null;
    return Math.max(0, Math.round((Date.now() + skew - new Date(row.claim.heartbeat_at)) / 1000));
  }

  function setAll(list) {
    rows.clear();
    list.forEach((r) => rows.set(r.id, r));
    if (list.length && list[0].server_now) skew = new Date(list[0].server_now) - Date.now();
    render();
  }
  function update(row, flash) {
    if (row.released) rows.delete(row.id);
    else rows.set(row.id, row);
    if (row.server_now) skew = new Date(row.server_now) - Date.now();
    render(flash ? row.id : null);
  }

  function heartbeat(msg) {
    const row = rows.get(msg.list_id);
    if (row && row.claim) Object.assign(row.claim, msg.claim);
    if (msg.server_now) skew = new Date(msg.server_now) - Date.now();
    render();
  }

  function render(flashId) {
    tbody.replaceChildren();
    let stale = 0, done = 0, errors = 0;
    Array.from(rows.values()).forEach((r) => {
      const a = age(r);
      const isStale = a !== null && a > cfg.staleAfterSeconds;
      if (isStale) stale++;
      done += r.completed_orders; errors += r.errors;
      const tr = el("tr", { "data-list": r.id, class: isStale ? "stale" : "" });
      if (r.id === flashId) tr.classList.add("flash");
      if (r.needs_review_orders) tr.classList.add("has-review");
      const pct = r.orders ? Math.round(100 * (r.completed_orders + r.skipped_orders) / r.orders) : 0;
      const prog = el("td");
      const bar = el("div", { class: "bar" }); bar.append(el("span", { style: `width:${pct}%` }));
      prog.append(bar, el("div", { class: "muted progress-text" },
        `${r.completed_orders}/${r.orders} ${S.orders} · ${r.packed_units}/${r.required_units} ${S.units}`));
      if (r.needs_review_orders) {
        prog.append(el("span", { class: "badge warn review-count" }, fmt(S.toReview, { n: r.needs_review_orders })));
      }
      const last = el("td", { class: "last-scan" });
      if (r.last_scan) {
        const o = r.last_scan.outcome;
        const known = cfg.outcomes[o] || { label: o, tone: "info" };  // from sessions/outcomes.py
        last.append(el("b", { class: "code" }, r.last_scan.code || "—"), document.createTextNode(" "),
          el("span", { class: "badge t-" + known.tone, "data-outcome": o }, known.label));
      } else last.textContent = "—";
      const actions = el("td", { class: "row-actions" });
      const stack = el("div", { class: "stack" });
      if (isStale) stack.append(el("a", { class: "btn small warn act-takeover", href: `/station/lists/${r.id}/` }, S.takeOver));
      const fr = el("button", { type: "button", class: "btn small danger act-release" }, S.forceRelease);
      fr.addEventListener("click", () => forceRelease(r));
      stack.append(fr);
      actions.append(stack);
      const listCell = el("td", { class: "list" });
      listCell.append(el("a", { href: `/sessions/lists/${r.id}/`, title: S.details }, r.name),
        el("div", { class: "muted" }, r.session_external_id));
      tr.append(
        el("td", { class: "station" }, r.claim ? r.claim.station : ""),
        el("td", { class: "worker" }, r.claim ? r.claim.holder : ""),
        el("td", {}, r.client),
        listCell,
        prog, last,
        el("td", { class: "num hb" }, a === null ? "" : fmt(S.ago, { seconds: a })),
        el("td", {}, "")
      );
      tr.lastChild.append(el("span", { class: "badge state " + (isStale ? "warn" : "ok") }, isStale ? S.stale : S.active));
      tr.append(el("td", { class: "num errors" }, String(r.errors)), actions);
      tbody.append(tr);
    });
    document.getElementById("floor-empty").classList.toggle("hidden", rows.size > 0);
    document.getElementById("kpi-stations").textContent = rows.size;
    document.getElementById("kpi-stale").textContent = stale;
    document.getElementById("kpi-orders").textContent = done;
    document.getElementById("kpi-errors").textContent = errors;
  }

  /* The reason is typed into the dialog; F8 (or its button) releases; a refusal stays in it. */
  function forceRelease(row) {
    const claim = row.claim || {};
    window.PackerDialog.open({
      kind: "force-release", strings: S.dialog,
      title: fmt(S.forceReleaseTitle, { list: row.name }),
      text: fmt(S.forceReleaseText, { holder: claim.holder || "—", station: claim.station || "—" }),
      fields: [{ name: "reason", label: S.reasonPrompt, required: true, maxlength: 1000 }],
      choices: [{ value: "release", label: S.forceRelease, key: "F8", tone: "danger", needs: ["reason"] }],
      submit: async (result) => {
        let res;
        try {
          res = await fetch(`/api/v1/lists/${row.id}/force-release/`, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
            body: JSON.stringify({ reason: result.values.reason }),
          });
        } catch (e) { return S.dialog.failed; }
        const data = await res.json().catch(() => ({}));
        if (!res.ok) return data.message || String(res.status);
        update({ id: row.id, released: true });
        return null;
      },
    });
  }

  function refreshReviews(row) {
    const outcome = row && row.last_scan ? row.last_scan.outcome : null;
    if (outcome && cfg.reviewOutcomes.includes(outcome) && window.htmx && document.getElementById("reviews")) {
      window.htmx.trigger("#reviews", "refresh");
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/floor/`);
    ws.onopen = () => { retry = 500; };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === "snapshot") { setAll(msg.rows); document.body.dataset.ws = "open"; }
      else if (msg.type === "update") { update(msg.row, true); refreshReviews(msg.row); }
      else if (msg.type === "heartbeat") heartbeat(msg);
    };
    ws.onclose = () => {
      document.body.dataset.ws = "closed";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  setAll(JSON.parse(document.getElementById("floor-rows").textContent));
  setInterval(() => render(), 1000);
  // A fresh snapshot now and then repairs anything a channel-layer blip lost.
  setInterval(() => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "refresh" }));
  }, cfg.resyncSeconds * 1000);
  connect();
})();
