// Saves the intake step to the server draft every few seconds while it changes,
// so nothing typed is lost on a time-out or lost connection. No inline script (CSP).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-autosave-url");
  var seconds = parseInt(form.getAttribute("data-autosave-seconds"), 10) || 20;
  var status = document.getElementById("autosave-status");
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  function save() {
    if (!dirty) { return; }
    dirty = false;
    var data = new FormData(form);
    data.delete("attachment"); // files are sent with the step itself, not every few seconds
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (status) {
        status.textContent = response.ok ? form.getAttribute("data-saved-text") || "Concept opgeslagen." : "";
      }
      if (!response.ok) { dirty = true; }
    }).catch(function () { dirty = true; });
  }
  window.setInterval(save, seconds * 1000);
})();
