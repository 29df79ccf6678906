// The "what next" field of the activity editor: search activities by title and add them as
// ticked boxes (the field never lists every activity in the city).
(function () {
  "use strict";
  function setUp(root) {
    var url = root.getAttribute("data-search-url");
    var name = root.getAttribute("data-name");
    var box = root.querySelector("[data-search]");
    var results = root.querySelector("[data-results]");
    var chosen = root.querySelector("[data-chosen]");
    var timer = null;
    function isChosen(id) {
      return Array.prototype.some.call(
        chosen.querySelectorAll("input[type=checkbox]"),
        function (input) { return input.value === String(id); }
      );
    }
    function add(item) {
      if (isChosen(item.id)) { return; }
      var none = chosen.querySelector("[data-none]");
      if (none) { none.remove(); }
      var li = document.createElement("li");
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = String(item.id);
      input.checked = true;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + item.label));
      li.appendChild(label);
      chosen.appendChild(li);
    }
    function search() {
      var text = box.value.trim();
      results.replaceChildren();
      if (text.length < 2) { return; }
      fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (box.value.trim() !== text) { return; }
          results.replaceChildren();
          if (!data.results.length) {
            var none = document.createElement("li");
            none.textContent = "No activity's title contains that.";
            results.appendChild(none);
          }
          data.results.forEach(function (item) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "button button-small button-secondary";
            button.textContent = "Add " + item.label;
            button.addEventListener("click", function () { add(item); li.remove(); });
            li.appendChild(button);
            results.appendChild(li);
          });
        });
    }
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }  // never submit the page
    });
  }
  function start() { document.querySelectorAll("[data-next-steps-chooser]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
