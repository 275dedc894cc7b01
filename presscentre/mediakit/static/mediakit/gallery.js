/* The gallery's lightbox: a modal <dialog> showing the larger picture with its caption and credit.
   Keyboard: Enter on a thumbnail opens it, the arrow keys or the buttons step, Escape or Close shuts it and focus
   returns to the thumbnail. Without JavaScript (or <dialog>) the thumbnails stay plain links to the larger picture. */
(function () {
  "use strict";

  var dialog = document.querySelector("[data-lightbox-dialog]");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var image = dialog.querySelector("[data-lightbox-image]");
  var caption = dialog.querySelector("[data-lightbox-caption]");
  var credit = dialog.querySelector("[data-lightbox-credit]");
  var position = dialog.querySelector("[data-lightbox-position]");
  var previous = dialog.querySelector("[data-lightbox-previous]");
  var next = dialog.querySelector("[data-lightbox-next]");
  var close = dialog.querySelector("[data-lightbox-close]");
  var links = [];
  var current = 0;
  var opener = null;

  function show(index) {
    current = (index + links.length) % links.length;
    var link = links[current];
    var thumbnail = link.querySelector("img");
    image.src = link.getAttribute("href");
    image.width = Number(link.getAttribute("data-width")) || 0;
    image.height = Number(link.getAttribute("data-height")) || 0;
    image.alt = thumbnail ? thumbnail.alt : "";
    caption.textContent = link.getAttribute("data-caption") || "";
    var creditText = link.getAttribute("data-credit");
    credit.textContent = creditText ? "Credit: " + creditText : "";
    position.textContent = "Picture " + (current + 1) + " of " + links.length;
    var single = links.length < 2;
    previous.hidden = single;
    next.hidden = single;
  }

  function open(link) {
    var gallery = link.closest("[data-gallery]") || document;
    links = Array.prototype.slice.call(gallery.querySelectorAll("a[data-lightbox]"));
    opener = link;
    show(links.indexOf(link));
    dialog.showModal();
    close.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lightbox]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    open(link);
  });

  previous.addEventListener("click", function () {
    show(current - 1);
  });
  next.addEventListener("click", function () {
    show(current + 1);
  });
  close.addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") {
      event.preventDefault();
      show(current - 1);
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      show(current + 1);
    }
  });
  // A click on the backdrop (the dialog element itself, outside its content) closes it too.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) {
      dialog.close();
    }
  });
  // Escape closes a modal dialog natively; however it closes, focus goes back to the thumbnail that opened it.
  dialog.addEventListener("close", function () {
    image.removeAttribute("src");
    if (opener) {
      opener.focus();
      opener = null;
    }
  });
})();
