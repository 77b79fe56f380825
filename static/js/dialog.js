/* PackerDialog: the one in-page dialog of the floor's screens (station, floor, terminals).
 *
 * Why: native confirm()/prompt()/alert() take a plain Enter, cannot show a supervisor's
 * approval, steal the scanner's keystrokes into a browser box and look different in every
 * browser. This dialog is keyboard-first for terminals where hands hold product, not a mouse:
 *
 * - A CHOICE is taken by its function key (shown on its button, e.g. F1) or a click — NEVER
 *   by a plain Enter, because a USB scanner ends every code with Enter.
 * - A SUPERVISOR'S APPROVAL is given by scanning their badge into the dialog (the scanner types
 *   the code + Enter: Enter submits the badge field) or by typing username + PIN (Enter in the
 *   PIN field submits). The badge field has the focus when the dialog opens.
 * - A SCANNED CONFIRMATION: with `confirmCode`, scanning that code (+ Enter) into the dialog
 *   takes the `confirmChoice` (a command barcode printed on the bench, issue 11).
 * - Esc cancels. Focus returns afterwards to the element that had it (the scan input).
 * - Everything it shows (titles, texts, reasons, who may approve, how) comes from the server:
 *   the page config and the server's answers, never from lists kept in JavaScript.
 *
 * API (plain script, no build step; global `PackerDialog`):
 *
 *   PackerDialog.open({
 *     kind: "approval",                  // data-kind of the dialog element (for tests, CSS)
 *     title: "…", text: "…",
 *     details: [["Now", "DC-DO-050 — Deodorant"], ["New", "DC-SC-050 — Sunscreen"]],
 *     list: ["#1001", "#1002"],           // e.g. open orders
 *     fields: [{name: "note", label: "…", required: false, maxlength: 500},
 *              {name: "station", label: "…", options: [{value: 3, label: "PC-3"}]}],  // a select
 *     choices: [{value: "label_damaged", label: "Label damaged", key: "F2", tone: "warn",
 *                needs: ["note"]}],        // needs: fields that must be filled first
 *     approval: {methods: ["badge", "pin"], strings: {...}},   // from the server
 *     confirmCode: "CMD:CONFIRM", confirmChoice: "end",
 *     strings: {cancel: "Cancel", badge: "…", username: "…", pin: "…", required: "…"},
 *     submit: async (result) => null | "an error to show",  // optional: e.g. send the request;
 *                                         // an error keeps the dialog open (wrong badge…)
 *   }) → Promise of {choice, values, approval} (after `submit` accepted it) or null (Esc).
 *
 *   PackerDialog.isOpen()   true while a dialog is open (pages ignore their own keys then).
 *   PackerDialog.close()    cancel the open dialog (resolves it with null).
 */
(function () {
  "use strict";
  let current = null;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : v);
    });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function input(name, label, attrs) {
    const id = `dlg-${name}`;
    const wrap = el("div", { class: "dlg-field" });
    wrap.append(el("label", { for: id }, label),
      el("input", Object.assign({ id, name, type: "text", autocomplete: "off", autocapitalize: "off",
        spellcheck: "false" }, attrs || {})));
    return wrap;
  }

  function select(name, label, options, value) {
    const id = `dlg-${name}`;
    const wrap = el("div", { class: "dlg-field" });
    const sel = el("select", { id, name });
    sel.append(el("option", { value: "" }, "—"));
    options.forEach((o) => sel.append(el("option", { value: String(o.value), selected: String(o.value) === String(value || "") }, o.label)));
    wrap.append(el("label", { for: id }, label), sel);
    return wrap;
  }

  function build(opts) {
    const S = opts.strings || {};
    const root = el("div", { class: "dlg-backdrop", role: "presentation" });
    const box = el("div", { class: "dlg", role: "dialog", "aria-modal": "true", "aria-labelledby": "dlg-title",
      "data-kind": opts.kind || "" });
    box.append(el("h2", { id: "dlg-title" }, opts.title || ""));
    if (opts.text) box.append(el("p", { class: "dlg-text" }, opts.text));
    if (opts.details && opts.details.length) {
      const dl = el("dl", { class: "dlg-details" });
      opts.details.forEach(([k, v]) => dl.append(el("dt", {}, k), el("dd", {}, v)));
      box.append(dl);
    }
    if (opts.list && opts.list.length) {
      const ul = el("ul", { class: "dlg-list" });
      opts.list.forEach((x) => ul.append(el("li", {}, x)));
      box.append(ul);
    }
    (opts.fields || []).forEach((f) => box.append(f.options ? select(f.name, f.label, f.options, f.value)
      : input(f.name, f.label, {
        maxlength: f.maxlength || 500, "data-required": f.required ? "1" : null, value: f.value || "" })));
    if (opts.approval) {
      const A = opts.approval.strings || S;
      const area = el("div", { class: "dlg-approval" });
      const methods = opts.approval.methods || [];
      if (methods.includes("badge")) {
        area.append(input("badge", A.badge, { type: "password", class: "dlg-badge", "data-submit": "badge" }));
      }
      if (methods.includes("pin")) {
        const pin = el("div", { class: "dlg-pin" });
        pin.append(el("p", { class: "muted dlg-or" }, A.orPin || ""),
          input("username", A.username, { "data-submit": "pin" }),
          input("pin", A.pin, { type: "password", inputmode: "numeric", maxlength: 8, "data-submit": "pin" }));
        area.append(pin);
      }
      box.append(area);
    }
    if (opts.confirmCode) box.append(input("confirm", S.scanToConfirm || "", { "data-submit": "confirm" }));
    box.append(el("p", { class: "dlg-error", role: "alert", "aria-live": "assertive" }));
    const actions = el("div", { class: "dlg-actions" });
    (opts.choices || []).forEach((c) => {
      const b = el("button", { type: "button", class: `btn ${c.tone || ""} dlg-choice`, "data-choice": c.value,
        "data-key": c.key || null, tabindex: "-1" });
      if (c.key) b.append(el("kbd", {}, c.key), document.createTextNode(" "));
      b.append(document.createTextNode(c.label));
      actions.append(b);
    });
    const cancel = el("button", { type: "button", class: "btn secondary dlg-cancel", tabindex: "-1" });
    cancel.append(el("kbd", {}, "Esc"), document.createTextNode(" " + (S.cancel || "Cancel")));
    actions.append(cancel);
    box.append(actions);
    root.append(box);
    return root;
  }

  function open(opts) {
    if (current) current.finish(null);
    const returnTo = opts.returnFocus || document.activeElement;
    const root = build(opts);
    document.body.append(root);
    document.body.dataset.dialog = opts.kind || "open";
    const box = root.querySelector(".dlg");
    const err = box.querySelector(".dlg-error");
    const field = (name) => box.querySelector(`[name="${name}"]`);
    let busy = false;

    return new Promise((resolve) => {
      const state = {};
      current = state;

      function values() {
        const out = {};
        box.querySelectorAll(".dlg-field input, .dlg-field select").forEach((i) => { out[i.name] = i.value.trim(); });
        return out;
      }
      function showError(message) {
        err.textContent = message || "";
        box.classList.toggle("has-error", !!message);
        if (message) {
          box.classList.remove("shake"); void box.offsetWidth; box.classList.add("shake");
        }
      }
      function finish(result) {
        if (current !== state) return;
        current = null;
        document.removeEventListener("keydown", onKey, true);
        root.remove();
        delete document.body.dataset.dialog;
        if (returnTo && returnTo.focus) setTimeout(() => returnTo.focus({ preventScroll: true }), 0);
        resolve(result);
      }
      state.finish = finish;

      async function attempt(result) {
        if (busy) return;
        busy = true;
        box.classList.add("busy");
        let problem = null;
        try { problem = opts.submit ? await opts.submit(result) : null; }
        catch (e) { problem = (opts.strings || {}).failed || String(e); }
        busy = false;
        box.classList.remove("busy");
        if (problem) {
          showError(problem);
          ["badge", "pin", "confirm"].forEach((n) => { if (field(n)) field(n).value = ""; });
          focusFirst();
          return;
        }
        finish(result);
      }

      function choose(choice) {
        const c = (opts.choices || []).find((x) => x.value === choice);
        if (!c) return;
        const v = values();
        const missing = (c.needs || []).find((n) => !v[n]);
        if (missing) { showError((opts.strings || {}).required || ""); field(missing).focus(); return; }
        attempt({ choice, values: v, approval: null });
      }

      function submitField(kind) {
        const v = values();
        if (kind === "badge") {
          if (!v.badge) return;
          attempt({ choice: opts.approvalChoice || null, values: v, approval: { badge: v.badge } });
        } else if (kind === "pin") {
          if (!v.username) { field("username").focus(); return; }
          if (!v.pin) { field("pin").focus(); return; }
          attempt({ choice: opts.approvalChoice || null, values: v,
            approval: { username: v.username, pin: v.pin } });
        } else if (kind === "confirm") {
          if (v.confirm && opts.confirmCode && v.confirm === opts.confirmCode) choose(opts.confirmChoice);
          else if (v.confirm) { showError((opts.strings || {}).wrongCode || ""); field("confirm").value = ""; }
        }
      }

      function onKey(ev) {
        if (current !== state) return;
        const choice = (opts.choices || []).find((c) => c.key && c.key === ev.key);
        if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); finish(null); return; }
        if (choice) { ev.preventDefault(); ev.stopPropagation(); choose(choice.value); return; }
        if (ev.key === "Enter") {
          // Enter submits a badge, a PIN or a scanned confirmation: never a choice.
          ev.preventDefault(); ev.stopPropagation();
          const kind = ev.target && ev.target.dataset ? ev.target.dataset.submit : null;
          if (kind) submitField(kind);
          return;
        }
        if (/^F\d+$/.test(ev.key)) { ev.preventDefault(); ev.stopPropagation(); return; }
        if (!box.contains(ev.target)) focusFirst();
        ev.stopPropagation();
      }

      function focusFirst() {
        const first = box.querySelector(".dlg-badge") || box.querySelector("[name=confirm]") ||
          box.querySelector(".dlg-field input, .dlg-field select");
        if (first) first.focus({ preventScroll: true });
        else box.querySelector(".dlg-cancel").focus({ preventScroll: true });
      }

      box.querySelectorAll(".dlg-choice").forEach((b) => {
        b.addEventListener("mousedown", (e) => e.preventDefault());
        b.addEventListener("click", () => choose(b.dataset.choice));
      });
      const cancel = box.querySelector(".dlg-cancel");
      cancel.addEventListener("mousedown", (e) => e.preventDefault());
      cancel.addEventListener("click", () => finish(null));
      root.addEventListener("mousedown", (e) => { if (e.target === root) e.preventDefault(); });
      document.addEventListener("keydown", onKey, true);
      focusFirst();
    });
  }

  window.PackerDialog = {
    open,
    isOpen: () => current !== null,
    close: () => { if (current) current.finish(null); },
  };
})();
