// Proof of work for the public report form (src/features/intake/proof-of-work.ts; the ALTCHA v2
// scheme, PBKDF2/SHA-256). It starts when the form opens and usually finishes before the first
// question is answered; the answer goes into a hidden field. Without this script, or without Web
// Crypto, the form still works: the server then accepts it a little later after it was handed out.
// Nothing is loaded from anywhere: the work is done with the browser's own Web Crypto, whose calls
// run off the main thread, so the page stays responsive while a few attempts run side by side.
(function () {
  'use strict';

  var form = document.querySelector('[data-report-form]');
  if (!form) return;
  var challengeInput = form.querySelector('input[name="pow_challenge"]');
  var solutionInput = form.querySelector('input[name="pow_solution"]');
  var subtle = window.crypto && window.crypto.subtle;
  if (!challengeInput || !solutionInput || !subtle || !window.Promise || !window.TextEncoder) return;

  var parameters;
  try {
    var base64 = challengeInput.value.replace(/-/g, '+').replace(/_/g, '/');
    parameters = JSON.parse(window.atob(base64)).parameters;
  } catch {
    return;
  }
  if (!parameters || parameters.algorithm !== 'PBKDF2/SHA-256') return;

  var MAX_COUNTER = 0xffffffff;
  var GIVE_UP_MS = 60000;
  var salt = fromHex(parameters.salt);
  var nonce = fromHex(parameters.nonce);
  var prefix = fromHex(parameters.keyPrefix);
  var keyBits = (parameters.keyLength || 32) * 8;
  var lanes = Math.max(1, Math.min(4, window.navigator.hardwareConcurrency || 2));
  var started = Date.now();
  var finished = false;
  var waiters = [];

  function fromHex(hex) {
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  }

  function toHex(bytes) {
    var hex = '';
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return hex;
  }

  function startsWithPrefix(key) {
    for (var i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
    return true;
  }

  // The password is the challenge's nonce followed by the counter as a big-endian 32-bit number.
  function derive(counter) {
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce, 0);
    new DataView(password.buffer).setUint32(nonce.length, counter, false);
    return subtle
      .importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
      .then(function (key) {
        return subtle.deriveBits(
          { name: 'PBKDF2', salt: salt, iterations: parameters.cost, hash: 'SHA-256' },
          key,
          keyBits,
        );
      })
      .then(function (bits) {
        return new Uint8Array(bits);
      });
  }

  function finish(solution) {
    if (finished) return;
    finished = true;
    if (solution) solutionInput.value = solution;
    waiters.forEach(function (wake) {
      wake();
    });
    waiters = [];
  }

  // Each lane tries every `lanes`th counter; the first lane to find the key ends the search.
  function lane(counter) {
    if (finished) return;
    if (counter > MAX_COUNTER || Date.now() - started > GIVE_UP_MS) return finish(null);
    derive(counter).then(
      function (key) {
        if (startsWithPrefix(key)) finish(counter + ':' + toHex(key));
        else lane(counter + lanes);
      },
      function () {
        finish(null);
      },
    );
  }

  for (var i = 0; i < lanes; i++) lane(i);

  // A send pressed before the work is done waits for it (a moment at most), then goes ahead either
  // way. A solution whose challenge ran out is dropped: the form is old enough to go without one.
  form.addEventListener('submit', function (event) {
    if (parameters.expiresAt && Date.now() / 1000 > parameters.expiresAt) solutionInput.value = '';
    if (finished) return;
    event.preventDefault();
    var sent = false;
    var send = function () {
      if (sent) return;
      sent = true;
      form.submit();
    };
    waiters.push(send);
    setTimeout(send, 10000);
  });
})();
