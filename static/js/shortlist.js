// Optional extras for the shortlist. Everything works without this file.
(function () {
  "use strict";
  // The large-print sheet: a "Print now" button (the page also says how to print without it).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // The share link: select it all on focus, ready to copy.
  document.querySelectorAll(".share-link").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
