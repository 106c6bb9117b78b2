// Çözüm web chat on any web site, with one tag:
//   <script src="https://asistan.belediye.bel.tr/webchat/embed.js" defer></script>
// Adds a floating chat button; the chat opens in an iframe that shows the assistant's own page
// (/?embed=1), so the conversation's token stays with the assistant's origin and the host page
// can neither read it, choose it, nor restyle the chat. Full screen on a phone, a panel on larger screens.
// Keyboard: the button is a real button, Escape closes the chat (also from inside it) and gives
// the focus back to the button. Optional attributes on the script tag:
//   data-title="…"  the panel's title (else the assistant's, in the page's language, then the citizen's)
//   data-color="#0b6e4f"  the button's colour
//   data-open="true" open at once           data-position="left"  button bottom-left
(function () {
  'use strict';
  if (window.__cozumChatEmbed) return;
  window.__cozumChatEmbed = true;

  var script = document.currentScript;
  var SERVED_ORIGIN = '{{origin}}';
  // The panel's words in each language, Turkish first (the server writes them from bot/texts.yaml).
  var SERVED_WORDS = '{{titles}}';
  // Where the browser actually loaded this file from is the assistant's origin; the value the
  // server wrote in is the fallback for loaders that hide the script element.
  var origin = SERVED_ORIGIN;
  try {
    if (script && script.src) origin = new URL(script.src, location.href).origin;
  } catch (e) { /* keep the served origin */ }
  var data = function (name) { return script ? script.getAttribute('data-' + name) : null; };
  var words = typeof SERVED_WORDS === 'object' && SERVED_WORDS ? SERVED_WORDS : {};
  var fixedTitle = data('title');
  // The host page's language (<html lang="en">), else the browser's; Turkish when neither is offered.
  var language = [document.documentElement.lang, navigator.language, 'tr']
    .map(function (tag) { return String(tag || '').slice(0, 2).toLowerCase(); })
    .filter(function (code) { return words[code]; })[0] || 'tr';
  var said = function (key) { return (words[language] || words.tr || {})[key] || ''; };
  var title = fixedTitle || said('title');
  var color = /^#[0-9a-fA-F]{3,8}$/.test(data('color') || '') ? data('color') : '#0b6e4f';
  var left = data('position') === 'left';

  var host = document.createElement('div');
  host.setAttribute('data-cozum-chat', '');
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var side = left ? 'left' : 'right';
  var style = document.createElement('style');
  style.textContent = [
    ':host { all: initial; }',
    '.launcher { position: fixed; bottom: 20px; ' + side + ': 20px; z-index: 2147483000; width: 60px; height: 60px; border: 0; border-radius: 50%;',
    '  background: ' + color + '; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.3); display: flex; align-items: center; justify-content: center; }',
    '.launcher:focus-visible, .close:focus-visible { outline: 3px solid #ffbf47; outline-offset: 3px; }',
    '.launcher svg { width: 30px; height: 30px; fill: currentColor; }',
    '.launcher[aria-expanded="true"] { display: none; }',
    '.panel { position: fixed; bottom: 20px; ' + side + ': 20px; z-index: 2147483001; width: 380px; height: min(640px, calc(100vh - 40px));',
    '  display: flex; flex-direction: column; background: #fff; border-radius: 14px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.3);',
    '  font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }',
    '.panel[hidden] { display: none; }',
    '.bar { display: flex; align-items: center; gap: 8px; padding: 10px 8px 10px 16px; background: ' + color + '; color: #fff; }',
    '.bar h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 700; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }',
    '.close { border: 0; background: transparent; color: #fff; font-size: 28px; line-height: 1; width: 44px; height: 44px; cursor: pointer; border-radius: 8px; }',
    'iframe { flex: 1; width: 100%; border: 0; background: #f3f5f4; }',
    '@media (max-width: 600px) {',
    '  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; bottom: 0; ' + side + ': 0; }',
    '  .bar { padding-top: max(10px, env(safe-area-inset-top)); }',
    '}',
  ].join('\n');

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-label', title + ': ' + said('open'));
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'cozum-chat-panel');
  launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';

  var panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'cozum-chat-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  var bar = document.createElement('div');
  bar.className = 'bar';
  var heading = document.createElement('h2');
  heading.textContent = title;
  var close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.setAttribute('aria-label', said('close'));
  close.textContent = '×';
  bar.appendChild(heading);
  bar.appendChild(close);
  panel.appendChild(bar);
  var frame = null;

  function open() {
    if (!frame) {
      // Loaded on first open only: a visitor who never opens the chat costs the assistant nothing.
      frame = document.createElement('iframe');
      frame.title = title;
      frame.src = origin + '/?embed=1';
      frame.addEventListener('load', function () { if (!panel.hidden) frame.focus(); });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    frame.focus();
  }

  // The citizen's language, once the chat knows it: the panel's words follow.
  function useLanguage(code) {
    if (typeof code !== 'string' || !words[code] || code === language) return;
    language = code;
    title = fixedTitle || said('title');
    launcher.setAttribute('aria-label', title + ': ' + said('open'));
    panel.setAttribute('aria-label', title);
    heading.textContent = title;
    close.setAttribute('aria-label', said('close'));
    if (frame) frame.title = title;
  }

  function shut() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', open);
  close.addEventListener('click', shut);
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { event.preventDefault(); shut(); }
  });
  // Messages count only from the assistant's own origin: Escape pressed in the chat. The session
  // never passes through this page (the chat keeps it in its own storage, or in its cookie).
  window.addEventListener('message', function (event) {
    if (event.origin !== origin || !event.data) return;
    if (event.data.type === 'cozum-chat:close' && !panel.hidden) shut();
    if (event.data.type === 'cozum-chat:language') useLanguage(event.data.language);
  });

  root.appendChild(style);
  root.appendChild(launcher);
  root.appendChild(panel);
  function mount() {
    document.body.appendChild(host);
    if (data('open') === 'true') open();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.CozumChat = { open: open, close: shut };
})();
