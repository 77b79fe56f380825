/* Station bench tools (issue 13): command barcodes, printing (on completion, reprint, packing
 * slip) and boxes. Kept apart from station.js, whose functions it calls through
 * window.PackerStation, so a command barcode does exactly what the button and key do (with the
 * same approvals: the server asks, the station's dialog answers).
 *
 * - A scanned code with the command prefix is looked up in the server's list (page config,
 *   sessions/commands.py) and runs the command; it is never sent as a scan.
 * - Printing never blocks scanning: a failure (reported by the server on the list's socket after
 *   an order completed, or answered to a reprint) shows as a message with "Reprint".
 * - Reprint and slip act on the open order, else the last order completed at this station.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("station-config").textContent);
  const B = cfg.bench;
  const S = B.strings;
  const $ = (id) => document.getElementById(id);
  const P = () => window.PackerStation;
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const WHAT = { label: S.label, slip: S.slip, label_and_slip: S.labelAndSlip };
  let lastCompleted = null;
  const reported = {};  // order id -> the server's print report arrived (it may beat the answer)
  let pendingTimer = null;

  function target() {
    const open = P().order();
    if (open && open.status !== "completed") return open;
    return open || lastCompleted;
  }

  /* ---------- printing ---------- */
  let hideTimer = null;
  function showPrint(kind, text, order, what) {
    const box = $("print-msg");
    if (hideTimer) { clearTimeout(hideTimer); hideTimer = null; }
    if (kind === "ok") hideTimer = setTimeout(() => box.classList.add("hidden"), 5000);
    box.className = "print-msg " + kind;
    box.dataset.kind = kind;
    $("print-msg-text").textContent = text;
    box.querySelectorAll("button").forEach((b) => b.remove());
    if (kind === "failed" && order) {
      box.append(P().button(S.reprint + " (F1)", "small warn", () => printOrder(what || "label", order), { id: "btn-print-retry" }));
    }
  }

  async function printOrder(what, order) {
    order = order || target();
    if (!order) { P().showStatus("error", S.printFailed, S.nothingToPrint); P().sound("error"); return; }
    const names = { what: WHAT[what], number: order.number };
    showPrint("sending", P().fmt(S.printing, names), order, what);
    let res, data = {};
    try {
      res = await fetch(B.printUrl.replace("999999999", order.id), {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ what, station: cfg.station }),
      });
      data = await res.json();
    } catch (e) { res = null; }
    if (res && res.ok) showPrint("ok", P().fmt(S.printed, names), order, what);
    else { showPrint("failed", `${S.printFailed}: ${(data && data.message) || ""}`, order, what); P().sound("error"); }
  }

  /* The server prints on completion in the background and tells this socket how it went. */
  document.addEventListener("packer:socket", (ev) => {
    const msg = ev.detail;
    if (!msg || msg.type !== "print" || !msg.order) return;
    const names = { what: WHAT[msg.what] || msg.what, number: msg.order.number };
    reported[msg.order.id] = true;
    if (pendingTimer) { clearTimeout(pendingTimer); pendingTimer = null; }
    if (msg.ok) showPrint("ok", P().fmt(S.printed, names), msg.order, msg.what);
    else { showPrint("failed", `${S.printFailed}: ${msg.message}`, msg.order, msg.what); P().sound("error"); }
  });

  /* ---------- boxes and the slip link ---------- */
  function renderBench(order) {
    const link = $("slip-link");
    const t = order || lastCompleted;
    link.classList.toggle("hidden", !t);
    if (t) link.href = B.slipUrl.replace("999999999", t.id);
    const panel = $("boxes-panel"), ul = $("boxes-list");
    ul.replaceChildren();
    const several = order && order.box_count > 1;
    panel.classList.toggle("hidden", !several);
    document.body.dataset.boxes = several ? String(order.box_count) : "1";
    if (!several) return;
    order.boxes.forEach((b) => {
      const li = document.createElement("li");
      li.dataset.box = b.number;
      const head = document.createElement("b");
      head.textContent = P().fmt(S.box, { n: b.number }) + (b.closed ? "" : ` (${S.boxOpen})`);
      const detail = document.createElement("span");
      detail.className = "muted";
      detail.textContent = P().fmt(S.units, { n: b.units }) + (b.weight_kg ? ` · ${b.weight_kg} kg` : "") +
        (b.lines.length ? " · " + b.lines.map((l) => `${l.sku}×${l.units}`).join(", ") : "");
      li.append(head, " ", detail);
      ul.append(li);
    });
  }

  document.addEventListener("packer:answer", (ev) => {
    const a = ev.detail;
    if (a.order && a.order.status === "completed") lastCompleted = a.order;
    renderBench(P().order());
    if (a.print && a.print.queued && a.order && !reported[a.order.id]) {
      const order = a.order, what = a.print.what;
      showPrint("sending", P().fmt(S.printing, { what: WHAT[what], number: order.number }), order, what);
      // No report (the socket was down meanwhile): say so, with "Reprint", rather than wait forever.
      if (pendingTimer) clearTimeout(pendingTimer);
      pendingTimer = setTimeout(() => {
        pendingTimer = null;
        if (!reported[order.id]) showPrint("failed", P().fmt(S.printUnconfirmed, { number: order.number }), order, what);
      }, B.confirmSeconds * 1000);
    }
  });

  function newBox() {
    const order = P().order();
    if (!P().ready()) return;
    if (!order || order.status === "completed") { P().showStatus("error", S.noOrder, ""); P().sound("error"); return; }
    P().action("new_box", {});
  }

  function signOut() {
    const form = document.createElement("form");
    form.method = "post";
    form.action = B.signOutUrl;
    const token = document.createElement("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf;
    form.append(token);
    document.body.append(form);
    form.submit();
  }

  /* ---------- commands: the same functions as the buttons and keys ---------- */
  const RUN = {
    skip: () => P().skip(),
    undo: () => P().undoLast(),
    end: () => P().endList(),
    release: () => P().releaseList(),
    keep_extra: () => P().extraAction("keep_extra"),
    remove_extra: () => P().extraAction("remove_extra"),
    reprint: () => printOrder("label"),
    slip: () => printOrder("slip"),
    new_box: newBox,
    problem: () => P().flagProblem(),
    sign_out: signOut,
  };

  window.PackerCommands = {
    handle(code) {
      const text = String(code || "").trim().toUpperCase();
      if (!text.startsWith(B.commands.prefix.toUpperCase())) return false;
      const name = B.commands.codes[text];
      document.body.dataset.lastCommand = name || "unknown";
      if (!name) {
        P().showStatus("error", S.command, P().fmt(S.unknownCommand, { code }));
        P().sound("error");
        return true;
      }
      RUN[name]();
      return true;
    },
  };

  document.addEventListener("keydown", (ev) => {
    if (window.PackerDialog && window.PackerDialog.isOpen()) return;
    if (ev.key === "F1" && ev.shiftKey) { ev.preventDefault(); printOrder("slip"); }
    else if (ev.key === "F1") { ev.preventDefault(); printOrder("label"); }
    else if (ev.key === "F3") { ev.preventDefault(); newBox(); }
  });
  $("btn-new-box").addEventListener("click", newBox);
  $("btn-reprint").addEventListener("click", () => printOrder("label"));
  $("btn-print-slip").addEventListener("click", () => printOrder("slip"));
  if (cfg.openOrder) renderBench(cfg.openOrder);
})();
