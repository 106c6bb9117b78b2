// The supervisor page's deliveries to departments' systems (webhooks, e-mails): the ones that
// could not be delivered, with their last error and a "send again" button.
import { api, clear, el, flash, fmtDateTime } from './common.js';

const $ = (id) => document.getElementById(id);
const CHANNELS = { webhook: 'Webhook', email: 'E-posta' };
const KINDS = { 'ticket.created': 'Yeni başvuru', 'ticket.status_changed': 'Durum değişti', 'ticket.rated': 'Puanlandı' };

async function refreshDeliveries() {
  const { deliveries } = await api('/integrations/deliveries?status=failed');
  const body = clear($('deliveries-body'));
  $('deliveries-none').hidden = deliveries.length > 0;
  for (const delivery of deliveries) {
    const retry = el('button', {
      type: 'button',
      class: 'btn btn--small',
      text: 'Yeniden gönder',
      onClick: async () => {
        try {
          await api(`/integrations/deliveries/${encodeURIComponent(delivery.id)}/retry`, { method: 'POST' });
          flash('Yeniden gönderilmek üzere sıraya alındı.');
          await refreshDeliveries();
        } catch (error) {
          flash(error.message, true);
        }
      },
    });
    body.append(
      el(
        'tr',
        {},
        el('td', { text: `${delivery.department} · ${CHANNELS[delivery.channel] ?? delivery.channel}` }),
        el('td', { text: `${delivery.ticketNumber} · ${KINDS[delivery.kind] ?? delivery.kind}` }),
        el('td', { text: fmtDateTime(delivery.createdAt) }),
        el('td', { text: `${delivery.attempts} deneme · ${delivery.lastError ?? ''}` }),
        el('td', {}, retry),
      ),
    );
  }
}

// Asked for once the page has shown the section (supervisors and admins, common.js `loadMe`).
const section = $('deliveries');
const shown = new MutationObserver(() => {
  if (section.hidden) return;
  shown.disconnect();
  refreshDeliveries().catch((error) => flash(error.message, true));
});
shown.observe(section, { attributes: true, attributeFilter: ['hidden'] });
