// The residents' report pages (/signaler, /suivi). Nothing here talks to anyone but this site, and
// every request it makes is sent without cookies.
//
// - "Quitter rapidement" leaves for a blank page, replacing this one in the history.
// - The receipt page's "Copier" and "Imprimer" buttons.
// - The report form: commune suggestions (names and codes, posted to /signaler/communes), then on
//   submit: each photo redrawn in a canvas, which keeps the pixels and drops the hidden data (GPS
//   position, device); the anti-robot proof of work solved; and the form posted as usual.
//
// The proof of work matches crates/vigie-reports/src/pow.rs: find the smallest integer n such that
// SHA-256 of the ASCII text "{nonce}:{n}" starts with at least `bits` zero bits, where the nonce is
// the first dot-separated part of the token. WebCrypto does the hashing; where it is missing (a page
// served over plain HTTP), a small SHA-256 written below does.
(function () {
  'use strict';

  var each = function (selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  };

  // ---- Leave quickly.
  each('[data-quitter]', function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.location.replace('about:blank');
    });
  });

  // ---- Receipt: copy and print.
  function selectAndCopy(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand('copy');
    } catch (error) {
      return false;
    }
  }

  each('[data-copier]', function (button) {
    var target = document.getElementById(button.getAttribute('data-copier'));
    var status = document.getElementById(button.getAttribute('data-copier') + '-copie');
    if (!target) { return; }
    var say = function (text) { if (status) { status.textContent = text; } };
    button.hidden = false;
    button.addEventListener('click', function () {
      var text = target.textContent.trim();
      var fallback = function () {
        if (selectAndCopy(target)) {
          say('Code copié.');
        } else {
          say('Le code est sélectionné : copiez-le avec le menu de votre appareil.');
        }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { say('Code copié.'); }, fallback);
      } else {
        fallback();
      }
    });
  });

  each('[data-imprimer]', function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  var form = document.getElementById('formulaire-signalement');
  if (!form) { return; }

  // ---- Commune suggestions: the hidden field takes the INSEE code of the commune chosen in the list,
  // and is emptied as soon as the text no longer names it.
  (function () {
    var input = document.getElementById('signaler-commune');
    var code = document.getElementById('signaler-commune-code');
    var list = document.getElementById('signaler-communes');
    var url = form.getAttribute('data-communes');
    if (!input || !code || !list || !url || !window.fetch) { return; }
    var known = {};
    var timer = null;
    var last = '';
    var has = function (label) { return Object.prototype.hasOwnProperty.call(known, label); };

    function search(query) {
      if (query === last) { return; }
      last = query;
      fetch(url, {
        method: 'POST',
        credentials: 'omit',
        cache: 'no-store',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ q: query })
      })
        .then(function (response) { return response.ok ? response.json() : { communes: [] }; })
        .then(function (body) {
          if (input.value.trim() !== query) { return; }
          list.textContent = '';
          (body.communes || []).forEach(function (commune) {
            known[commune.label] = commune.code;
            var option = document.createElement('option');
            option.value = commune.label;
            if (commune.postcodes && commune.postcodes.length) {
              option.textContent = commune.postcodes.slice(0, 4).join(', ');
            }
            list.appendChild(option);
          });
          if (has(input.value)) { code.value = known[input.value]; }
        })
        .catch(function () { last = ''; });
    }

    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      if (has(input.value)) {
        code.value = known[input.value];
        return;
      }
      code.value = '';
      var query = input.value.trim();
      if (query.length < 2) { return; }
      timer = window.setTimeout(function () { search(query); }, 200);
    });
  })();

  // ---- Photos: at most `data-max`, each redrawn without its metadata.
  var photos = document.getElementById('signaler-photos');
  var MAX_SIDE = 2048;

  function photoMessage(text) {
    var messages = document.getElementById('signaler-photos-messages');
    if (!messages) { return; }
    messages.textContent = '';
    if (text) {
      var p = document.createElement('p');
      p.className = 'fr-message fr-message--info';
      p.textContent = text;
      messages.appendChild(p);
    }
  }

  function setFiles(files) {
    if (!window.DataTransfer) { return false; }
    try {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      photos.files = transfer.files;
      return true;
    } catch (error) {
      return false;
    }
  }

  if (photos) {
    photos.addEventListener('change', function () {
      var max = parseInt(photos.getAttribute('data-max'), 10) || 3;
      var files = Array.prototype.slice.call(photos.files || []);
      if (files.length > max && setFiles(files.slice(0, max))) {
        photoMessage('Vous avez choisi ' + files.length + ' photos : seules les ' + max + ' premières seront envoyées.');
      } else {
        photoMessage('');
      }
    });
  }

  function redraw(file, index) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return window.createImageBitmap(file, { imageOrientation: 'from-image' })
      .then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        var context = canvas.getContext('2d');
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        if (bitmap.close) { bitmap.close(); }
        return new Promise(function (resolve) {
          canvas.toBlob(function (blob) {
            // A neutral name: the phone's file name can say when and on what it was taken.
            resolve(blob ? new File([blob], 'photo-' + (index + 1) + '.jpg', { type: 'image/jpeg' }) : file);
          }, 'image/jpeg', 0.9);
        });
      })
      .catch(function () { return file; });
  }

  function stripPhotos() {
    if (!photos || !photos.files || photos.files.length === 0 || !window.DataTransfer) {
      return Promise.resolve();
    }
    var files = Array.prototype.slice.call(photos.files);
    return Promise.all(files.map(redraw)).then(function (clean) { setFiles(clean); });
  }

  // ---- Proof of work.
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 of a byte array (FIPS 180-4), for browsers without WebCrypto.
  function sha256(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var length = bytes.length;
    var padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length << 3) >>> 0);
    var w = new Int32Array(64);
    for (var offset = 0; offset < padded.length; offset += 64) {
      var i;
      for (i = 0; i < 16; i++) { w[i] = view.getUint32(offset + 4 * i); }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15];
        var y = w[i - 2];
        var s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
        var s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (var j = 0; j < 8; j++) { outView.setUint32(4 * j, h[j] >>> 0); }
    return out;
  }

  function zeroBits(hash) {
    var count = 0;
    for (var i = 0; i < hash.length; i++) {
      if (hash[i] !== 0) { return count + Math.clz32(hash[i]) - 24; }
      count += 8;
    }
    return count;
  }

  // Resolves with the smallest solution, trying numbers in batches from 0.
  function solve(nonce, bits) {
    var encoder = new TextEncoder();
    var subtle = window.crypto && window.crypto.subtle;
    var size = subtle ? 512 : 4096;
    function batch(start) {
      var hashes = [];
      for (var n = start; n < start + size; n++) {
        var data = encoder.encode(nonce + ':' + n);
        hashes.push(subtle ? subtle.digest('SHA-256', data) : sha256(data));
      }
      return Promise.all(hashes).then(function (results) {
        for (var i = 0; i < results.length; i++) {
          if (zeroBits(new Uint8Array(results[i])) >= bits) { return start + i; }
        }
        // Yield to the page between batches (the status message stays responsive).
        return new Promise(function (resolve) { window.setTimeout(resolve, 0); })
          .then(function () { return batch(start + size); });
      });
    }
    return batch(0);
  }

  var token = document.getElementById('signaler-jeton');
  var bitsInput = document.getElementById('signaler-bits');
  var solution = document.getElementById('signaler-solution');
  var button = document.getElementById('signaler-bouton');
  var status = document.getElementById('signaler-etat');
  var loadedAt = Date.now();
  // Challenges live ten minutes: past eight, ask for a fresh one rather than be refused.
  var FRESH_FOR_MS = 8 * 60 * 1000;
  var sending = false;

  function say(text, kind) {
    if (!status) { return; }
    status.textContent = '';
    if (!text) { return; }
    var box = document.createElement('div');
    box.className = 'fr-alert fr-alert--sm fr-alert--' + (kind || 'info') + ' fr-mt-2w';
    var p = document.createElement('p');
    p.textContent = text;
    box.appendChild(p);
    status.appendChild(box);
  }

  function freshChallenge() {
    var url = form.getAttribute('data-defi');
    if (Date.now() - loadedAt < FRESH_FOR_MS || !url || !window.fetch) { return Promise.resolve(); }
    return fetch(url, { credentials: 'omit', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (challenge) {
        if (challenge && challenge.token && typeof challenge.bits === 'number') {
          token.value = challenge.token;
          bitsInput.value = String(challenge.bits);
          loadedAt = Date.now();
        }
      })
      .catch(function () {});
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (sending || !token || !solution) { return; }
    if (!window.TextEncoder || !window.Promise) {
      say('Votre navigateur est trop ancien pour la vérification anti-robot : essayez avec un autre navigateur.', 'error');
      return;
    }
    sending = true;
    if (button) { button.disabled = true; }
    var hasPhotos = photos && photos.files && photos.files.length > 0;
    say(hasPhotos ? 'Préparation des photos (retrait des données cachées)…' : 'Vérification anti-robot en cours…');
    freshChallenge()
      .then(stripPhotos)
      .then(function () {
        say('Vérification anti-robot en cours…');
        var nonce = token.value.split('.')[0];
        var bits = parseInt(bitsInput.value, 10) || 0;
        return solve(nonce, bits);
      })
      .then(function (n) {
        solution.value = String(n);
        say('Envoi en cours…');
        form.submit();
      })
      .catch(function () {
        sending = false;
        if (button) { button.disabled = false; }
        say("La vérification anti-robot n'a pas abouti : réessayez.", 'error');
      });
  });
})();
