/* Wall display: shows one client's couriers at a time, rotating every data-rotate seconds.
 * The figures come from the server (htmx re-reads the fragment); this only keeps showing the
 * same client across a refresh and moves on to the next one. No input. */
(function () {
  "use strict";
  const wall = document.getElementById("wall");
  const seconds = Number(wall.dataset.rotate) || 12;
  let current = null;

  function show(code) {
    const clients = Array.from(wall.querySelectorAll(".wall-client"));
    if (!clients.length) return;
    const found = clients.find((c) => c.dataset.client === code) || clients[0];
    clients.forEach((c) => c.classList.toggle("current", c === found));
    current = found.dataset.client;
  }
  function next() {
    const clients = Array.from(wall.querySelectorAll(".wall-client"));
    if (!clients.length) return;
    const i = clients.findIndex((c) => c.dataset.client === current);
    show(clients[(i + 1) % clients.length].dataset.client);
  }
  wall.addEventListener("htmx:afterSwap", () => show(current));
  show(null);
  setInterval(next, seconds * 1000);
})();
