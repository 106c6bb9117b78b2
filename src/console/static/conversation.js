// One conversation: the transcript (live), the ticket in focus with its fields and history, the
// citizen's other tickets, and what the agent can do: claim, reply, canned answers, internal
// notes, transfer, status changes, release to the bot.
import { api, ApiError, clear, richText, el, flash, fmtDateTime, fmtDay, fmtTime, hasRole, live, loadMe, slaChip, statusPill, throttle, tickSla } from './common.js';

const conversationId = decodeURIComponent(window.location.pathname.split('/').pop() || '');
let focusTicket = new URLSearchParams(window.location.search).get('ticket') || '';
let me;
let view;
let shownIds = [];
/** The text each shown message was drawn with, by id. */
const shownTexts = new Map();

const $ = (id) => document.getElementById(id);
const transcript = $('transcript');
const replyText = $('reply-text');

const WHO = { bot: 'Asistan', system: 'Bilgilendirme' };
const EVENT_TITLES = {
  status: 'Durum değişti',
  note: 'İç not',
  assign: 'Görevli atandı',
  transfer: 'Aktarıldı',
  rating: 'Vatandaş puan verdi',
  rating_request: 'Vatandaştan puan istendi',
  erasure: 'Vatandaş kişisel verilerinin silinmesini istedi (KVKK)',
  retention: 'Saklama süresi doldu: kişisel veriler silindi (KVKK)',
};

const ERASED_NOTES = {
  request: 'Vatandaş kişisel verilerinin silinmesini istedi (KVKK): mesajları ve bilgileri silindi, görüşme sona erdi. Bu görüşmeye artık yazılamaz.',
  retention: 'Saklama süresi dolduğu için vatandaşın kişisel verileri silindi (KVKK). Bu görüşmeye artık yazılamaz.',
  unknown: 'Vatandaşın kişisel verileri silindi (KVKK). Bu görüşmeye artık yazılamaz.',
};

function mapLink(location) {
  const lat = Number(location.latitude).toFixed(6);
  const lon = Number(location.longitude).toFixed(6);
  return el('a', { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`, target: '_blank', rel: 'noopener noreferrer', text: `Konumu haritada aç (${lat}, ${lon})` });
}

/** Leaflet, loaded once and only when the municipality names a tile server (console.mapTiles). */
let leaflet;
function loadLeaflet() {
  if (!leaflet) {
    document.head.append(el('link', { rel: 'stylesheet', href: '/console/assets/leaflet/leaflet.css' }));
    leaflet = import('/console/assets/leaflet/leaflet-src.esm.js');
  }
  return leaflet;
}

/**
 * A pin: its coordinates and an openstreetmap.org link always; above them a map with the pin when
 * tiles are configured and load. A map whose tiles cannot be reached (no internet) is taken away
 * again, leaving the coordinates and the link.
 */
function locationNode(location, title) {
  const lat = Number(location.latitude);
  const lon = Number(location.longitude);
  const fallback = el('div', { class: 'map-fallback' }, el('div', { text: `Enlem ${lat.toFixed(6)}, boylam ${lon.toFixed(6)}` }), mapLink(location));
  const node = el('div', { class: 'attachment attachment--location', dataset: { lat: String(lat), lon: String(lon) } }, el('strong', { text: title }));
  if (view?.mapTiles) {
    const map = el('div', { class: 'map', role: 'img', 'aria-label': `Harita: ${lat.toFixed(5)}, ${lon.toFixed(5)}` });
    node.append(map);
    loadLeaflet()
      .then((L) => {
        const shown = L.map(map, { zoomControl: true, attributionControl: true }).setView([lat, lon], 17);
        const tiles = L.tileLayer(view.mapTiles, { maxZoom: 19, attribution: '© OpenStreetMap' }).addTo(shown);
        let loaded = false;
        tiles.on('tileload', () => (loaded = true));
        tiles.on('tileerror', () => {
          if (!loaded) map.remove();
        });
        L.marker([lat, lon]).addTo(shown);
      })
      .catch(() => map.remove());
  }
  node.append(fallback);
  return node;
}

const MEDIA_KINDS = { image: 'Fotoğraf', audio: 'Ses kaydı', video: 'Video', document: 'Belge', sticker: 'Çıkartma' };
const REFUSALS = { tooLarge: 'dosya sınırdan büyük', wrongType: 'desteklenmeyen dosya türü', unreadable: 'bozuk ya da yarım dosya' };
const MEDIA_TEXTS = {
  failedHelp: 'Kanaldan indirilemedi; yeniden deneyebilir ya da vatandaştan yeniden göndermesini isteyebilirsiniz.',
  retry: 'Yeniden dene',
  retryLabel: (kind) => `${kind} için indirmeyi yeniden dene`,
  retrying: 'Dosya yeniden indiriliyor.',
};

/** The full image, over the page: a native dialog (Escape closes it, focus returns). */
function openViewer(media) {
  let dialog = $('media-viewer');
  if (!dialog) {
    dialog = el('dialog', { id: 'media-viewer', class: 'viewer', 'aria-label': 'Fotoğraf' });
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close();
    });
    document.body.append(dialog);
  }
  clear(dialog).append(
    el('img', { src: media.url, alt: 'Vatandaşın gönderdiği fotoğraf' }),
    el('div', { class: 'viewer__bar' }, el('a', { href: media.url, target: '_blank', rel: 'noopener', text: 'Yeni sekmede aç' }), el('button', { type: 'button', class: 'btn', text: 'Kapat', onclick: () => dialog.close() })),
  );
  dialog.showModal();
}

function attachment(media) {
  const kind = MEDIA_KINDS[media.kind] || 'Dosya';
  // Sent before media were kept: only the platform's id is known.
  if (!media.status) {
    return el('div', { class: 'attachment' }, el('strong', { text: `${kind} gönderildi` }), media.fileId ? el('div', {}, 'Dosya kimliği: ', el('code', { text: media.fileId })) : null);
  }
  const node = el('div', { class: `attachment attachment--${media.status}`, dataset: { media: media.id, status: media.status } });
  if (media.status === 'pending') {
    node.append(el('strong', { text: `${kind} alınıyor…` }));
  } else if (media.status === 'failed') {
    const retry = el('button', { type: 'button', class: 'btn btn--small media-retry', text: MEDIA_TEXTS.retry, 'aria-label': MEDIA_TEXTS.retryLabel(kind) });
    retry.addEventListener('click', () => act(retry, () => api(`/media/${encodeURIComponent(media.id)}/retry`, { method: 'POST' }), MEDIA_TEXTS.retrying));
    node.append(el('strong', { text: `${kind} alınamadı` }), el('div', { class: 'muted', text: MEDIA_TEXTS.failedHelp }), retry);
  } else if (media.status === 'refused') {
    node.append(el('strong', { text: `${kind} kabul edilmedi` }), el('div', { class: 'muted', text: REFUSALS[media.reason] || '' }));
  } else if (media.kind === 'image') {
    node.append(el('button', { type: 'button', class: 'thumb', title: 'Fotoğrafı büyüt', onclick: () => openViewer(media) }, el('img', { src: media.thumbUrl, alt: `${kind} (büyütmek için seçin)`, loading: 'lazy' })));
  } else if (media.kind === 'audio') {
    node.append(el('strong', { text: kind }), el('audio', { controls: '', preload: 'metadata', src: media.url }));
  } else if (media.kind === 'video') {
    node.append(el('strong', { text: kind }), el('video', { controls: '', preload: 'metadata', src: media.url, class: 'video' }));
  } else {
    node.append(el('strong', { text: kind }), el('div', {}, el('a', { href: media.url, download: '', text: `Belgeyi indir${media.size ? ` (${Math.max(1, Math.round(media.size / 1024))} KB)` : ''}` })));
  }
  return node;
}

/** How a message's attachments stand (arriving, kept, failed): a change redraws the message. */
function mediaStatuses(message) {
  return (message.media || []).map((media) => media.status || '').join(' ');
}

function messageNode(message) {
  const who = message.author === 'citizen' ? view.citizen.name : message.author === 'agent' ? message.authorName : WHO[message.author] || message.author;
  const failed = message.direction === 'out' && message.status === 'failed';
  const pending = message.direction === 'out' && message.status === 'pending';
  return el(
    'li',
    { class: `msg msg--${message.author}${failed ? ' msg--failed' : ''}`, dataset: { id: message.id, author: message.author, status: message.status, mediaStatus: mediaStatuses(message) } },
    el('div', { class: 'msg__who', text: who }),
    // The citizen may write Arabic: each bubble takes its direction from its own first letters.
    message.text ? el('div', { class: 'msg__text', dir: 'auto' }, richText(message.text)) : null,
    message.media.map(attachment),
    message.location ? locationNode(message.location, 'Konum gönderildi') : null,
    message.choices.length ? el('div', { class: 'msg__choices' }, message.choices.map((c) => el('span', { dir: 'auto', text: c }))) : null,
    el('div', { class: 'msg__meta' }, fmtTime(message.at), failed ? el('span', { class: 'msg__failed', text: ' · iletilemedi' }) : pending ? ' · gönderiliyor' : ''),
  );
}

function renderTranscript() {
  const ids = view.messages.map((m) => m.id);
  const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  const prefix = shownIds.length > 0 && shownIds.every((id, i) => ids[i] === id);
  const fresh = prefix ? view.messages.slice(shownIds.length) : view.messages;
  if (!prefix) {
    clear(transcript);
    shownTexts.clear();
  }
  let lastDay = prefix && shownIds.length ? fmtDay(view.messages[shownIds.length - 1].at) : '';
  for (const message of fresh) {
    const day = fmtDay(message.at);
    if (day !== lastDay) transcript.append(el('li', { class: 'day', text: day }));
    lastDay = day;
    transcript.append(messageNode(message));
    shownTexts.set(message.id, message.text);
  }
  // Statuses (sent → failed) and texts (erased at the citizen's request) of messages already shown
  // change without new ids: redraw those.
  if (prefix) {
    for (const message of view.messages.slice(0, shownIds.length)) {
      const node = transcript.querySelector(`[data-id="${CSS.escape(message.id)}"]`);
      if (node && (node.dataset.status !== message.status || node.dataset.mediaStatus !== mediaStatuses(message) || shownTexts.get(message.id) !== message.text)) {
        node.replaceWith(messageNode(message));
        shownTexts.set(message.id, message.text);
      }
    }
  }
  shownIds = ids;
  if (view.messages.length === 0) transcript.append(el('li', { class: 'day', text: 'Henüz mesaj yok.' }));
  if (nearBottom || !prefix || fresh.length) transcript.scrollTop = transcript.scrollHeight;
}

function renderHead() {
  const c = view.conversation;
  $('citizen-name').textContent = view.citizen.name;
  document.title = `${view.citizen.name} · Görüşme · Çözüm Merkezi`;
  $('channel').textContent = c.channelName;
  $('language').textContent = view.citizen.languageName;
  $('language').dataset.language = view.citizen.language;
  $('phone').textContent = view.citizen.phone ? `Tel: ${view.citizen.phone}` : '';
  const mode = $('mode');
  mode.textContent = c.modeName;
  mode.className = `pill pill--${c.mode}`;
  $('holder').textContent = c.mode === 'agent' && c.agent ? (c.mine ? 'Görüşme sizde' : `Görüşmeyi ${c.agent.displayName} yürütüyor`) : '';
  const otherHolds = c.mode === 'agent' && !c.mine;
  $('claim').hidden = c.mine || (otherHolds && !hasRole(me, 'supervisor'));
  $('claim').disabled = otherHolds;
  $('claim').title = otherHolds ? 'Görüşme başka bir görevlide' : '';
  $('release').hidden = c.mode === 'bot' || (otherHolds && !hasRole(me, 'supervisor'));
  $('reply-hint').textContent = c.mine ? '' : otherHolds ? 'Görüşme başka bir görevlide; yanıt gönderemezsiniz.' : 'Yanıt gönderdiğinizde görüşmeyi devralırsınız.';
  $('reply-send').disabled = otherHolds;
  // Nobody can write to a citizen whose data was erased: the page says why instead.
  const erased = Boolean(view.citizen.erased);
  $('erased').hidden = !erased;
  $('erased').textContent = erased ? ERASED_NOTES[view.citizen.erased] || ERASED_NOTES.unknown : '';
  $('reply-form').hidden = erased;
  if (erased) $('claim').hidden = true;
}

function field(dl, label, value) {
  if (value === null || value === undefined || value === '') return;
  dl.append(el('dt', { text: label }), el('dd', {}, value));
}

function renderTicket() {
  const t = view.ticket;
  $('no-ticket').hidden = Boolean(t);
  $('ticket-body').hidden = !t;
  $('ticket-status').hidden = !t;
  if (!t) {
    $('ticket-title').textContent = 'Talep';
    return;
  }
  focusTicket = t.id;
  $('ticket-title').textContent = `${t.number}`;
  const status = $('ticket-status');
  status.textContent = t.statusName;
  status.className = `pill pill--${t.status}`;
  const sla = clear($('ticket-sla'));
  if (t.open) sla.append(el('span', { class: 'muted', text: 'Yanıt süresi: ' }), slaChip(t.dueAt));
  else if (t.resolvedAt) sla.append(el('span', { class: 'muted', text: `Çözüldü: ${fmtDateTime(t.resolvedAt)}` }));

  const dl = clear($('ticket-fields'));
  field(dl, 'Tür', t.typeName);
  field(dl, 'Kategori', t.categoryName);
  field(dl, 'Birim', t.department);
  field(dl, 'Mahalle', t.neighbourhood);
  field(dl, 'Görevli', t.assignedAgent);
  field(dl, 'Açılış', fmtDateTime(t.createdAt));
  field(dl, 'Son tarih', fmtDateTime(t.dueAt));
  field(dl, 'İlk yanıt', t.firstResponseAt ? fmtDateTime(t.firstResponseAt) : null);
  if (t.understood) field(dl, 'Anlaşılan konu', `${t.understood.intent} (%${Math.round(t.understood.confidence * 100)})`);
  field(dl, 'Özet', t.summary);
  for (const f of t.fields) field(dl, f.label, f.value);
  if (t.rating !== null) field(dl, 'Vatandaş puanı', `${t.rating}/5${t.ratingComment ? ` · ${t.ratingComment}` : ''}`);

  const media = clear($('ticket-media'));
  // What the citizen sent in this conversation: kept ones, and those still arriving or lost (never silently dropped).
  for (const item of t.media ?? []) media.append(attachment(item));
  if (!t.media?.length) for (const photo of t.photos) media.append(attachment(photo));
  for (const location of t.locations) media.append(locationNode(location, 'Konum'));

  // Live refreshes rebuild the lists; what the agent already picked stays picked.
  fillSelect($('status-select'), me.statuses.filter((s) => s.key !== t.status).map((s) => [s.key, s.label]));
  updateStatusHint();
  fillSelect($('transfer-department'), [['', '— birim seçin —'], ...me.departments.filter((d) => d !== t.department).map((d) => [d, d])]);
  fillSelect($('transfer-agent'), [['', '— görevli seçin —'], ...me.agents.filter((a) => a.id !== me.agent.id).map((a) => [a.id, a.department ? `${a.displayName} · ${a.department}` : a.displayName])]);

  const history = clear($('ticket-history'));
  for (const e of [...t.events].reverse()) {
    const title = e.kind === 'status' && e.statusName ? `Durum: ${e.statusName}` : EVENT_TITLES[e.kind] || e.kind;
    history.append(
      el(
        'li',
        { class: e.kind === 'note' ? 'is-note' : '' },
        el('div', {}, el('strong', { text: title })),
        e.note ? el('div', { class: 'history__note', text: e.note }) : null,
        el('div', { class: 'history__meta', text: `${e.actor} · ${fmtDateTime(e.at)}` }),
      ),
    );
  }
}

function fillSelect(select, options) {
  const picked = select.value;
  clear(select).append(...options.map(([value, text]) => el('option', { value, text })));
  if (options.some(([value]) => value === picked)) select.value = picked;
}

function renderOthers() {
  const list = clear($('others'));
  if (view.tickets.length === 0) list.append(el('li', { class: 'muted', text: 'Başka talebi yok.' }));
  for (const t of view.tickets) {
    const href = t.visible && t.conversationId ? `/console/conversations/${encodeURIComponent(t.conversationId)}?ticket=${encodeURIComponent(t.id)}` : null;
    list.append(
      el(
        'li',
        {},
        el('div', {}, href ? el('a', { href, text: t.number }) : el('strong', { text: t.number }), ' ', statusPill(t.status, t.statusName)),
        el('span', { class: 'muted', text: [t.typeName, t.categoryName, t.department, fmtDateTime(t.createdAt)].filter(Boolean).join(' · ') }),
        t.summary ? el('span', { text: t.summary }) : null,
      ),
    );
  }
}

function updateStatusHint() {
  const rejecting = $('status-select').value === 'rejected';
  $('status-note-hint').textContent = rejecting ? '(gerekçe zorunlu, vatandaşa iletilir)' : '(isteğe bağlı, vatandaşa iletilir)';
  $('status-note').required = rejecting;
}

// Refreshes can overlap (an action's own and the live stream's): only the newest answer is drawn.
let asked = 0;
let drawn = 0;

async function refresh() {
  const number = ++asked;
  let next;
  try {
    next = await api(`/conversations/${encodeURIComponent(conversationId)}${focusTicket ? `?ticket=${encodeURIComponent(focusTicket)}` : ''}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      flash('Bu görüşmeyi artık göremiyorsunuz (başka bir birime aktarılmış olabilir).', true);
      for (const button of document.querySelectorAll('button')) if (!button.closest('#logout-form')) button.disabled = true;
      return;
    }
    throw error;
  }
  if (number < drawn) return;
  drawn = number;
  view = next;
  renderHead();
  renderTranscript();
  renderTicket();
  renderOthers();
}

/** Runs an action with its button disabled; says how it went. */
async function act(button, action, done) {
  if (button) button.disabled = true;
  try {
    await action();
    if (done) flash(done);
    await refresh();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    flash(error.message, true);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

function wire() {
  $('claim').addEventListener('click', () => act($('claim'), () => api(`/conversations/${encodeURIComponent(conversationId)}/claim`, { method: 'POST' }), 'Görüşmeyi devraldınız.'));
  $('release').addEventListener('click', () => {
    if (!window.confirm('Görüşme asistana bırakılsın mı? Vatandaşa görüşmenin sona erdiği bildirilecek.')) return;
    act($('release'), () => api(`/conversations/${encodeURIComponent(conversationId)}/release`, { method: 'POST' }), 'Görüşme asistana bırakıldı.');
  });
  $('reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = replyText.value.trim();
    if (!text) return;
    const sent = await act($('reply-send'), () => api(`/conversations/${encodeURIComponent(conversationId)}/reply`, { method: 'POST', body: { text } }), 'Yanıtınız gönderildi.');
    if (sent) replyText.value = '';
    replyText.focus();
  });
  replyText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('reply-form').requestSubmit();
  });
  const canned = $('canned');
  for (const c of me.cannedResponses) {
    canned.append(
      el('button', {
        type: 'button',
        text: c.title,
        title: c.text,
        onclick: () => {
          replyText.value = replyText.value.trim() ? `${replyText.value.trimEnd()}\n${c.text}` : c.text;
          replyText.focus();
        },
      }),
    );
  }
  $('status-select').addEventListener('change', updateStatusHint);
  $('status-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = $('status-select').value;
    const note = $('status-note').value.trim();
    if (status === 'rejected' && !note) return flash('Reddetmek için bir gerekçe yazın.', true);
    const ok = await act(event.submitter, () => api(`/tickets/${encodeURIComponent(focusTicket)}/status`, { method: 'POST', body: { status, note } }), 'Durum güncellendi; vatandaşa bildirildi.');
    if (ok) $('status-note').value = '';
  });
  $('transfer-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const department = $('transfer-department').value;
    const agentId = $('transfer-agent').value;
    if (!department && !agentId) return flash('Bir birim ya da görevli seçin.', true);
    const ok = await act(event.submitter, () => api(`/tickets/${encodeURIComponent(focusTicket)}/transfer`, { method: 'POST', body: { department: department || undefined, agentId: agentId || undefined, note: $('transfer-note').value } }), 'Talep aktarıldı.');
    if (ok) $('transfer-note').value = '';
  });
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('note-text').value.trim();
    if (!text) return;
    const ok = await act(event.submitter, () => api(`/tickets/${encodeURIComponent(focusTicket)}/notes`, { method: 'POST', body: { text } }), 'Not eklendi.');
    if (ok) $('note-text').value = '';
  });
}

async function start() {
  me = await loadMe();
  wire();
  await refresh();
  const refreshSoon = throttle(() => refresh().catch(() => undefined), 200);
  live((notice) => {
    if (notice.kind === 'reconnect' || notice.conversationId === conversationId || (view && view.ticket && notice.ticketId === view.ticket.id)) refreshSoon();
  }, conversationId);
  tickSla();
}

start();
