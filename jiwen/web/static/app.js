// jiwen serve: the app's only script (Content-Security-Policy: script-src 'self').
// It adds conveniences; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The sort menu applies at once.
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The legend shows or hides one kind of fact in the body.
  document.querySelectorAll("button.legend-item").forEach(function (button) {
    button.addEventListener("click", function () {
      var kind = button.getAttribute("data-kind");
      button.classList.toggle("off");
      document.body.classList.toggle("hide-" + kind);
    });
  });
});
