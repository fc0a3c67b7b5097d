// Tells the server the browser's time zone (studio/visitor_time_zone.py), so pages show times
// as the visitor's clock reads them. Set on every page, so the first page with times (the
// dashboard, after the login page) already has it.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  // Zone names are cookie-safe ("Europe/Berlin", "Etc/GMT+5"); anything else is left out.
  if (!zone || !/^[A-Za-z0-9_+\/-]+$/.test(zone)) { return; }
  var current = document.cookie.split("; ").filter(function (c) { return c.indexOf("signet_tz=") === 0; })[0];
  if (current === "signet_tz=" + zone) { return; }
  var secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "signet_tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
})();
