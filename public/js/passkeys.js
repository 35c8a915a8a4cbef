// Passkeys (WebAuthn), progressive enhancement only: the passkey widgets are `hidden` in the HTML
// and shown here only when the browser can use passkeys; password and code work without this file.
// Our own small script (no library, nothing from another origin): it asks the server for options,
// calls navigator.credentials.create/get, and sends the answer back as JSON, converting the binary
// fields to and from base64url as @simplewebauthn/server expects.
(function () {
  'use strict';

  var widgets = document.querySelectorAll('[data-passkey]');
  if (widgets.length === 0) return;
  if (!window.PublicKeyCredential || !window.navigator.credentials) return;

  // --- base64url <-> ArrayBuffer --------------------------------------------------------------
  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    var padded = base64 + '==='.slice((base64.length + 3) % 4);
    var binary = window.atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return window.btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function withBufferIds(list) {
    return (list || []).map(function (descriptor) {
      var copy = Object.assign({}, descriptor);
      copy.id = toBuffer(descriptor.id);
      return copy;
    });
  }

  // --- options (JSON from the server) -> what the browser API takes ----------------------------
  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = withBufferIds(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    if (json.allowCredentials) options.allowCredentials = withBufferIds(json.allowCredentials);
    return options;
  }

  // --- the browser's answer -> JSON for the server ----------------------------------------------
  function registrationJson(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
      },
    };
  }

  function authenticationJson(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined,
      },
    };
  }

  // --- talking to the server ---------------------------------------------------------------------
  function postJson(url, body) {
    return window
      .fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw { serverMessage: data && data.error, field: data && data.field };
          return data;
        });
      });
  }

  function setUp(widget) {
    var kind = widget.getAttribute('data-passkey');
    var errorBox = widget.querySelector('[data-passkey-error]');
    var errorText = widget.querySelector('[data-passkey-error-text]');
    var nameInput = widget.querySelector('input[name="name"]');
    var busy = false;

    function showError(message) {
      errorText.textContent = message;
      errorBox.hidden = false;
    }

    function fail(problem) {
      busy = false;
      var cancelled = problem && (problem.name === 'NotAllowedError' || problem.name === 'AbortError');
      var message =
        (problem && problem.serverMessage) ||
        widget.getAttribute(cancelled ? 'data-passkey-cancelled' : 'data-passkey-failed');
      showError(message);
      if (nameInput && problem && problem.field === 'name') {
        nameInput.setAttribute('aria-invalid', 'true');
        nameInput.focus();
      }
    }

    function run() {
      if (busy) return;
      busy = true;
      errorBox.hidden = true;
      if (nameInput) nameInput.removeAttribute('aria-invalid');
      var body = { _csrf: widget.getAttribute('data-passkey-csrf') };
      if (nameInput) body.name = nameInput.value;
      postJson(widget.getAttribute('data-passkey-options'), body)
        .then(function (data) {
          return kind === 'register'
            ? window.navigator.credentials
                .create({ publicKey: creationOptions(data.options) })
                .then(registrationJson)
            : window.navigator.credentials
                .get({ publicKey: requestOptions(data.options) })
                .then(authenticationJson);
        })
        .then(function (answer) {
          body.response = answer;
          return postJson(widget.getAttribute('data-passkey-verify'), body);
        })
        .then(function (result) {
          location.assign(result.redirect);
        })
        .catch(fail);
    }

    if (kind === 'register') {
      widget.addEventListener('submit', function (event) {
        event.preventDefault();
        run();
      });
    } else {
      var button = widget.querySelector('[data-passkey-start]');
      if (button) button.addEventListener('click', run);
    }
    widget.hidden = false;
    var unsupported = widget.parentNode.querySelector('[data-passkey-unsupported]');
    if (unsupported) unsupported.hidden = true;
  }

  for (var i = 0; i < widgets.length; i++) setUp(widgets[i]);
})();
