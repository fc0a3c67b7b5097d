// The new-video form, sent in the background: the chosen files stay chosen when the server
// refuses one of them (a re-rendered page would empty both file fields), the upload shows its
// progress, and a second click cannot send the files twice. Texts come translated from data-text-*.
(function () {
  const form = document.getElementById("job-form");
  if (!form || !window.FormData) return;
  const button = document.getElementById("submit-job");
  const errorBox = document.getElementById("upload-error");
  const box = document.getElementById("upload-box");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");

  function showRefusal(error) {
    errorBox.textContent = error.message; errorBox.hidden = false;
    for (const [name, messages] of Object.entries(error.fields || {})) {
      const list = document.createElement("ul"); list.className = "errorlist";
      for (const message of messages) {
        const item = document.createElement("li"); item.textContent = message; list.append(item);
      }
      const place = document.getElementById("errors-" + name);
      if (place) place.replaceChildren(list);
    }
    box.hidden = true; button.disabled = false;
    errorBox.scrollIntoView({block: "nearest"});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true; errorBox.hidden = true;
    for (const place of form.querySelectorAll(".field-errors")) place.replaceChildren();
    bar.value = 0; box.hidden = false;
    status.textContent = form.dataset.textUploading;
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      bar.value = progress.loaded / progress.total;
      status.textContent = form.dataset.textUploading + " " +
        Math.floor(100 * progress.loaded / progress.total) + " %";
    });
    // Sent: the server now checks the photo; an indeterminate bar says it is working.
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); status.textContent = form.dataset.textChecking;
    });
    request.addEventListener("load", () => {
      let answer = null;
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
      if (answer && answer.next) { window.location.assign(answer.next); return; }
      if (answer && answer.error) { showRefusal(answer.error); return; }
      // Not an answer of this form's (a login that expired leads to the login page): go there.
      if (request.status === 200 && request.responseURL) { window.location.assign(request.responseURL); return; }
      showRefusal({message: form.dataset.textFailed + " (" + request.status + ")"});
    });
    request.addEventListener("error", () => showRefusal({message: form.dataset.textFailed}));
    request.send(new FormData(form));
  });
})();
