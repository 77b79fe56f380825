/* Kiosk terminal (a packer at a station): the sign-out key named on the sign-out button
 * (data-key, decided by the server) signs out from any page; the sign-in page then waits for
 * the next packer's badge. Scanning one's own badge on the pick page signs out too (server).
 */
(function () {
  "use strict";
  const form = document.getElementById("sign-out");
  const button = form && form.querySelector("[data-key]");
  if (!button) return;
  const key = button.dataset.key;
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== key || ev.defaultPrevented) return;
    if (window.PackerDialog && window.PackerDialog.isOpen && window.PackerDialog.isOpen()) return;
    ev.preventDefault();
    form.requestSubmit();
  });
})();
