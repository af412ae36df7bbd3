// As-you-type suggestions for every search box with data-suggest-url (the header's
// and the search page's): a WAI-ARIA combobox (APG "list autocomplete") over the
// suggestions endpoint. Pages open directly; words complete the query and search.
// Without this script the box is a plain search form, and it still works.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelectorAll) return;

  var DELAY = 150; // ms of quiet typing before asking the server

  function setUp(input) {
    var form = input.form;
    var data = input.dataset;
    var listId = input.id + "-suggesties";
    var listbox = document.createElement("div");
    listbox.id = listId;
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", data.suggestLabel);
    listbox.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(listbox);
    input.parentNode.appendChild(status);
    input.parentNode.classList.add("suggest-host");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = [];
    var active = -1;
    var timer = null;
    var asked = "";
    var sequence = 0;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      activate(-1);
    }

    function open() {
      if (!options.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function activate(index) {
      if (options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function group(label, key) {
      var box = document.createElement("div");
      box.setAttribute("role", "group");
      box.setAttribute("aria-labelledby", listId + "-" + key);
      var heading = document.createElement("div");
      heading.id = listId + "-" + key;
      heading.className = "suggestions__heading";
      heading.setAttribute("role", "presentation");
      heading.textContent = label;
      box.appendChild(heading);
      listbox.appendChild(box);
      return box;
    }

    function option(parent, text, chosen, kind) {
      var item = document.createElement("div");
      item.id = listId + "-" + options.length;
      item.className = "suggestions__option suggestions__option--" + kind;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = text;
      // mousedown would move the focus out of the box before the click lands.
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", chosen);
      parent.appendChild(item);
      options.push(item);
    }

    function withTerm(term) {
      // The completed word replaces the word being typed; earlier words stay.
      return input.value.replace(/[^\s]*$/, term);
    }

    function show(result) {
      // A newer answer can arrive while the visitor is choosing with the arrow keys:
      // the option they are on stays chosen if the new list has it too.
      var chosenText = options[active] ? options[active].textContent : null;
      listbox.textContent = "";
      options = [];
      active = -1;
      if (result.pages.length) {
        var pages = group(data.suggestPages, "paginas");
        result.pages.forEach(function (page) {
          option(pages, page.title, function () { window.location.assign(page.url); }, "page");
        });
      }
      // A completion that is just what was typed adds nothing: Enter searches that.
      var typed = input.value.trim().toLowerCase();
      var words = result.terms.filter(function (term) { return withTerm(term).trim().toLowerCase() !== typed; });
      if (words.length) {
        var terms = group(data.suggestTerms, "woorden");
        words.forEach(function (term) {
          option(terms, withTerm(term), function () {
            input.value = withTerm(term);
            close();
            form.submit();
          }, "term");
        });
      }
      if (options.length) {
        status.textContent = (options.length === 1 ? data.suggestOne : data.suggestMany)
          .replace("{n}", options.length);
        open();
        if (chosenText !== null) {
          activate(options.findIndex(function (item) { return item.textContent === chosenText; }));
        }
      } else {
        status.textContent = "";
        close();
      }
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < 2) {
        asked = q;
        show({ pages: [], terms: [] });
        return;
      }
      if (q === asked) {
        open();
        return;
      }
      asked = q;
      var mine = ++sequence;
      fetch(data.suggestUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { pages: [], terms: [] }; })
        .then(function (result) {
          // An answer to an older question arrives late: keep the newer one.
          if (mine === sequence && document.activeElement === input) show(result);
        })
        .catch(function () { /* suggestions are a nicety; the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!expanded) {
            open();
            if (options.length) activate(0);
          } else {
            activate((active + 1) % options.length);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!expanded) {
            open();
            if (options.length) activate(options.length - 1);
          } else {
            activate(active <= 0 ? options.length - 1 : active - 1);
          }
          break;
        case "Enter":
          if (expanded && options[active]) {
            event.preventDefault();
            options[active].click();
          }
          break;
        case "Escape":
          if (expanded) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () { close(); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest-url]"), setUp);
})();
