// After a form comes back with errors, move focus to the error summary (GOV.UK pattern), so
// keyboard and screen-reader users start from the list of problems.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
