// Web chat client: no framework, no build step. Citizen text is only ever inserted as text nodes.
(function () {
  'use strict';
  var TOKEN_KEY = 'cozum.chat.token';
  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('input');
  var send = document.getElementById('send');
  var lastId = null;
  var shown = {};
  var token = localStorage.getItem(TOKEN_KEY);

  function api(method, url, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers['X-Chat-Session'] = token;
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || 'Bağlantı sorunu');
        return data;
      });
    });
  }

  // *kalın* as WhatsApp writes it, built from text nodes so that nothing the citizen wrote is markup.
  function appendFormatted(parent, text) {
    var parts = String(text).split(/(\*[^*\n]+\*)/g);
    parts.forEach(function (part) {
      if (/^\*[^*\n]+\*$/.test(part)) {
        var strong = document.createElement('strong');
        strong.textContent = part.slice(1, -1);
        parent.appendChild(strong);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function addMessage(from, text, choices, id) {
    if (id && shown[id]) return;
    if (id) { shown[id] = true; lastId = id; }
    var item = document.createElement('li');
    item.className = 'msg msg--' + from;
    item.setAttribute('data-from', from);
    appendFormatted(item, text);
    if (choices && choices.length) {
      var box = document.createElement('div');
      box.className = 'choices';
      choices.forEach(function (choice, index) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = (index + 1) + '. ' + choice;
        button.addEventListener('click', function () { submit(choice); });
        box.appendChild(button);
      });
      item.appendChild(box);
    }
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
    if (!token) return Promise.resolve();
    return api('GET', '/api/chat/messages' + (lastId ? '?after=' + encodeURIComponent(lastId) : '')).then(function (data) {
      data.messages.forEach(function (m) { addMessage(m.from, m.text, m.choices, m.id); });
    });
  }

  function submit(text) {
    if (!text.trim()) return;
    send.disabled = true;
    addMessage('citizen', text, [], null);
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    api('POST', '/api/chat/messages', { text: text, id: id })
      .then(function () { return refresh(); })
      .catch(function (error) { notice(error.message + ' Mesajınızı tekrar gönderebilirsiniz.'); })
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

  function start() {
    var ready = token ? Promise.resolve() : api('POST', '/api/chat/session').then(function (data) {
      token = data.token;
      localStorage.setItem(TOKEN_KEY, token);
    });
    ready.then(refresh).then(function () {
      if (!log.querySelector('.msg')) {
        addMessage('bot', 'Merhaba! Burası ' + document.body.getAttribute('data-municipality') + ' dijital asistanı. Sorunuzu yazabilir ya da konu listesi için *menü* yazabilirsiniz.', ['Menü'], null);
      }
    }).catch(function () { notice('Sunucuya bağlanılamadı. Lütfen biraz sonra tekrar deneyin.'); });
    // Messages the centre sends later (an agent's answer, a status change) appear without a reload.
    setInterval(function () { refresh().catch(function () {}); }, 4000);
  }
  start();
})();
