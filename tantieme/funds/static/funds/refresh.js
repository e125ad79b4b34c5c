// Reloads a page that shows a running job (an element with data-refresh-seconds), without inline script (CSP).
(function () {
  "use strict";
  var element = document.querySelector("[data-refresh-seconds]");
  if (!element) {
    return;
  }
  var seconds = parseInt(element.getAttribute("data-refresh-seconds"), 10) || 2;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();
