/* Pick page: the list field reads the scanner through PackerScan (static/js/scanfield.js).
 * A scanned list barcode (LIST-42) or a typed number, ended by Enter or Tab, is posted to the
 * server, which claims the list and opens the station (or says why not). A scanned badge goes
 * the same way: the server signs its packer out or in. The field keeps the focus.
 */
(function () {
  "use strict";
  const input = document.getElementById("list-code");
  if (!input) return;
  const form = input.form;
  window.PackerScan.attach(input, { clear: false, onScan() { form.requestSubmit(); } });
  document.addEventListener("click", (ev) => {
    if (!ev.target.closest("input, button, a, select, label")) input.focus();
  });
})();
