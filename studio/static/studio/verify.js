// The verify form says it is working while a file is sent and checked (a long video takes a
// while on a slow line, and the page otherwise looked idle), and a second click cannot send the
// same file twice. The form is still posted by the browser, so the answer is the server's page.
(function () {
  const form = document.getElementById("verify-form");
  if (!form) return;
  const button = document.getElementById("verify-submit");
  const box = document.getElementById("verify-busy");
  form.addEventListener("submit", (event) => {
    if (button.disabled) { event.preventDefault(); return; }
    button.disabled = true;
    box.hidden = false;
  });
  // Back from the answer, the page may come from the browser's cache as it was left.
  window.addEventListener("pageshow", () => { button.disabled = false; box.hidden = true; });
})();
