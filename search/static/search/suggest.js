// As-you-type suggestions for the search box: fills the <datalist> the input points to.
// A native datalist keeps keyboard and screen-reader behaviour to the browser.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { pages: [], terms: [] }; })
        .then(function (data) {
          while (list.firstChild) list.removeChild(list.firstChild);
          var seen = {};
          data.terms.concat(data.pages.map(function (p) { return p.title; })).forEach(function (value) {
            if (seen[value]) return;
            seen[value] = true;
            var option = document.createElement("option");
            option.value = value;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a nicety; the form still works */ });
    }, 150);
  });
})();
