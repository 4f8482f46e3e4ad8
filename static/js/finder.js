// Progressive enhancement for the finder: without this file everything works with the
// Apply/Sort buttons. With it, filters apply as they change, the results and counts update in
// place (announced through the role="status" result count), and the URL stays shareable.
(function () {
  "use strict";
  var form = document.getElementById("finder");
  var panel = document.getElementById("filter-panel");
  if (!form || !panel || !window.fetch || !window.DOMParser) { return; }

  var narrow = window.matchMedia("(max-width: 48rem)");
  var summary = panel.querySelector("summary");
  // Wide screens always show the filters: the summary is then a heading, not a control.
  function fitPanel() {
    if (narrow.matches) {
      summary.removeAttribute("tabindex");
    } else {
      panel.setAttribute("open", "");
      summary.setAttribute("tabindex", "-1");
    }
  }
  if (narrow.matches) { panel.removeAttribute("open"); }
  fitPanel();
  narrow.addEventListener("change", fitPanel);
  summary.addEventListener("click", function (event) {
    if (!narrow.matches) { event.preventDefault(); }
  });

  var pending = null;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    var query = params.toString();
    var url = form.getAttribute("action") + (query ? "?" + query : "");
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (response) {
        if (response.redirected || !response.ok) { window.location.assign(response.url); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var results = page.getElementById("results");
        if (!results) { window.location.assign(url); return; }
        // Keep the result count element (the live region) and change only its text.
        var count = document.getElementById("result-count");
        var newCount = results.querySelector("#result-count");
        var sort = document.getElementById("id_sort");
        var sortValue = sort ? sort.value : null;
        // Copy the live HTMLCollection first: removing from it while iterating skips elements.
        Array.prototype.slice.call(document.getElementById("results").children).forEach(function (child) {
          if (!child.classList.contains("results-header")) { child.remove(); }
        });
        Array.prototype.forEach.call(results.children, function (child) {
          if (!child.classList.contains("results-header")) {
            document.getElementById("results").appendChild(document.importNode(child, true));
          }
        });
        if (count && newCount) { count.textContent = newCount.textContent; }
        var newSort = results.querySelector("#id_sort");
        if (sort && newSort) { sort.innerHTML = newSort.innerHTML; sort.value = sortValue; }
        page.querySelectorAll(".facet-count").forEach(function (element) {
          var mine = document.querySelector('.facet-count[data-facet="' + element.dataset.facet + '"]');
          if (mine) { mine.textContent = element.textContent; }
        });
        var toggle = page.querySelector(".filter-toggle-count");
        var myToggle = document.querySelector(".filter-toggle-count");
        if (toggle && myToggle) { myToggle.textContent = toggle.textContent; }
        document.title = page.title;
        window.history.replaceState(null, "", url);
        // "Add to my shortlist" comes back to the page as it now is.
        var next = document.querySelector('#shortlist-form input[name="next"]');
        if (next) { next.value = url; }
        // The language switcher too: each form opens this same list in its language.
        var query = url.split("?")[1];
        document.querySelectorAll(".language-next").forEach(function (input) {
          input.value = input.value.split("?")[0] + (query ? "?" + query : "");
        });
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { window.location.assign(url); }
      });
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target.id === "id_sort") { refresh(); }
  });
})();
