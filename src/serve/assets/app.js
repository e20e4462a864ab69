// newsdex search page: progressive enhancement only; every feature works without it.
// - "/" focuses the search box (unless the user is typing in a field).
// - The "Add a filter" inputs suggest values from /api/facets as the user types.
(function () {
  "use strict";

  var box = document.getElementById("q");

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !box) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });

  var inputs = document.querySelectorAll("input[data-facet-field]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = 0;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var prefix = input.value.trim();
        if (prefix === asked || !list) {
          return;
        }
        asked = prefix;
        if (prefix === "") {
          list.replaceChildren();
          return;
        }
        var url = "/api/facets?field=" + encodeURIComponent(input.dataset.facetField) +
          "&prefix=" + encodeURIComponent(prefix) + "&limit=10";
        fetch(url)
          .then(function (response) { return response.ok ? response.json() : { values: [] }; })
          .then(function (body) {
            if (asked !== prefix) {
              return;
            }
            list.replaceChildren.apply(list, body.values.map(function (v) {
              var option = document.createElement("option");
              option.value = v.value;
              option.label = v.count + " paragraphs";
              return option;
            }));
          })
          .catch(function () { /* Suggestions are optional; typing still works. */ });
      }, 150);
    });
  });
})();
