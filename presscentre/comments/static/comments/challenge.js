// Readers without JavaScript answer the question in words; with it, the ALTCHA widget solves a proof of work
// instead, so the question is hidden once the widget is running (and shown again if the widget fails).
(function () {
  "use strict";
  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle || !window.customElements) {
    return;
  }
  window.customElements.whenDefined("altcha-widget").then(function () {
    document.querySelectorAll("form.comment-form").forEach(function (form) {
      var question = form.querySelector("[data-comment-question]");
      var widget = form.querySelector("altcha-widget");
      if (!question || !widget) {
        return;
      }
      question.hidden = true;
      widget.addEventListener("statechange", function (event) {
        if (event.detail && event.detail.state === "error") {
          question.hidden = false;
        }
      });
    });
  });
})();
