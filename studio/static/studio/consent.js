// The consent page: a live recording inside the server's challenge. The server reveals the
// actions only when recording starts (POST consent/start/), and each prompt appears at its
// moment; the recording stops by itself when the challenge's time is up. No file upload.
(function () {
  "use strict";
  const script = document.currentScript;
  const text = (name) => script.dataset[name] || "";
  const form = document.getElementById("consent-form");
  const error = document.getElementById("consent-error");
  const status = document.getElementById("recording-status");
  const prompt = document.getElementById("challenge-prompt");
  const startButton = document.getElementById("start-recording");
  const giveButton = document.getElementById("give-consent");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const nonce = document.getElementById("id_nonce").value;
  let recording = null;

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  // This challenge takes no more recordings (a nonce counts once, even when refused): the
  // creator is told why and offered a fresh page, not left with buttons that stay disabled.
  function offerRecordAgain(message) {
    showError(message);
    startButton.disabled = true;
    giveButton.disabled = true;
    giveButton.textContent = text("msgGive");
    document.getElementById("record-again-box").hidden = false;
  }

  async function answerOf(response) {
    try { return await response.json(); } catch (e) { return null; }
  }

  async function revealSteps() {
    const body = new FormData();
    body.set("nonce", nonce);
    const response = await fetch(form.dataset.startUrl, {
      method: "POST",
      body: body,
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"},
    });
    const answer = await answerOf(response);
    if (!response.ok || !answer) throw new Error(answer ? answer.error.message : text("msgUnsent"));
    return answer;
  }

  function schedule(steps, startedAt) {
    steps.forEach((step) => {
      const at = step.reveal_at * 1000 - (performance.now() - startedAt);
      setTimeout(() => {
        prompt.textContent = step.label;
        prompt.dataset.action = step.action;
      }, Math.max(0, at));
      setTimeout(() => {
        if (prompt.dataset.action === step.action) {
          prompt.textContent = "";
          delete prompt.dataset.action;
        }
      }, Math.max(0, at + step.window * 1000));
    });
  }

  startButton.addEventListener("click", async () => {
    error.hidden = true;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: {width: 640, height: 480},
        audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false},
      });
    } catch (e) {
      showError(text("msgCamera"));
      return;
    }
    document.getElementById("camera").srcObject = stream;
    startButton.disabled = true;
    const chunks = [];
    const recorder = new MediaRecorder(stream, {mimeType: "video/webm"});
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => {
      recording = new Blob(chunks, {type: "video/webm"});
      stream.getTracks().forEach((t) => t.stop());
      prompt.textContent = "";
      status.textContent = text("msgRecorded");
      giveButton.disabled = false;
    };
    let challenge;
    try {
      challenge = await revealSteps();
    } catch (e) {
      stream.getTracks().forEach((t) => t.stop());
      offerRecordAgain(e.message);
      return;
    }
    recorder.onstart = () => {
      const startedAt = performance.now();
      schedule(challenge.steps, startedAt);
      setTimeout(() => { if (recorder.state !== "inactive") recorder.stop(); },
                 challenge.seconds * 1000);
    };
    recorder.start(250);
    status.textContent = text("msgRecording");
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!recording) return;
    const data = new FormData(form);
    data.set("recording", recording, "consent.webm");
    giveButton.disabled = true;
    giveButton.textContent = text("msgChecking");
    let response = null;
    try {
      response = await fetch("", {method: "POST", body: data, headers: {"Accept": "application/json"}});
    } catch (e) { /* offline: said below, and the recording is still here to send again */ }
    const body = response ? await answerOf(response) : null;
    if (response && response.ok && body) { window.location = body.next; return; }
    if (body && body.error && body.error.record_again) { offerRecordAgain(body.error.message); return; }
    showError(body && body.error ? body.error.message : text("msgUnsent"));
    giveButton.textContent = text("msgGive");
    giveButton.disabled = false;
  });
})();
