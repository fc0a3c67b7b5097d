// Enrolment: take a selfie with the webcam and send it. Texts come translated from data-text-*.
(function () {
  const card = document.getElementById("enrol-card");
  const video = document.getElementById("camera");
  const take = document.getElementById("take-selfie");
  const error = document.getElementById("enrol-error");
  document.getElementById("start-camera").addEventListener("click", async () => {
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}, audio: false});
      take.disabled = false;
    } catch (e) { error.textContent = card.dataset.textCameraFailed + " (" + e.name + ")"; error.hidden = false; }
  });
  take.addEventListener("click", async () => {
    const canvas = document.getElementById("snapshot");
    canvas.width = video.videoWidth || 640; canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const data = new FormData(document.getElementById("upload-form"));
    data.set("selfie", blob, "selfie.png");
    take.disabled = true; take.textContent = card.dataset.textChecking;
    const response = await fetch("", {method: "POST", body: data, headers: {"Accept": "application/json"}});
    const body = await response.json();
    if (response.ok) { window.location = body.next; return; }
    error.textContent = body.error.message; error.hidden = false;
    take.disabled = false; take.textContent = card.dataset.textTake;
  });
})();
