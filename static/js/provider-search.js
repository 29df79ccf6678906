// Suggestions for the organisation box on the browse page. Without this file the box still
// works: the server matches the name, or part of it, that was typed.
(function () {
  "use strict";
  document.querySelectorAll("input[data-provider-search]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-provider-search");
    var timer = null;
    var asked = "";
    if (!list || !url || !window.fetch) { return; }
    function suggest() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) { return; }
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (input.value.trim() !== text) { return; }  // an older answer: the box moved on
          list.replaceChildren();
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.title;
            list.appendChild(option);
          });
        })
        .catch(function () { asked = ""; });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 200);
    });
  });
})();
