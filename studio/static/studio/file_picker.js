// The browser words its own file input ("Choose File", "No file chosen") in the browser's
// language, not the page's: a creator who switched Signet to German still read English there.
// Each file input gets the page's words drawn under it; the real input stays on top (invisible),
// so clicks, drops, keyboard focus, "required" and screen readers all still reach the browser's
// own control. Without JavaScript the native input shows as before. Texts come from <body>.
(function () {
  "use strict";
  var words = document.body.dataset;

  function chosenNames(input) {
    return Array.prototype.map.call(input.files || [], function (file) { return file.name; });
  }

  function enhance(input) {
    var picker = document.createElement("span");
    picker.className = "file-picker";
    var button = document.createElement("span");
    button.className = "file-picker-button";
    button.textContent = words.fileChoose;
    var name = document.createElement("span");
    name.className = "file-picker-name";
    picker.setAttribute("aria-hidden", "true");
    input.parentNode.insertBefore(picker, input);
    picker.appendChild(button);
    picker.appendChild(name);
    // The input moves inside the picker, after the drawn words, so it covers them.
    var wrapper = document.createElement("span");
    wrapper.className = "file-picker-field";
    picker.parentNode.insertBefore(wrapper, picker);
    wrapper.appendChild(picker);
    wrapper.appendChild(input);

    function show() {
      var names = chosenNames(input);
      name.textContent = names.length ? names.join(", ") : words.fileNone;
      picker.classList.toggle("chosen", names.length > 0);
    }
    input.addEventListener("change", show);
    input.addEventListener("dragenter", function () { wrapper.classList.add("dragging"); });
    ["dragleave", "drop"].forEach(function (type) {
      input.addEventListener(type, function () { wrapper.classList.remove("dragging"); });
    });
    // A page restored from the back/forward cache keeps the chosen file; show its name.
    window.addEventListener("pageshow", show);
    show();
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=file]"), enhance);
})();
