// Web chat client: no framework, no build step. Citizen text is only ever inserted as text nodes.
(function () {
  'use strict';
  var TOKEN_KEY = 'cozum.chat.token';
  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('input');
  var send = document.getElementById('send');
  var attach = document.getElementById('attach');
  var file = document.getElementById('file');
  var locate = document.getElementById('locate');
  /** Longest side of a photo sent from here: scaled down in the browser before it goes. */
  var MAX_SIDE = 1600;
  var lastId = null;
  // Settles once the browser has a session: a message typed before that waits for it.
  var ready = Promise.resolve();
  var shown = {};
  var embedded = document.body.classList.contains('embed');
  // The token is issued by the server and lives in this origin's localStorage (in a frame,
  // browsers partition it by the site around it). It is never taken from the URL or from the page
  // around the chat: no page that frames it may choose, or learn, the session a citizen talks in.
  // Where the browser refuses the frame its storage, the server's session cookie (HttpOnly,
  // Partitioned) keeps the conversation across page loads instead.
  var storage = (function () {
    try { var s = window.localStorage; s.getItem(TOKEN_KEY); return s; } catch (e) { return null; }
  })();
  var token = storage && storage.getItem(TOKEN_KEY);

  // The page's own words in each language (the server wrote them from bot/texts.yaml). Turkish as
  // served; the citizen's language once the server names it; a new visitor's browser language before that.
  var labels = (function () {
    try { return JSON.parse(document.getElementById('labels').textContent) || {}; } catch (e) { return {}; }
  })();
  var language = 'tr';
  var RTL = { ar: true };

  function label(key, fallback) {
    var words = labels[language] || labels.tr || {};
    return words[key] || fallback;
  }

  function useLanguage(code) {
    if (!code || !labels[code]) return;
    // Inside embed.js's panel: its title and buttons follow the citizen's language too.
    if (embedded && window.parent !== window) window.parent.postMessage({ type: 'cozum-chat:language', language: code }, '*');
    if (code === language) return;
    language = code;
    var words = labels[code];
    document.documentElement.lang = code;
    document.documentElement.dir = RTL[code] ? 'rtl' : 'ltr';
    document.title = words.webTitle;
    document.getElementById('title').textContent = words.webTitle;
    document.getElementById('subtitle').textContent = words.webSubtitle;
    document.getElementById('chat').setAttribute('aria-label', words.webChatLabel);
    document.getElementById('input-label').textContent = words.webInputLabel;
    input.setAttribute('placeholder', words.webPlaceholder);
    send.textContent = words.webSend;
    send.setAttribute('aria-label', words.webSend);
    [[attach, words.webAttach], [locate, words.webLocation]].forEach(function (pair) {
      if (!pair[1]) return;
      pair[0].setAttribute('aria-label', pair[1]);
      pair[0].setAttribute('title', pair[1]);
    });
  }

  var browserLanguage = String(navigator.language || '').slice(0, 2).toLowerCase();
  if (browserLanguage !== 'tr') useLanguage(browserLanguage);

  function keepToken(value) {
    if (storage) storage.setItem(TOKEN_KEY, value);
  }

  function api(method, url, body, type) {
    var headers = { 'Content-Type': type || 'application/json' };
    if (token) headers['X-Chat-Session'] = token;
    return fetch(url, { method: method, headers: headers, body: type ? body : body ? JSON.stringify(body) : undefined }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          // The server words its refusals (4xx) for the citizen; anything else is the page's own "offline".
          var error = new Error((response.status < 500 && data.error) || label('webOffline', 'Sunucuya bağlanılamadı. Lütfen biraz sonra tekrar deneyin.'));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  // *kalın* (and an agent's **kalın**) as the assistant writes it, built from text nodes so that
  // nothing the citizen wrote is markup. No lookbehind: older phones' browsers cannot parse it.
  function appendFormatted(parent, text) {
    var parts = String(text).split(/(\*\*[^*\n]+\*\*|\*[^*\n]+\*)/g);
    parts.forEach(function (part) {
      if (/^(\*\*|\*)[^*\n]+\1$/.test(part)) {
        var strong = document.createElement('strong');
        strong.textContent = part.replace(/^\*+|\*+$/g, '');
        parent.appendChild(strong);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  // The citizen's own message is shown at once; when the server's copy arrives it takes that place.
  var pending = [];

  /** What a photo or a pin reads as in the log (the server keeps no words for them). */
  function attachmentText(kind) {
    return kind === 'photo' ? label('webPhoto', '📷 Fotoğraf') : kind === 'pin' ? label('webPin', '📍 Konum') : '';
  }

  function addMessage(from, text, choices, id, attachment) {
    if (id && shown[id]) return;
    if (id) { shown[id] = true; lastId = id; }
    // A photo or pin is matched by its kind: the page's language may have changed since it was sent.
    if (id && from === 'citizen' && pending.length && (attachment ? pending[0].attachment === attachment : pending[0].text === text)) {
      var sent = pending.shift().item;
      sent.setAttribute('data-id', id);
      if (attachment) sent.textContent = text;
      return;
    }
    var item = document.createElement('li');
    item.className = 'msg msg--' + from;
    item.setAttribute('data-from', from);
    // Arabic reads right to left: each bubble takes its direction from its own first letters.
    item.setAttribute('dir', 'auto');
    appendFormatted(item, text);
    if (choices && choices.length) {
      var box = document.createElement('div');
      box.className = 'choices';
      choices.forEach(function (choice, index) {
        var button = document.createElement('button');
        button.type = 'button';
        button.setAttribute('dir', 'auto');
        button.textContent = (index + 1) + '. ' + choice;
        button.addEventListener('click', function () { submit(choice); });
        box.appendChild(button);
      });
      item.appendChild(box);
    }
    if (id) item.setAttribute('data-id', id);
    else if (from === 'citizen') pending.push({ text: text, attachment: attachment, item: item });
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function notice(text) {
    var item = document.createElement('li');
    item.className = 'notice';
    item.textContent = text;
    log.appendChild(item);
  }

  function refresh() {
    // Without storage there is no token to send: the session cookie speaks for this browser.
    if (!token && storage) return Promise.resolve();
    return api('GET', '/api/chat/messages' + (lastId ? '?after=' + encodeURIComponent(lastId) : '')).then(function (data) {
      useLanguage(data.language);
      data.messages.forEach(function (m) { addMessage(m.from, m.text || attachmentText(m.attachment), m.choices, m.id, m.text ? null : m.attachment); });
    });
  }

  /**
   * Sends a message: words, or (`extra`) a pin `{ location }` or a photo `{ blob }`, shown in the
   * log as the server will show it.
   */
  function submit(text, extra) {
    if (!text.trim() && !extra) return;
    send.disabled = true;
    var kind = extra ? (extra.blob ? 'photo' : 'pin') : null;
    addMessage('citizen', kind ? attachmentText(kind) : text, [], null, kind);
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    function once() {
      if (extra && extra.blob) return api('POST', '/api/chat/uploads?id=' + encodeURIComponent(id), extra.blob, extra.blob.type || 'application/octet-stream');
      return api('POST', '/api/chat/messages', extra ? { text: '', id: id, location: extra.location } : { text: text, id: id });
    }
    // A server restarting (503) or out of reach is asked again with the same id: the server keeps
    // one copy of a message however often it arrives.
    function post(attempt) {
      return once().catch(function (error) {
        if (attempt >= 5 || (error.status && error.status !== 503)) throw error;
        return new Promise(function (resolve) { setTimeout(resolve, 2000); }).then(function () { return post(attempt + 1); });
      });
    }
    ready.catch(function () {})
      .then(function () { return post(1); })
      .then(function (data) { useLanguage(data.language); })
      .then(function () { return refresh(); })
      .catch(function (error) { notice(error.message + ' ' + label('webSendAgain', 'Mesajınızı tekrar gönderebilirsiniz.')); })
      .then(function () { send.disabled = false; input.focus(); });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = '';
    submit(text);
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  // A photo from the camera or the gallery, scaled down here (a phone's 12-megapixel photo becomes a
  // few hundred kilobytes) before it is sent; what cannot be drawn (not a picture) goes as it is and
  // the server says what it makes of it.
  function downscale(picked) {
    if (!window.createImageBitmap || !picked.type || picked.type.indexOf('image/') !== 0) return Promise.resolve(picked);
    return createImageBitmap(picked).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || picked); }, 'image/jpeg', 0.85);
      });
    }).catch(function () { return picked; });
  }

  attach.addEventListener('click', function () { file.click(); });
  file.addEventListener('change', function () {
    var picked = file.files && file.files[0];
    file.value = '';
    if (!picked) return;
    downscale(picked).then(function (blob) { submit('', { blob: blob }); });
  });

  // "Share my location": the browser asks the citizen; a refusal (or no location at all) is said plainly.
  locate.addEventListener('click', function () {
    var refused = function () { notice(label('webLocationRefused', 'Konumunuza erişilemedi. Adresi yazarak bildirebilirsiniz.')); };
    if (!navigator.geolocation) return refused();
    navigator.geolocation.getCurrentPosition(function (position) {
      submit('', { location: { latitude: position.coords.latitude, longitude: position.coords.longitude } });
    }, refused, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  if (embedded) {
    // Inside embed.js's panel: Escape closes the panel, and opening it puts the cursor in the box.
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && window.parent !== window) window.parent.postMessage({ type: 'cozum-chat:close' }, '*');
    });
    window.addEventListener('focus', function () { input.focus(); });
    // The page loads only when the citizen opens the panel: they came to type.
    input.focus();
  }

  function newSession() {
    return api('POST', '/api/chat/session').then(function (data) {
      token = data.token;
      keepToken(token);
    });
  }

  // The greeting came with the page (the server wrote it from bot/texts.yaml): its buttons answer like the others.
  Array.prototype.forEach.call(log.querySelectorAll('[data-greeting] button[data-choice]'), function (button) {
    button.addEventListener('click', function () { submit(button.getAttribute('data-choice')); });
  });

  function start() {
    // A kept token, or the session cookie; without either, or with one the server does not know
    // (never issued there, or from an older version), the server issues a new session.
    ready = (token || !storage ? refresh() : Promise.reject({ status: 401 })).catch(function (error) {
      if (error.status !== 401) throw error;
      token = null;
      return newSession().then(refresh);
    });
    ready.catch(function (error) {
      // Too many new chats from this connection: the server's sentence says how long to wait.
      notice(error.status === 429 ? error.message : label('webOffline', 'Sunucuya bağlanılamadı. Lütfen biraz sonra tekrar deneyin.'));
    });
    // Messages the centre sends later (an agent's answer, a status change) appear without a reload.
    setInterval(function () { refresh().catch(function () {}); }, 4000);
  }
  start();
})();
