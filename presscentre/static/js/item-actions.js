/* Print and copy-link buttons on item pages. Without JavaScript they stay hidden; the links beside them still work. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    var status = button.parentElement.querySelector(".copy-status");
    function say(message) {
      if (status) {
        status.textContent = message;
      }
    }
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(
        function () {
          say("Link copied.");
        },
        function () {
          say("Could not copy: select the address bar and copy it instead.");
        }
      );
    });
  });
})();
