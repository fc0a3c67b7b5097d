// The job page: polls the job status and shows progress, the retry notice and the video.
(function () {
  const box = document.getElementById("job");
  const finished = ["released", "failed", "rejected", "cancelled", "revoked", "in_review", "held"];
  const stageText = {queued: "Waiting for a worker…", rendering: "Rendering frames", sealing: "Watermarking and signing"};
  async function poll() {
    let status;
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}});
      status = await response.json();
    } catch (e) { setTimeout(poll, 2000); return; }
    const state = document.getElementById("job-state");
    state.textContent = status.state_label;
    state.className = "state " + status.state;
    const progressBox = document.getElementById("progress-box");
    progressBox.hidden = !["queued", "rendering", "sealing"].includes(status.state);
    document.getElementById("job-progress").value = status.progress.fraction;
    const text = stageText[status.state] || "";
    document.getElementById("progress-text").textContent = status.progress.total
      ? `${text}: ${status.progress.done} of ${status.progress.total}` : text;
    const retry = document.getElementById("job-retry");
    retry.textContent = status.retry_notice || "";
    retry.hidden = !status.retry_notice;
    if (status.failure_reason) {
      const error = document.getElementById("job-error");
      error.textContent = status.failure_reason; error.hidden = false;
    }
    if (status.video_url) {
      const video = document.getElementById("job-video");
      if (!video.getAttribute("src")) {
        if (status.poster_url) { video.poster = status.poster_url; }
        video.src = status.video_url;
      }
      document.getElementById("download-link").href = status.video_url;
      document.getElementById("video-box").hidden = false;
      const cancel = document.getElementById("cancel-form"); if (cancel) cancel.hidden = true;
    }
    if (finished.includes(status.state)) {
      const cancel = document.getElementById("cancel-form"); if (cancel) cancel.hidden = true;
      return;
    }
    setTimeout(poll, 500);
  }
  poll();
})();
