// Copy buttons: <button data-copy="text">. Progressive enhancement: without scripts the text
// stays visible and selectable next to the button, which is hidden until this file runs.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = button.getAttribute("data-copied") || "Copié";
      var label = button.textContent;
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = done;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
