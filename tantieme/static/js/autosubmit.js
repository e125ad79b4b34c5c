// Submits the hand-over form to the bank's payment page as soon as the page is read.
// Without JavaScript the form's own button does the same (CSP: script-src 'self', no inline script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var forms = document.querySelectorAll("form[data-autosubmit]");
  for (var i = 0; i < forms.length; i += 1) {
    forms[i].submit();
  }
});
