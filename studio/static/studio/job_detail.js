// The job page: polls the job status and shows progress, a hold's reason, the retry notice and the
// video. Held and in-review jobs are still polled (slowly), so a moderator's decision shows up
// without a reload; only final states stop the polling. Texts come translated from data-text-*.
(function () {
  const box = document.getElementById("job");
  const finished = ["released", "failed", "rejected", "cancelled", "revoked"];
  const waiting = ["held", "in_review"];
  const stageText = {queued: box.dataset.textQueued, rendering: box.dataset.textRendering, sealing: box.dataset.textSealing};
  function show(id, text) {
    const element = document.getElementById(id);
    if (!element) { return; }
    element.textContent = text || ""; element.hidden = !text;
  }
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
      ? `${text}: ${status.progress.done} ${box.dataset.textOf} ${status.progress.total}` : text;
    show("job-error", status.failure_reason);
    show("job-hold", status.hold_reason);
    show("job-retry", status.retry_notice);
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
    setTimeout(poll, waiting.includes(status.state) ? 3000 : 500);
  }
  poll();
})();
