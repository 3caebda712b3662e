// The LTI pages' few steps that need a script; each page works without it, more slowly.
// No inline script: the site's Content-Security-Policy allows only files from this site.
(function () {
  "use strict";

  // LTI client-side postMessage storage: the platform keeps a value for this browser when
  // the tool's cookies are blocked in the course's frame.
  function storageFrame(target) {
    if (target === "_parent") return window.parent;
    try {
      return window.parent.frames[target] || window.parent;
    } catch (e) {
      return window.parent;
    }
  }

  function ask(element, message, done) {
    var id = "quizapp-" + Math.random().toString(36).slice(2);
    var origin = element.dataset.origin;
    message.message_id = id;
    function listen(event) {
      if (event.origin !== origin || !event.data || event.data.message_id !== id) return;
      window.removeEventListener("message", listen);
      done(event.data.error ? null : event.data);
    }
    window.addEventListener("message", listen);
    storageFrame(element.dataset.target).postMessage(message, origin);
    window.setTimeout(function () {
      window.removeEventListener("message", listen);
      done(null);
    }, 3000);
  }

  var put = document.getElementById("lti-storage-put");
  if (put) {
    ask(put, { subject: "lti.put_data", key: put.dataset.key, value: put.dataset.value },
      function () { window.location.assign(put.dataset.next); });
  }

  var get = document.getElementById("lti-storage-get");
  if (get) {
    ask(get, { subject: "lti.get_data", key: get.dataset.key }, function (answer) {
      if (answer && answer.value) {
        get.elements.storage_secret.value = answer.value;
        get.submit();
      } else {
        document.getElementById("lti-storage-status").textContent =
          "Your browser blocks this step here. Open the activity from your course in a new window.";
      }
    });
  }

  // Deep linking: the answer goes back to the course without a click.
  var deepLink = document.getElementById("lti-deep-link");
  if (deepLink) deepLink.submit();

  // Dynamic Registration: tell the LMS that registration is done (it closes this window).
  if (document.getElementById("lti-registered")) {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
