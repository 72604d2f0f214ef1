(function () {
  "use strict";
  var form = document.getElementById("passkey-form");
  var button = document.getElementById("passkey-button");
  if (!form || !button || !window.PublicKeyCredential || !navigator.credentials) { return; }
  function bytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
  }
  function text(buffer) {
    var s = "";
    new Uint8Array(buffer).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var options = JSON.parse(form.getAttribute("data-options"));
    options.challenge = bytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = bytes(c.id); });
    navigator.credentials.get({ publicKey: options }).then(function (credential) {
      var r = credential.response;
      form.elements.credential.value = JSON.stringify({
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
        response: {
          authenticatorData: text(r.authenticatorData),
          clientDataJSON: text(r.clientDataJSON),
          signature: text(r.signature),
          userHandle: r.userHandle ? text(r.userHandle) : null
        }
      });
      form.submit();
    }, function () {
      document.getElementById("passkey-failed").hidden = false;
    });
  });
}());
