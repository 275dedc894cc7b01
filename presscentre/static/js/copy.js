/*
 * Copy buttons. A button written as
 *   <button type="button" data-copy-from="ID" data-copy-status="STATUS-ID" hidden>Copy ...</button>
 * copies the value of the element ID (an input or textarea) or its text (anything else) to the clipboard,
 * and says so in the live region STATUS-ID. Buttons stay hidden where the clipboard cannot be written
 * (no script, an insecure origin, an old browser): each page offers another way to the same text.
 */
(function () {
  "use strict";

  if (!window.isSecureContext || !navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }

  function textOf(source) {
    return "value" in source && typeof source.value === "string" ? source.value : source.textContent;
  }

  function say(status, message) {
    if (!status) {
      return;
    }
    // Emptied first, so a second copy of the same text is announced again.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function enable(button) {
    var source = document.getElementById(button.dataset.copyFrom);
    if (!source) {
      return;
    }
    var status = document.getElementById(button.dataset.copyStatus || "");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(textOf(source)).then(
        function () {
          button.dataset.copied = "true";
          say(status, button.dataset.copyDone || "Copied to the clipboard.");
        },
        function () {
          say(status, "Your browser did not allow copying: select the text and copy it yourself.");
        }
      );
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-from]"), enable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
