// The portal's menu on a phone: a disclosure button (aria-expanded, aria-controls) that shows or
// hides the list. Progressive enhancement: without this file the button stays hidden (CSS) and the
// list is shown as a plain wrapped list; from 900 px the list is a sidebar and the button hidden.
(function () {
  "use strict";
  document.querySelectorAll("[data-disclosure-menu]").forEach(function (nav) {
    var button = nav.querySelector(".menu__toggle");
    var list = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !list) {
      return;
    }
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("menu--open", open);
    }
    nav.classList.add("menu--enhanced");
    set(false);
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button.
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  });
})();
