/* Sign-in page: the badge field reads the scanner through PackerScan (static/js/scanfield.js),
 * so a badge scanned with a Ukrainian or Bulgarian layout active still signs in, and Enter or
 * Tab from the scanner submits the badge form. On a station terminal the server gives the badge
 * field the focus (autofocus); this script only keeps it there after a click on empty space.
 */
(function () {
  "use strict";
  const badge = document.getElementById("id_badge");
  if (!badge) return;
  const form = badge.form;
  window.PackerScan.attach(badge, { clear: false, onScan() { form.requestSubmit(); } });
  if (document.querySelector(".signin.terminal")) {
    document.addEventListener("click", (ev) => {
      if (!ev.target.closest("input, button, a, select, label")) badge.focus();
    });
  }
})();
